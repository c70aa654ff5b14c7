// Free names that are mistyped columns, and declared parameters that look
// like columns (checker.hpp).
#include <algorithm>
#include <tuple>
#include <type_traits>

#include "interpreter/checker.hpp"

namespace mlec::interp::check {

namespace {

// "declare it with 'param x3' if it is a parameter"
std::string declare_advice(const std::vector<std::string>& names) {
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    return names.size() == 1 ? "declare it with 'param " + list + "' if it is a parameter"
                             : "declare them with 'param " + list + "' if they are parameters";
}

std::string quoted_list(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i)
        out += (i == 0 ? "'" : i + 1 == names.size() ? " and '" : ", '") + names[i] + "'";
    return out;
}

}  // namespace

// An undeclared name that is not a column becomes a parameter; when it is
// really a mistyped column, the fit would still converge and report it.
// So a free name is an error, in this order, when:
//   1. the data cannot tell it apart from another parameter it multiplies
//      (products.hpp: b1*x3 with neither elsewhere);
//   2. it looks like a column (suggest.hpp's looks_like_column: x3 beside
//      x1, x2; hieght beside height);
//   3. with a `data` statement, it is used like a column: multiplied by
//      something that depends on parameters but not on data, and never
//      multiplied by data alone as a coefficient is.
// A name declared with `param` is a parameter by the user's word.
void Checker::check_free_names() {
    const ProductUses uses = product_uses(model_, [this](const std::string& n) { return params_.count(n) > 0; });
    const std::set<std::string> inseparable = scale_free(uses);
    for (const ParameterInfo& p : out_.parameters) {
        if (p.declared) continue;
        if (inseparable.count(p.name)) fail_inseparable(p.name, uses, inseparable);
        if (auto like = looks_like_column(p.name, columns_.header()))
            fail(p.first_use, not_a_column(p.name, *like) + "; correct the name, or " + declare_advice({p.name}));
        if (columns_.listed_only()) check_not_used_like_column(p.name, uses);
    }
}

void Checker::fail_inseparable(const std::string& name, const ProductUses& uses,
                               const std::set<std::string>& inseparable) {
    // The first product that shows it, with its inseparable factors.
    for (const Product& p : uses.products) {
        std::vector<const Factor*> factors;
        for (const Factor& f : p.parameters) {
            const bool seen =
                std::any_of(factors.begin(), factors.end(), [&](const Factor* g) { return g->name == f.name; });
            if (inseparable.count(f.name) && !seen) factors.push_back(&f);
        }
        const bool shows =
            std::any_of(factors.begin(), factors.end(), [&](const Factor* f) { return f->name == name; });
        if (shows && factors.size() >= 2) fail_inseparable_in(p, factors);
    }
    fail(first_use_of(name), "the data cannot tell '" + name + "' apart from other parameters");
}

// Led by the factor that looks like a column, if one does: the likely
// cause is a typo, and the caret goes under it.
void Checker::fail_inseparable_in(const Product& p, const std::vector<const Factor*>& factors) {
    std::vector<std::string> names, undeclared;
    for (const Factor* f : factors) {
        names.push_back(f->name);
        if (!declared_.count(f->name)) undeclared.push_back(f->name);
    }
    // (Built with append: GCC 12 gives a false -Wrestrict on "literal" + string&&.)
    const std::string product = std::string("'").append(excerpt(p.span)).append("'");
    for (const Factor* f : factors) {
        auto like = declared_.count(f->name) ? std::nullopt : looks_like_column(f->name, columns_.header());
        if (!like) continue;
        std::vector<std::string> others;
        for (const std::string& n : names)
            if (n != f->name) others.push_back(n);
        fail(f->span, not_a_column(f->name, *like) + ", and as a parameter the data could not tell it apart from " +
                          quoted_list(others) + " in " + product + "; correct the name, or " +
                          declare_advice(undeclared));
    }
    fail(p.span, "in " + product + ", the data cannot tell " + quoted_list(names) +
                     " apart: rescaling them together leaves the likelihood unchanged; use one parameter for the "
                     "product, or " +
                     declare_advice(undeclared));
}

std::string Checker::not_a_column(const std::string& name, const ColumnLikeness& like) const {
    return "'" + name + "' is not a column of " + columns_.data_name() + " but looks like its " + describe(like);
}

// Rule 3 of check_free_names, for a model with a `data` statement.
void Checker::check_not_used_like_column(const std::string& name, const ProductUses& uses) {
    std::optional<std::pair<Span, Span>> like_column;  // (the name, its product)
    for (const Product& p : uses.products) {
        for (std::size_t i = 0; i < p.parameters.size(); ++i) {
            if (p.parameters[i].name != name) continue;
            Involvement others;  // of the other factors: parameters (or the name again) and the rest
            others.parameters = p.parameters.size() > 1;
            for (const ast::Expr* e : p.others) others.add(involvement(*e));
            if (others.data && !others.parameters) return;  // a coefficient of data
            if (others.parameters && !others.data && !like_column) like_column = {{p.parameters[i].span, p.span}};
        }
    }
    if (!like_column) return;
    fail(like_column->first, "'" + name +
                                 "' is not listed in 'data', so it is a parameter, but it is used like a "
                                 "column: in '" +
                                 excerpt(like_column->second) +
                                 "' it multiplies a term with parameters; correct the name if you meant a column, or " +
                                 declare_advice({name}));
}

Checker::Involvement Checker::involvement(const ast::Expr& e) const {
    Involvement out;
    auto name = [&](const std::string& n) {
        if (const Value* local = locals_.value(n)) {
            for (int node : local->nodes) {
                out.parameters = out.parameters || !out_.graph.node(node).deps.empty();
                out.data = out.data || !out_.graph.node(node).row_invariant;
            }
        } else if (columns_.usable_column(n)) {
            out.data = true;
        } else if (params_.count(n)) {
            out.parameters = true;
        }
    };
    std::visit(
        [&](const auto& n) {
            using T = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<T, ast::Name>) {
                name(n.name);
            } else if constexpr (std::is_same_v<T, ast::Negate>) {
                out.add(involvement(*n.operand));
            } else if constexpr (std::is_same_v<T, ast::Binary>) {
                out.add(involvement(*n.lhs));
                out.add(involvement(*n.rhs));
            } else if constexpr (std::is_same_v<T, ast::Call>) {
                for (const auto& a : n.args) out.add(involvement(a));
            } else if constexpr (std::is_same_v<T, ast::Index>) {
                name(n.name);
                for (const auto& a : n.indices) out.add(involvement(a));
            } else if constexpr (std::is_same_v<T, ast::VectorLiteral>) {
                for (const auto& a : n.elements) out.add(involvement(a));
            }
        },
        e.node);
    return out;
}

// A declared parameter is a parameter by the user's word; one that looks
// like a column still gets a warning.
void Checker::column_warnings() {
    // (a plain loop, not std::views::keys: clang 14, which builds the
    // fuzz targets, cannot compile libstdc++ 12's views over a map)
    for (const auto& entry : declared_) {
        const std::string& name = entry.first;
        if (!params_.count(name)) continue;
        auto like = looks_like_column(name, columns_.header());
        if (!like) continue;
        out_.warnings.push_back(source_.diagnostic(entry.second->name_span,
                                                   "parameter '" + name + "' looks like " + describe(*like) + " of " +
                                                       columns_.data_name() + "; if you meant " +
                                                       (like->numbered ? "a" : "the") + " column, correct the name",
                                                   Category::model, Severity::warning));
    }
    std::sort(out_.warnings.begin(), out_.warnings.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
}

Span Checker::first_use_of(const std::string& name) const {
    for (const ParameterInfo& p : out_.parameters)
        if (p.name == name) return p.first_use;
    return Span{};
}

}  // namespace mlec::interp::check
