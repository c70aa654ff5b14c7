// Previous rows (docs/language.md, "Previous rows"): lag(x), lag(x, k),
// lag(x, k, g) and lag_exists(...) name columns the file does not have,
// computed at binding from a column's earlier rows in the file's order
// (problem/previous_rows). Here they are checked as written and given
// their graph columns; whether a row without a previous row uses its lag
// is known only with the data, and is checked at binding.
#include <cmath>

#include "interpreter/checker.hpp"

namespace mlec::interp::check {

// The name of the data column `arg` must be (x or g of lag(x, k, g)); a
// positioned error saying what it is otherwise.
std::string Checker::lagged_column(const ast::Expr& arg, const std::string& what) {
    const auto* name = std::get_if<ast::Name>(&arg.node);
    if (!name) fail(arg.span, what + " must be a data column, written as its name");
    const std::string& n = name->name;
    if (locals_.value(n) || locals_.definition(n))
        fail(arg.span, what + " must be a data column; '" + n + "' is a local (lag reads the data's rows, not a " +
                           "local's values: write lag of the columns it uses)");
    if (columns_.header_index(n)) {
        columns_.require_listed(n, arg.span);
        return n;
    }
    if (declared_.count(n)) fail(arg.span, what + " must be a data column; '" + n + "' is a parameter");
    std::string message = what + " must be a data column; '" + n + "' is not a column of " + columns_.data_name();
    if (auto guess = closest(n, columns_.header())) message += "; did you mean '" + *guess + "'?";
    fail(arg.span, message);
}

// lag(x), lag(x, k), lag(x, k, g): x's value k rows earlier (in the rows
// of the same level of g); NaN on a row with fewer than k earlier rows.
// lag_exists(...) with the same arguments: 1 where that row exists, else 0.
Value Checker::previous_rows(const ast::Expr& e, const ast::Call& c) {
    const bool exists = c.callee == "lag_exists";
    if (c.args.empty() || c.args.size() > 3)
        fail(e.span, c.callee + " takes 1 to 3 arguments (a column, how many rows back, a grouping column), as in " +
                         c.callee + "(y), " + c.callee + "(y, 2) or " + c.callee + "(y, 1, series); " +
                         std::to_string(c.args.size()) + (c.args.size() == 1 ? " was" : " were") + " given");
    const std::string x = lagged_column(c.args[0], c.callee + "'s first argument");
    ColumnInfo::Lag lag;
    lag.exists = exists;
    lag.source = out_.graph.node(columns_.numeric_column(x, *columns_.header_index(x), c.args[0].span)).column;
    std::string name = c.callee + "(" + x;
    if (c.args.size() >= 2) {
        const ast::Expr& k_arg = c.args[1];
        const Value v = expression(k_arg);
        const rt::Node* node = v.is_scalar() ? &out_.graph.node(v.node()) : nullptr;
        if (!node || node->kind != rt::NodeKind::constant || !(node->constant >= 1) ||
            node->constant != std::floor(node->constant) || node->constant > 1e9)
            fail(k_arg.span, c.callee + "'s second argument, how many rows back, must be a positive whole number " +
                                 "written as a constant, as in " + c.callee + "(" + x + ", 2)");
        lag.k = static_cast<int>(node->constant);
    }
    name += ", " + std::to_string(lag.k);
    if (c.args.size() == 3) {
        const ast::Expr& g_arg = c.args[2];
        const std::string g = lagged_column(g_arg, c.callee + "'s third argument, the grouping column,");
        lag.group = out_.graph.node(columns_.categorical_column(g, *columns_.header_index(g), g_arg.span)).column;
        name += ", " + g;
    }
    name += ")";
    return Value::scalar(columns_.lag_column(name, lag, e.span));
}

}  // namespace mlec::interp::check
