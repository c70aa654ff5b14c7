// libFuzzer target: the CSV reader. Every input is read as a CSV file twice:
// through the runtime reader directly (every column loaded as numbers, on
// one thread and on three, missing cells as errors and as NaN, the first
// column as categories, and a positioned error for a cell) and through the
// public API, bound to fixed models over the columns x, y and g when the
// header has them. Whatever comes back must be values: a crash, a
// sanitizer report, a leak or a hang is a bug.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "data/csv.hpp"
#include "mlec/mlec.hpp"

namespace {

// The models cover a numeric outcome and covariate, a 0/1 outcome and a
// group column read as categories.
constexpr const char* model_texts[] = {
    "y ~ normal(mu + b*x, sigma)\n",
    "y ~ bernoulli(sigmoid(a + b*x))\n",
    "param u[g]\ny ~ poisson(exp(u[g]))\n",
};

const std::vector<mlec::Model>& models() {
    static const std::vector<mlec::Model> all = [] {
        std::vector<mlec::Model> out;
        for (const char* text : model_texts) {
            mlec::Diagnostics ds;
            out.push_back(std::move(*mlec::Model::from_text(text, "fixed.mle", ds)));
        }
        return out;
    }();
    return all;
}

void read_directly(const std::string& text) {
    mlec::Diagnostics ds;
    auto csv = mlec::data::CsvFile::from_text(text, "fuzz.csv", ds);
    if (!csv) return;
    std::vector<int> all(csv->header().size());
    std::iota(all.begin(), all.end(), 0);
    for (const bool missing_as_nan : {false, true}) {
        auto one = csv->load(all, ds, missing_as_nan, 1);
        auto three = csv->load(all, ds, missing_as_nan, 3);
        // The thread count must not change the values or the error.
        if (one.has_value() != three.has_value()) std::abort();
        if (one) {
            for (std::size_t c = 0; c < one->size(); ++c)
                for (std::size_t r = 0; r < (*one)[c].size(); ++r) {
                    const double a = (*one)[c][r], b = (*three)[c][r];
                    if (!(a == b || (std::isnan(a) && std::isnan(b)))) std::abort();
                }
            if (csv->rows() > 0) (void)mlec::format(csv->field_error(csv->rows() - 1, 0, "checked"));
        }
    }
    (void)csv->load_categories(0, ds, false);
    (void)csv->load_categories(0, ds, true);
    (void)mlec::format(ds);
}

void read_through_api(const std::string& text) {
    mlec::Diagnostics ds;
    auto data = mlec::Data::from_csv_text(text, "fuzz.csv", ds);
    if (!data) return;
    mlec::BindOptions options;
    options.threads = 1;
    for (const mlec::Model& model : models()) {
        for (const bool drop : {false, true}) {
            options.drop_missing = drop;
            if (auto problem = mlec::Problem::bind(model, *data, ds, options)) {
                const Eigen::VectorXd theta = problem->start();
                Eigen::VectorXd gradient(theta.size());
                (void)problem->nll_gradient(theta, gradient);
            }
        }
    }
    (void)mlec::format(ds);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(bytes), size);
    read_directly(text);
    read_through_api(text);
    return 0;
}
