// What the interpreter makes of a parsed model once it knows the data's
// column names: every name resolved (column, parameter, local, built-in),
// the numerically stable forms chosen, and the whole model lowered into one
// expression graph whose terms sum to the log-likelihood.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "grammar/ast.hpp"
#include "grammar/source_text.hpp"
#include "mlec/diagnostic.hpp"
#include "runtime/bounds.hpp"
#include "runtime/distributions.hpp"
#include "runtime/graph.hpp"

namespace mlec::interp {

struct ParameterInfo {
    std::string name;
    Span first_use;           // where the name first appears (declaration or use)
    bool declared = false;    // `param` statement, or an implicit free name
    rt::Bounds bounds;        // on the user's scale
    std::string implied_by;   // non-empty when the bounds were implied by use, e.g. "normal's sigma"
    double start = 0;         // user scale
    int raw_node = -1;        // graph node of the unconstrained value theta[i]
    int user_node = -1;       // graph node of the user-scale value
};

struct ColumnInfo {
    std::string name;
    int csv_index = -1;  // index into the CSV header
    Span first_use;
};

// One term of the log-likelihood: a sampling statement or `target +=`.
struct TermInfo {
    Span span;                                       // the statement
    std::string text;                                // the statement's source text
    const rt::DistributionDef* distribution = nullptr;  // null for `target +=`
    std::string written;  // the distribution as the user wrote it (before a stable-form rewrite)
    int node = -1;                                   // graph node of the per-row log density
    std::vector<int> input_nodes;                    // outcome then arguments (distribution terms)
    std::vector<Span> input_spans;                   // their source spans
};

struct CheckedModel {
    rt::Graph graph;
    std::vector<ParameterInfo> parameters;  // index = position in theta
    std::vector<ColumnInfo> columns;        // index = graph data column
    std::vector<TermInfo> terms;            // same order as graph.terms()
    Diagnostics warnings;                   // e.g. a parameter one edit away from a column
    std::vector<std::string> notes;         // rewrites to stable forms, implied bounds
};

struct CheckResult {
    std::optional<CheckedModel> model;
    Diagnostics diagnostics;  // errors (model is empty) or nothing
};

// `header` is the data's column names; `data_name` is how diagnostics name
// the data file.
CheckResult check_model(const SourceText& source, const ast::Model& model,
                        std::span<const std::string> header, const std::string& data_name);

}  // namespace mlec::interp
