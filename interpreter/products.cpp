#include "interpreter/products.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <type_traits>
#include <variant>

namespace mlec::interp {

namespace {

class ProductWalker {
public:
    explicit ProductWalker(const std::function<bool(const std::string&)>& is_parameter) : is_parameter_(is_parameter) {}

    ProductUses take() { return std::move(uses_); }

    void walk(const ast::Expr& e) {
        if (is_chain(e)) {
            Product p{e.span, {}, {}};
            collect_factors(e, 1, p);
            if (p.parameters.size() + p.others.size() >= 2) uses_.products.push_back(p);
            else if (!p.parameters.empty())  // -a alone: not a product
                uses_.fixed.insert(p.parameters.front().name);
            for (const ast::Expr* other : p.others) walk(*other);
            return;
        }
        std::visit(
            [&](const auto& n) {
                using T = std::decay_t<decltype(n)>;
                if constexpr (std::is_same_v<T, ast::Name>) {
                    if (is_parameter_(n.name)) uses_.fixed.insert(n.name);
                } else if constexpr (std::is_same_v<T, ast::Binary>) {
                    walk(*n.lhs);
                    walk(*n.rhs);
                } else if constexpr (std::is_same_v<T, ast::Call>) {
                    for (const ast::Expr& a : n.args) walk(a);
                } else if constexpr (std::is_same_v<T, ast::Index>) {
                    if (is_parameter_(n.name)) uses_.fixed.insert(n.name);
                    for (const ast::Expr& a : n.indices) walk(a);
                } else if constexpr (std::is_same_v<T, ast::VectorLiteral>) {
                    for (const ast::Expr& a : n.elements) walk(a);
                }
            },
            e.node);
    }

private:
    static bool is_chain(const ast::Expr& e) {
        if (std::holds_alternative<ast::Negate>(e.node)) return true;
        const auto* b = std::get_if<ast::Binary>(&e.node);
        return b && (b->op == ast::BinaryOp::mul || b->op == ast::BinaryOp::div);
    }

    // The factors of a chain of '*', '/' and unary '-', each with its power.
    void collect_factors(const ast::Expr& e, int power, Product& p) {
        if (const auto* neg = std::get_if<ast::Negate>(&e.node)) {
            collect_factors(*neg->operand, power, p);
            return;
        }
        if (const auto* b = std::get_if<ast::Binary>(&e.node);
            b && (b->op == ast::BinaryOp::mul || b->op == ast::BinaryOp::div)) {
            collect_factors(*b->lhs, power, p);
            collect_factors(*b->rhs, b->op == ast::BinaryOp::div ? -power : power, p);
            return;
        }
        if (const auto* name = std::get_if<ast::Name>(&e.node); name && is_parameter_(name->name)) {
            p.parameters.push_back(Factor{name->name, e.span, power});
            return;
        }
        p.others.push_back(&e);
    }

    const std::function<bool(const std::string&)>& is_parameter_;
    ProductUses uses_;
};

// Beyond this many unknowns left after propagation, the dense elimination
// below would be slow; such a model is generated, and the check is skipped
// (the fit's own test of the Hessian still reports what is not identified).
constexpr std::size_t max_unknowns = 500;

}  // namespace

ProductUses product_uses(const ast::Model& model, const std::function<bool(const std::string&)>& is_parameter) {
    ProductWalker walker(is_parameter);
    for (const ast::Statement& s : model.statements) {
        if (const auto* sample = std::get_if<ast::Sample>(&s.node)) {
            walker.walk(sample->outcome);
            walker.walk(sample->distribution);
            if (sample->truncation && sample->truncation->lower) walker.walk(*sample->truncation->lower);
            if (sample->truncation && sample->truncation->upper) walker.walk(*sample->truncation->upper);
        } else if (const auto* assign = std::get_if<ast::Assign>(&s.node)) {
            walker.walk(assign->value);
        } else if (const auto* target = std::get_if<ast::TargetAdd>(&s.node)) {
            walker.walk(target->value);
        }
    }
    return walker.take();
}

namespace {

// The net power of each parameter of `p` whose scale is not yet forced.
std::map<std::string, int> open_powers(const Product& p, const std::set<std::string>& forced) {
    std::map<std::string, int> net;
    for (const Factor& f : p.parameters)
        if (!forced.count(f.name)) net[f.name] += f.power;
    std::erase_if(net, [](const auto& entry) { return entry.second == 0; });
    return net;
}

// The fixed parameters and, repeatedly, the one open parameter of a
// product whose others are all forced (b1 in b1*x1): what a linear
// predictor reduces to without any elimination.
std::set<std::string> forced_by_propagation(const ProductUses& uses) {
    std::set<std::string> forced = uses.fixed;
    for (bool changed = true; changed;) {
        changed = false;
        for (const Product& p : uses.products) {
            const std::map<std::string, int> open = open_powers(p, forced);
            if (open.size() == 1) changed = forced.insert(open.begin()->first).second || changed;
        }
    }
    return forced;
}

// Which unknowns can be non-zero in some solution of rows * v = 0 (n
// unknowns): those of the free columns of the reduced row echelon form,
// and the pivots whose rows involve a free column. The entries are small
// integers and their ratios, so a fixed tolerance separates zero from not.
std::vector<bool> unforced_unknowns(std::vector<std::vector<double>> rows, std::size_t n) {
    constexpr double tiny = 1e-9;
    std::vector<std::size_t> pivot_column;
    std::vector<bool> is_pivot(n, false);
    for (std::size_t c = 0; c < n && pivot_column.size() < rows.size(); ++c) {
        const std::size_t rank = pivot_column.size();
        std::size_t best = rank;
        for (std::size_t r = rank; r < rows.size(); ++r)
            if (std::abs(rows[r][c]) > std::abs(rows[best][c])) best = r;
        if (std::abs(rows[best][c]) <= tiny) continue;
        std::swap(rows[rank], rows[best]);
        const double lead = rows[rank][c];
        for (double& v : rows[rank]) v /= lead;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            if (r == rank || std::abs(rows[r][c]) <= tiny) continue;
            const double k = rows[r][c];
            for (std::size_t j = 0; j < n; ++j) rows[r][j] -= k * rows[rank][j];
        }
        pivot_column.push_back(c);
        is_pivot[c] = true;
    }
    std::vector<bool> unforced(n);
    for (std::size_t c = 0; c < n; ++c) unforced[c] = !is_pivot[c];
    for (std::size_t r = 0; r < pivot_column.size(); ++r)
        for (std::size_t c = 0; c < n; ++c)
            if (!is_pivot[c] && std::abs(rows[r][c]) > tiny) unforced[pivot_column[r]] = true;
    return unforced;
}

}  // namespace

std::set<std::string> scale_free(const ProductUses& uses) {
    // The unknowns: log-scales of the parameters not forced to 0 already.
    const std::set<std::string> forced = forced_by_propagation(uses);
    std::map<std::string, std::size_t> column;
    std::vector<std::string> names;
    for (const Product& p : uses.products)
        for (const Factor& f : p.parameters)
            if (!forced.count(f.name) && column.try_emplace(f.name, names.size()).second) names.push_back(f.name);
    const std::size_t n = names.size();
    if (n == 0 || n > max_unknowns) return {};
    // One equation per product: the powers times the log-scales sum to 0.
    std::vector<std::vector<double>> rows;
    for (const Product& p : uses.products) {
        std::vector<double> row(n, 0.0);
        for (const Factor& f : p.parameters)
            if (auto it = column.find(f.name); it != column.end()) row[it->second] += f.power;
        if (std::any_of(row.begin(), row.end(), [](double v) { return v != 0; })) rows.push_back(std::move(row));
    }
    const std::vector<bool> unforced = unforced_unknowns(std::move(rows), n);
    std::set<std::string> out;
    for (std::size_t c = 0; c < n; ++c)
        if (unforced[c]) out.insert(names[c]);
    return out;
}

}  // namespace mlec::interp
