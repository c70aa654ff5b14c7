// `report` quantities (checker.hpp): a function of the parameters whose
// value and standard error the report shows, after the parameters'.
#include "interpreter/checker.hpp"

namespace mlec::interp::check {

namespace {

// "name[2]", "name[1,2]": an entry of a reported vector or matrix.
std::string entry_name(const std::string& base, const Value& v, std::size_t i) {
    if (v.shape == Shape::matrix)
        return base + "[" + std::to_string(static_cast<int>(i) / v.cols + 1) + "," +
               std::to_string(static_cast<int>(i) % v.cols + 1) + "]";
    return base + "[" + std::to_string(i + 1) + "]";
}

}  // namespace

void Checker::visit(const ast::Statement&, const ast::Report& r) {
    check_not_builtin(r.name, r.name_span, "the name of a reported quantity");
    const bool parameter = declared_.count(r.name) || params_.count(r.name);
    const bool column = columns_.usable_column(r.name).has_value();
    const bool local = locals_.value(r.name) != nullptr;
    const bool random = randoms_.count(r.name) > 0;
    if (column || parameter || local || random || reported_.count(r.name))
        fail(r.name_span, "'" + r.name + "' already names a " +
                              std::string(column      ? "column"
                                          : parameter ? "parameter"
                                          : local     ? "local"
                                          : random    ? "random effect"
                                                      : "reported quantity") +
                              "; give the reported quantity another name");
    const Value v = expression(r.value);
    for (int n : v.nodes)
        if (!out_.graph.node(n).row_invariant)
            fail(r.value.span,
                 "a reported quantity must depend on parameters only, but this depends on "
                 "the data; report a summary of parameters, such as exp(b1)");
    reported_.insert(r.name);
    for (std::size_t i = 0; i < v.nodes.size(); ++i) {
        Estimand e;
        e.name = v.is_scalar() ? r.name : entry_name(r.name, v, i);
        e.node = v.nodes[i];
        e.derived = true;
        reports_.push_back(std::move(e));
    }
}

}  // namespace mlec::interp::check
