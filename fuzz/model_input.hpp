// What the fuzz target that takes a model text (fuzz_model) does with one
// input, shared with tests/test_fuzz_corpus.cpp, which replays its corpus
// in the ordinary builds: the small fixed table every model is bound to and
// one evaluation at the start values.
#pragma once

#include <optional>
#include <string>

#include "mlec/mlec.hpp"

namespace mlec::fuzz {

// Every kind of column a model may ask for: real covariates (x, z), an
// outcome that suits normal, bernoulli and poisson alike (y), counts and
// trial numbers (k, n), a positive value (t), a proportion (p), and text
// and integer group columns (g, h).
inline constexpr const char* table_csv =
    "x,z,y,k,n,t,p,g,h\n"
    "0.5,1.5,1,3,5,0.7,0.2,a,1\n"
    "-1.2,0.3,0,1,4,2.5,0.9,b,2\n"
    "2.0,-0.7,1,4,6,1.1,0.5,a,3\n"
    "0.1,2.2,0,0,3,0.2,0.4,c,1\n"
    "-0.4,-1.9,1,2,2,3.4,0.6,b,2\n"
    "1.3,0.8,0,5,7,0.9,0.1,c,3\n";

inline const Data& table() {
    static const Data data = [] {
        Diagnostics ds;
        return std::move(*Data::from_csv_text(table_csv, "table.csv", ds));
    }();
    return data;
}

// `model` bound to the table on one thread (the Problem keeps a pointer to
// the Model, which must outlive it).
inline std::optional<Problem> bind(const Model& model, Diagnostics& ds, bool drop_missing) {
    BindOptions options;
    options.threads = 1;
    options.drop_missing = drop_missing;
    return Problem::bind(model, table(), ds, options);
}

// fuzz_model: the NLL with its derivatives, once, at the start values.
inline void evaluate_at_start(const Problem& problem) {
    const Eigen::VectorXd theta = problem.start();
    Eigen::VectorXd gradient(theta.size());
    (void)problem.nll(theta);
    // The Hessian is dimension^2: only for the sizes Newton's method uses.
    if (problem.dimension() <= 50) {
        Eigen::MatrixXd hessian(theta.size(), theta.size());
        (void)problem.nll_gradient_hessian(theta, gradient, hessian);
    } else if (problem.dimension() <= 100000) {
        (void)problem.nll_gradient(theta, gradient);
    }
    (void)problem.to_user_scale(theta);
    (void)format(problem.warnings());
}

}  // namespace mlec::fuzz
