// libFuzzer target: the model parser and checker. Every input is parsed as a
// model; one that parses is bound to a small fixed table (names, data and
// group columns resolved, the NLL compiled) and the NLL with its derivatives
// is evaluated once at the start values. Whatever comes back must be values:
// a crash, a sanitizer report, a leak or a hang is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mlec/mlec.hpp"

namespace {

// Every kind of column a model may ask for: real covariates (x, z), an
// outcome that suits normal, bernoulli and poisson alike (y), counts and
// trial numbers (k, n), a positive value (t), a proportion (p), and text
// and integer group columns (g, h).
constexpr const char* table_csv =
    "x,z,y,k,n,t,p,g,h\n"
    "0.5,1.5,1,3,5,0.7,0.2,a,1\n"
    "-1.2,0.3,0,1,4,2.5,0.9,b,2\n"
    "2.0,-0.7,1,4,6,1.1,0.5,a,3\n"
    "0.1,2.2,0,0,3,0.2,0.4,c,1\n"
    "-0.4,-1.9,1,2,2,3.4,0.6,b,2\n"
    "1.3,0.8,0,5,7,0.9,0.1,c,3\n";

const mlec::Data& table() {
    static const mlec::Data data = [] {
        mlec::Diagnostics ds;
        return std::move(*mlec::Data::from_csv_text(table_csv, "table.csv", ds));
    }();
    return data;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text(std::string(reinterpret_cast<const char*>(bytes), size), "fuzz.mle", ds);
    if (model) {
        mlec::BindOptions options;
        options.threads = 1;
        options.drop_missing = (size % 2) == 1;
        if (auto problem = mlec::Problem::bind(*model, table(), ds, options)) {
            const Eigen::VectorXd theta = problem->start();
            Eigen::VectorXd gradient(theta.size());
            (void)problem->nll(theta);
            // The Hessian is dimension^2: only for the sizes Newton's method uses.
            if (problem->dimension() <= 50) {
                Eigen::MatrixXd hessian(theta.size(), theta.size());
                (void)problem->nll_gradient_hessian(theta, gradient, hessian);
            } else if (problem->dimension() <= 100000) {
                (void)problem->nll_gradient(theta, gradient);
            }
            (void)problem->to_user_scale(theta);
            (void)mlec::format(problem->warnings());
        }
    }
    // Formatting must cope with whatever position and line came back.
    (void)mlec::format(ds);
    return 0;
}
