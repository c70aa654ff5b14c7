// A model bound to CSV text, for tests of the public API: the Model and
// Data the Problem refers to live beside it.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "mlec/mlec.hpp"

namespace mlec::test {

struct Bound {
    std::optional<mlec::Model> model;
    std::optional<mlec::Data> data;
    std::optional<mlec::Problem> problem;
};

inline Bound bind_model(const std::string& model_text, const std::string& csv, const mlec::BindOptions& options = {}) {
    Bound b;
    mlec::Diagnostics ds;
    b.model = mlec::Model::from_text(model_text, "m.mle", ds);
    b.data = mlec::Data::from_csv_text(csv, "d.csv", ds);
    REQUIRE(b.model);
    REQUIRE(b.data);
    b.problem = mlec::Problem::bind(*b.model, *b.data, ds, options);
    INFO(mlec::format(ds));
    REQUIRE(b.problem);
    return b;
}

// The fit's estimate of the parameter entry `name`; fails the test when
// the fit has none.
inline const mlec::ParameterEstimate& estimate(const mlec::FitResult& r, const std::string& name) {
    const auto it = std::find_if(r.parameters.begin(), r.parameters.end(),
                                 [&](const mlec::ParameterEstimate& p) { return p.name == name; });
    REQUIRE(it != r.parameters.end());
    return *it;
}

}  // namespace mlec::test
