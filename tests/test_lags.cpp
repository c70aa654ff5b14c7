// Previous rows (docs/language.md, "Previous rows"): lag(x, k, g) reads the
// k-th earlier row of the same group in the file's order (checked against a
// brute-force scan), simulate and the bootstrap draw a lagged outcome row
// after row (the simulated series has the fitted autocorrelation, which a
// draw from the observed lags would not), predict is one step ahead, and
// profile intervals and compare work on a lag model.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <sstream>

#include "mlec/mlec.hpp"
#include "problem/previous_rows.hpp"
#include "support/bound_model.hpp"

namespace {

using mlec::test::bind_model;
using mlec::test::Bound;

const char* const ar1_model =
    "param phi in (-1, 1)\n"
    "param sigma > 0\n"
    "first = !lag_exists(y)\n"
    "y ~ normal(first ? mu : mu + phi*(lag(y) - mu), first ? sigma / sqrt(1 - phi^2) : sigma)\n";

// An AR(1) series: mu + phi (y[t-1] - mu) + sigma e, started stationary.
std::string ar1_csv(int n, double mu, double phi, double sigma, unsigned seed) {
    std::mt19937_64 gen(seed);
    std::normal_distribution<double> e;
    std::ostringstream csv;
    csv.precision(17);
    csv << "y\n";
    double y = mu + sigma / std::sqrt(1 - phi * phi) * e(gen);
    for (int t = 0; t < n; ++t) {
        csv << y << "\n";
        y = mu + phi * (y - mu) + sigma * e(gen);
    }
    return csv.str();
}

std::vector<double> column_of(const std::string& csv) {
    std::istringstream in(csv);
    std::string line;
    std::getline(in, line);
    std::vector<double> out;
    while (std::getline(in, line)) out.push_back(std::stod(line));
    return out;
}

double lag1_autocorrelation(const std::vector<double>& y) {
    double mean = 0;
    for (double v : y) mean += v;
    mean /= static_cast<double>(y.size());
    double num = 0, den = 0;
    for (std::size_t t = 0; t < y.size(); ++t) {
        den += (y[t] - mean) * (y[t] - mean);
        if (t > 0) num += (y[t] - mean) * (y[t - 1] - mean);
    }
    return num / den;
}

const mlec::ParameterEstimate& parameter(const mlec::FitResult& r, const std::string& name) {
    for (const auto& p : r.parameters)
        if (p.name == name) return p;
    FAIL("no parameter " << name);
    return r.parameters.front();
}

}  // namespace

TEST_CASE("lag reads the k-th earlier row of the same group, groups interleaved; lag_exists says where") {
    std::mt19937_64 gen(7);
    for (int trial = 0; trial < 50; ++trial) {
        const std::size_t rows = 1 + gen() % 60;
        const int levels = 1 + static_cast<int>(gen() % 4);
        std::vector<double> row_number(rows), group(rows);
        for (std::size_t r = 0; r < rows; ++r) {
            row_number[r] = static_cast<double>(r);  // so a lag's value is the row it reads
            group[r] = 1 + static_cast<double>(gen() % static_cast<unsigned>(levels));
        }
        for (int k = 1; k <= 3; ++k) {
            for (bool grouped : {false, true}) {
                // graph columns: 0 x, 1 g, 2 lag(x, k[, g]), 3 lag_exists(x, k[, g])
                std::vector<mlec::interp::ColumnInfo> info(4);
                mlec::interp::ColumnInfo::Lag lag;
                lag.source = 0;
                lag.k = k;
                lag.group = grouped ? 1 : -1;
                info[2].lag = lag;
                lag.exists = true;
                info[3].lag = lag;
                std::vector<std::span<const double>> columns{row_number, group, {}, {}};
                std::vector<std::vector<double>> storage;
                storage.reserve(2);
                mlec::problem::fill_previous_rows(info, columns, storage, rows);
                for (std::size_t r = 0; r < rows; ++r) {
                    // brute force: walk back counting rows of r's group
                    double expect = -1;
                    int seen = 0;
                    for (std::ptrdiff_t q = static_cast<std::ptrdiff_t>(r) - 1; q >= 0; --q) {
                        if (grouped && group[static_cast<std::size_t>(q)] != group[r]) continue;
                        if (++seen == k) {
                            expect = static_cast<double>(q);
                            break;
                        }
                    }
                    INFO("row " << r << ", k " << k << (grouped ? ", grouped" : ""));
                    if (expect < 0) CHECK(std::isnan(columns[2][r]));
                    else CHECK(columns[2][r] == expect);
                    CHECK(columns[3][r] == (expect < 0 ? 0.0 : 1.0));
                }
            }
        }
    }
}

TEST_CASE("simulate draws an AR(1) row after row, from the simulated previous row") {
    Bound b = bind_model(ar1_model, ar1_csv(4000, 2, 0.6, 1, 11));
    const auto r = mlec::fit(*b.problem);
    REQUIRE(r.converged);
    const double phi = parameter(r, "phi").estimate;
    mlec::Diagnostics ds;
    const auto a = mlec::simulate_csv(*b.problem, r, 5, ds);
    REQUIRE(a);
    CHECK(*a == *mlec::simulate_csv(*b.problem, r, 5, ds));
    const std::vector<double> y = column_of(*a);
    REQUIRE(y.size() == 4000);
    // The sample autocorrelation of 4,000 rows of an AR(1) has sd about
    // sqrt((1 - phi^2) / n) = 0.013; drawn from the observed lags instead,
    // the draws' autocorrelation would be phi^3 + ... = about 0.35.
    CHECK(std::abs(lag1_autocorrelation(y) - phi) < 0.05);
    // Refitted, the simulated data give back the fit's parameters.
    Bound again = bind_model(ar1_model, *a);
    const auto r2 = mlec::fit(*again.problem);
    REQUIRE(r2.converged);
    CHECK(std::abs(parameter(r2, "phi").estimate - phi) < 4 * *parameter(r, "phi").std_error);
    CHECK(std::abs(parameter(r2, "mu").estimate - parameter(r, "mu").estimate) < 4 * *parameter(r, "mu").std_error);
}

TEST_CASE("the bootstrap of an AR(1) draws its replicates row after row") {
    Bound b = bind_model(ar1_model, ar1_csv(400, 0, 0.5, 1, 12));
    mlec::FitOptions o;
    o.bootstrap = 200;
    o.seed = 3;
    const auto r = mlec::fit(*b.problem, o);
    REQUIRE(r.bootstrap_replicates >= 190);
    // The bootstrap SE of phi estimates the same spread as the observed
    // information's SE (about 0.043); 200 replicates: 5% noise.
    const auto& phi = parameter(r, "phi");
    CHECK(*phi.boot_se == Approx(*phi.std_error).epsilon(0.2));
}

TEST_CASE("predict is one step ahead: the mean given the new data's previous row") {
    Bound b = bind_model(ar1_model, ar1_csv(300, 1, 0.4, 0.5, 13));
    const auto r = mlec::fit(*b.problem);
    REQUIRE(r.converged);
    mlec::Diagnostics ds;
    auto newdata = mlec::Data::from_csv_text("y\n3\n-1\n0.5\n", "new.csv", ds);
    REQUIRE(newdata);
    const auto out = mlec::predict_csv(*b.problem, r, *newdata, ds);
    REQUIRE(out);
    std::istringstream in(*out);
    std::string line;
    std::getline(in, line);
    REQUIRE(line.rfind("row,y_expected,", 0) == 0);
    const double mu = parameter(r, "mu").estimate, phi = parameter(r, "phi").estimate;
    const double expect[] = {mu, mu + phi * (3 - mu), mu + phi * (-1 - mu)};
    for (double e : expect) {
        REQUIRE(std::getline(in, line));
        const std::size_t comma = line.find(',');
        CHECK(std::stod(line.substr(comma + 1, line.find(',', comma + 1) - comma - 1)) == Approx(e).epsilon(1e-12));
    }
}

TEST_CASE("profile intervals and compare work on lag models") {
    Bound b = bind_model(ar1_model, ar1_csv(300, 1, 0.7, 1, 14));
    mlec::FitOptions o;
    o.ci = mlec::CiMethod::profile;
    const auto r1 = mlec::fit(*b.problem, o);
    REQUIRE(r1.converged);
    const auto& phi = parameter(r1, "phi");
    REQUIRE(phi.ci_lower);
    CHECK(*phi.ci_lower < phi.estimate);
    CHECK(*phi.ci_upper > phi.estimate);
    // The AR(2) nests the AR(1) (phi2 = 0): its log-likelihood is at least as high.
    Bound b2 = bind_model(
        "param phi1, phi2\nparam sigma > 0\n"
        "g0 = sigma^2 * (1 - phi2) / ((1 + phi2) * ((1 - phi2)^2 - phi1^2))\n"
        "r1 = phi1 / (1 - phi2)\n"
        "y ~ normal(lag_exists(y, 2) ? mu + phi1*(lag(y) - mu) + phi2*(lag(y, 2) - mu)\n"
        "           : lag_exists(y) ? mu + r1*(lag(y) - mu) : mu,\n"
        "           lag_exists(y, 2) ? sigma : lag_exists(y) ? sqrt(g0 * (1 - r1^2)) : sqrt(g0))\n",
        ar1_csv(300, 1, 0.7, 1, 14));
    const auto r2 = mlec::fit(*b2.problem);
    REQUIRE(r2.converged);
    CHECK(r2.log_likelihood >= r1.log_likelihood - 1e-9);
    mlec::Diagnostics ds;
    const auto c = mlec::compare({r1, r2}, {b.problem->outcomes(), b2.problem->outcomes()}, ds);
    INFO(mlec::format(ds));
    REQUIRE(c);
}

TEST_CASE("a lag of a column with a missing value, rows dropped, is an error where it is used") {
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text("y ~ normal(lag_exists(y) ? a + b*lag(x) : a, 1)\n", "m.mle", ds);
    auto data = mlec::Data::from_csv_text("x,y\n1,0.5\nNA,0.7\n2,0.1\n3,0.4\n", "d.csv", ds);
    REQUIRE(model);
    REQUIRE(data);
    mlec::BindOptions o;
    o.drop_missing = true;
    // Row 2 (x missing) is left out of the fit only if x is used on it: here
    // x is used only through lag(x), so row 2 stays, and row 3 reads the
    // missing x of row 2.
    auto p = mlec::Problem::bind(*model, *data, ds, o);
    REQUIRE_FALSE(p);
    REQUIRE(ds.size() == 1);
    CHECK_THAT(ds[0].message, Catch::Contains("row 3 of d.csv: lag(x, 1) has no value in this row") &&
                                  Catch::Contains("the value of 'x' 1 row before it is missing"));
}
