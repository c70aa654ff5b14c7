// Predictions conditional on the random effects' modes and their standard
// errors (inference/conditional_errors.hpp: the parameters' covariance
// carried through the modes plus the effects' conditional variance), against
// glmmTMB's predict(se.fit = TRUE), which computes the same by TMB's
// sdreport: models/mixed/reference/conditional_predictions.R writes
// models/mixed/conditional_predictions.expected.json. A gaussian model with
// correlated effects (sleepstudy), a binomial one (cbpp, as expected counts)
// and two crossed factors predicted at every pair of levels, 17 of them
// pairs the data never had (H^-1's entry for them lies off H's pattern).
// The two tools stop at slightly different optima (their log-likelihoods
// agree to 1e-9 relative); the predictions agree to 2e-6.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "mlec/mlec.hpp"
#include "support/csv_cells.hpp"
#include "support/files.hpp"

namespace {

using nlohmann::json;

// The model fitted to its data, then predicted at `newdata`'s rows: the
// predictions' CSV rows (value, standard error) against the reference's.
void check_predictions(const std::string& model, const std::string& data, const std::string& newdata,
                       const json& reference) {
    INFO(model);
    const auto dir = mlec::test::source_dir() / "models/mixed";
    mlec::Diagnostics ds;
    auto m = mlec::Model::from_text(mlec::test::read_file(dir / (model + ".mle")), model + ".mle", ds);
    auto d = mlec::Data::from_csv_text(mlec::test::read_file(dir / (data + ".csv")), data + ".csv", ds);
    auto n = mlec::Data::from_csv_text(newdata, "new.csv", ds);
    REQUIRE(m);
    REQUIRE(d);
    REQUIRE(n);
    auto p = mlec::Problem::bind(*m, *d, ds);
    REQUIRE(p);
    const mlec::FitResult r = mlec::fit(*p);
    REQUIRE(r.status == mlec::FitStatus::converged);
    CHECK(r.log_likelihood == Approx(reference["log_likelihood"].get<double>()).epsilon(1e-9));
    mlec::Diagnostics predict_ds;
    const std::optional<std::string> csv = mlec::predict_csv(*p, r, *n, predict_ds);
    REQUIRE(csv);
    CHECK(predict_ds.empty());
    const auto c = mlec::test::csv_cells(*csv);
    const json& expected = reference["predictions"];
    REQUIRE(c.size() == expected.size() + 1);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("row " << i + 1);
        CHECK(std::stod(c[i + 1][1]) == Approx(expected[i]["expected"].get<double>()).epsilon(2e-6));
        CHECK(std::stod(c[i + 1][2]) == Approx(expected[i]["std_error"].get<double>()).epsilon(2e-6));
    }
}

// Rows `rows` (1-based) of a CSV file, with its header.
std::string rows_of(const std::string& file, const json& rows) {
    const auto c = mlec::test::csv_cells(mlec::test::read_file(mlec::test::source_dir() / "models/mixed" / file));
    std::string out;
    const auto line = [&](const std::vector<std::string>& row) {
        for (std::size_t k = 0; k < row.size(); ++k) out.append(k ? "," : "").append(row[k]);
        out.append("\n");
    };
    line(c[0]);
    for (const json& r : rows) line(c[r.get<std::size_t>()]);
    return out;
}

const json& expected() {
    static const json e = json::parse(
        mlec::test::read_file(mlec::test::source_dir() / "models/mixed/conditional_predictions.expected.json"));
    return e;
}

}  // namespace

TEST_CASE("sleepstudy's conditional predictions and standard errors equal glmmTMB's") {
    const json& e = expected()["sleepstudy"];
    check_predictions("sleepstudy", "sleepstudy", rows_of("sleepstudy.csv", e["rows"]), e);
}

TEST_CASE("cbpp's conditional expected counts and standard errors equal glmmTMB's") {
    const json& e = expected()["cbpp"];
    check_predictions("cbpp", "cbpp", rows_of("cbpp.csv", e["rows"]), e);
}

TEST_CASE("crossed effects predicted at pairs of levels the data never had equal glmmTMB's") {
    const json& e = expected()["crossed"];
    REQUIRE(e["unseen_pairs"].get<int>() > 0);
    check_predictions("crossed", "crossed",
                      mlec::test::read_file(mlec::test::source_dir() / "models/mixed/new_crossed.csv"), e);
}
