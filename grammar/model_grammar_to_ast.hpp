// The X3 syntax tree (model_grammar.hpp) turned into ast.hpp's plain tree,
// with the checks that need the whole tree: chains too long to walk, a
// misplaced '|', a simplex's size, conflicting bounds, numbers too large.
// Included only by model_grammar.cpp, the one translation unit that
// compiles X3 (this file needs the syntax tree's X3 types).
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "grammar/ast.hpp"
#include "grammar/model_grammar.hpp"
#include "grammar/syntax_errors.hpp"
#include "grammar/tokens.hpp"

namespace mlec::grammar {

// A chain `a + b + c ...` is a loop in the parser but a left-deep tree after
// it; its height bounds the recursion of everything that walks the tree.
inline constexpr int max_tree_height = 2048;

// The X3 syntax tree -> ast.hpp's tree. A returned expression carries the
// height of its tree so that chains too long to walk safely are refused.
class Converter {
public:
    explicit Converter(std::string_view text) : text_(text) {}

    std::optional<ParseError> error;

    ast::Model model(const syntax::Model& tree) {
        ast::Model out;
        for (const syntax::Statement& statement : tree) {
            out.statements.push_back(
                boost::apply_visitor([this](const auto& node) { return this->statement(node); }, statement));
            if (error) {
                break;
            }
        }
        return out;
    }

private:
    struct Tree {
        ast::Expr expr;
        int height = 1;
    };

    std::string_view text_;
    // The one call whose arguments may be labelled, while it is converted:
    // the distribution of a `random` statement (by_position).
    const syntax::Call* labelled_call_ = nullptr;

    std::uint32_t offset(const char* p) const { return to_offset(p - text_.data()); }
    Span span(const syntax::Located& node) const { return {offset(node.from), offset(node.to)}; }

    void fail(Span at, std::string message) {
        if (!error) {
            error = ParseError{at, std::move(message)};
        }
    }

    static ast::ExprPtr boxed(ast::Expr expr) { return std::make_unique<ast::Expr>(std::move(expr)); }

    Tree binary(ast::BinaryOp op, Tree lhs, Tree rhs) {
        Tree out;
        out.height = std::max(lhs.height, rhs.height) + 1;
        out.expr.span = {lhs.expr.span.begin, rhs.expr.span.end};
        if (out.height > max_tree_height) {
            fail(out.expr.span, "expression too long (more than " + std::to_string(max_tree_height) +
                                    " operations in a chain); split it into local definitions");
            return lhs;
        }
        out.expr.node = ast::Binary{op, boxed(std::move(lhs.expr)), boxed(std::move(rhs.expr))};
        return out;
    }

    // c ? a : b is ifelse(c, a, b): one construct, one lowering.
    Tree expression(const syntax::Expression& node) {
        Tree out = disjunction(node.condition);
        if (!node.branches || error) return out;
        const syntax::Branches& branches = node.branches->get();
        Tree conditional;
        conditional.expr.span = span(node);
        ast::Call call;
        call.callee = "ifelse";
        call.callee_span = conditional.expr.span;
        call.args.push_back(take(std::move(out), conditional.height));
        call.args.push_back(take(expression(branches.then), conditional.height));
        call.args.push_back(take(expression(branches.otherwise), conditional.height));
        conditional.expr.node = std::move(call);
        return conditional;
    }

    Tree disjunction(const syntax::Disjunction& node) {
        Tree out = conjunction(node.first);
        for (const syntax::Conjunction& next : node.rest) {
            if (error) break;
            out = binary(ast::BinaryOp::logical_or, std::move(out), conjunction(next));
        }
        return out;
    }

    Tree conjunction(const syntax::Conjunction& node) {
        Tree out = comparison(node.first);
        for (const syntax::Comparison& next : node.rest) {
            if (error) break;
            out = binary(ast::BinaryOp::logical_and, std::move(out), comparison(next));
        }
        return out;
    }

    // Comparisons do not associate: in R and C `a < b < c` is (a < b) < c,
    // which compares 0 or 1 with c, never what was meant.
    Tree comparison(const syntax::Comparison& node) {
        Tree out = sum(node.first);
        if (node.rest.empty() || error) return out;
        if (node.rest.size() > 1) {
            const syntax::CompareTail& second = node.rest[1];
            const std::uint32_t at = skip_blanks(text_, offset(second.from));
            fail(Span{at, to_offset(at + second.op.size())},
                 "comparisons do not chain: write 'a < b && b < c', or '(a < b) < c' to compare a 0/1 value");
            return out;
        }
        const syntax::CompareTail& tail = node.rest[0];
        return binary(compare_op(tail.op), std::move(out), sum(tail.operand));
    }

    static ast::BinaryOp compare_op(const std::string& op) {
        if (op == "==") return ast::BinaryOp::eq;
        if (op == "!=") return ast::BinaryOp::ne;
        if (op == "<") return ast::BinaryOp::lt;
        if (op == "<=") return ast::BinaryOp::le;
        if (op == ">") return ast::BinaryOp::gt;
        return ast::BinaryOp::ge;
    }

    Tree sum(const syntax::Sum& node) {
        Tree out = product(node.first);
        for (const syntax::SumTail& tail : node.rest) {
            if (error) break;
            out =
                binary(tail.op == '+' ? ast::BinaryOp::add : ast::BinaryOp::sub, std::move(out), product(tail.operand));
        }
        return out;
    }

    Tree product(const syntax::Product& node) {
        Tree out = unary(node.first);
        for (const syntax::ProductTail& tail : node.rest) {
            if (error) break;
            out = binary(tail.op == '*' ? ast::BinaryOp::mul : ast::BinaryOp::div, std::move(out), unary(tail.operand));
        }
        return out;
    }

    Tree unary(const syntax::Unary& node) {
        // The signs' offsets: the grammar keeps only their characters.
        std::vector<std::uint32_t> at;
        std::uint32_t cursor = offset(node.from);
        for (std::size_t k = 0; k < node.signs.size(); ++k) {
            cursor = skip_blanks(text_, cursor);
            at.push_back(cursor++);
        }
        Tree out = power(node.operand);
        for (std::size_t k = node.signs.size(); k-- > 0;) {
            if (node.signs[k] == '!') {
                // !x is a call of the operator "!" (ast.hpp).
                ast::Call call;
                call.callee = "!";
                call.callee_span = Span{at[k], at[k] + 1};
                ast::Expr negated;
                negated.span = out.expr.span;
                call.args.push_back(std::move(out.expr));
                negated.node = std::move(call);
                out.expr = std::move(negated);
                ++out.height;
            } else if (node.signs[k] == '-') {
                ast::Expr negated;
                negated.span = out.expr.span;
                negated.node = ast::Negate{boxed(std::move(out.expr))};
                out.expr = std::move(negated);
                ++out.height;
            }
            out.expr.span.begin = at[k];  // a dropped '+' still belongs to the span
        }
        return out;
    }

    Tree power(const syntax::Power& node) {
        Tree base = primary(node.base);
        if (!node.exponent) {
            base.expr.span = span(node);  // with the parentheses of a group
            return base;
        }
        Tree out = binary(ast::BinaryOp::pow, std::move(base), unary(node.exponent->get()));
        out.expr.span = span(node);
        return out;
    }

    Tree primary(const syntax::Primary& node) {
        return boost::apply_visitor([this](const auto& alternative) { return this->operand(alternative); }, node);
    }

    Tree operand(const syntax::Number& node) {
        Tree out;
        out.expr.span = span(node);
        const std::string& text = node.text;
        double value = 0;
        const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
        if (result.ec == std::errc::result_out_of_range) {
            value = std::strtod(text.c_str(), nullptr);  // underflow: 0 or a subnormal
        }
        if (!std::isfinite(value)) {
            fail(out.expr.span, "number " + quote(text) + " is too large for a double");
        }
        out.expr.node = ast::Number{value};
        return out;
    }

    Tree operand(const syntax::Name& node) {
        Tree out;
        out.expr.span = span(node);
        out.expr.node = ast::Name{node.text};
        return out;
    }

    Tree operand(const x3::forward_ast<syntax::Expression>& node) { return expression(node.get()); }

    Tree operand(const x3::forward_ast<syntax::Call>& node) { return call(node.get()); }

    Tree call(const syntax::Call& node) {
        Tree out;
        out.expr.span = span(node);
        ast::Call result;
        result.callee = node.callee.text;
        result.callee_span = span(node.callee);
        std::vector<const syntax::Name*> labels;  // per argument, nullptr when written by position
        if (node.arguments) {
            result.args.push_back(take(expression(node.arguments->first), out.height));
            labels.push_back(node.arguments->first_label ? &*node.arguments->first_label : nullptr);
            for (std::size_t k = 0; k < node.arguments->rest.size(); ++k) {
                const syntax::ArgumentTail& tail = node.arguments->rest[k];
                if (tail.separator == '|') {
                    if (k != 0) {
                        const std::uint32_t bar = offset(tail.from);
                        fail(Span{bar, bar + 1},
                             "'|' can only follow the first argument, as in "
                             "'normal_lpdf(y | mu, sigma)'");
                    }
                    result.conditional = true;
                }
                result.args.push_back(take(expression(tail.value), out.height));
                labels.push_back(tail.label ? &*tail.label : nullptr);
            }
        }
        if (std::any_of(labels.begin(), labels.end(), [](const syntax::Name* l) { return l != nullptr; }))
            result.args = by_position(node, std::move(result.args), labels);
        out.expr.node = std::move(result);
        return out;
    }

    // The arguments of a call with labels, `multi_normal(0, sd = [sa, sb],
    // corr = R)`, put in their positions: labels are read only in that call,
    // the distribution of a `random` statement (labelled_call_), and only
    // after the arguments written by position.
    std::vector<ast::Expr> by_position(const syntax::Call& node, std::vector<ast::Expr> args,
                                       const std::vector<const syntax::Name*>& labels) {
        static const std::vector<std::string> names{"mean", "sd", "corr"};
        const std::string example = "as in 'random (a, b)[g] ~ multi_normal(0, sd = [sa, sb], corr = R)'";
        const auto first = std::find_if(labels.begin(), labels.end(), [](const syntax::Name* l) { return l; });
        if (&node != labelled_call_ || node.callee.text != "multi_normal") {
            const std::string& label = (*first)->text;
            fail(span(**first), "'" + label + " = ...' labels an argument; only multi_normal of a 'random' " +
                                    "statement reads labels, " + example + "; write the arguments of " +
                                    quote(node.callee.text) + " by position, and a comparison as '" + label +
                                    " == ...'");
            return args;
        }
        std::vector<std::optional<ast::Expr>> slots(names.size());
        for (std::size_t i = 0; i < args.size(); ++i) {
            const syntax::Name* label = labels[i];
            if (!label && i > static_cast<std::size_t>(first - labels.begin())) {
                fail(args[i].span, "an argument written by position cannot follow a labelled one, " + example);
                return {};
            }
            const std::size_t at =
                label ? static_cast<std::size_t>(std::find(names.begin(), names.end(), label->text) - names.begin())
                      : i;
            if (at >= names.size()) {
                fail(label ? span(*label) : args[i].span,
                     label ? "multi_normal has no argument '" + label->text + "'; its arguments are mean, sd and corr"
                           : "multi_normal takes 3 arguments: mean, sd and corr");
                return {};
            }
            auto& slot = slots[at];
            if (slot) {
                fail(span(*label), "multi_normal's '" + label->text + "' is given twice");
                return {};
            }
            slot = std::move(args[i]);
        }
        std::vector<ast::Expr> out;
        for (std::size_t i = 0; i < slots.size(); ++i) {
            if (!slots[i]) {
                fail(span(node), "multi_normal's '" + names[i] + "' is missing, " + example);
                return {};
            }
            out.push_back(std::move(*slots[i]));
        }
        return out;
    }

    Tree operand(const x3::forward_ast<syntax::Index>& node) {
        const syntax::Index& index = node.get();
        Tree out;
        out.expr.span = span(index);
        ast::Index result;
        result.name = index.name.text;
        result.name_span = span(index.name);
        result.indices = expressions(index.indices, out.height);
        out.expr.node = std::move(result);
        return out;
    }

    Tree operand(const x3::forward_ast<syntax::VectorLiteral>& node) {
        Tree out;
        out.expr.span = span(node.get());
        out.expr.node = ast::VectorLiteral{expressions(node.get(), out.height)};
        return out;
    }

    // Moves a child out of its Tree, raising the parent's height to fit it.
    static ast::Expr take(Tree child, int& parent_height) {
        parent_height = std::max(parent_height, child.height + 1);
        return std::move(child.expr);
    }

    std::vector<ast::Expr> expressions(const std::vector<syntax::Expression>& nodes, int& parent_height) {
        std::vector<ast::Expr> out;
        for (const syntax::Expression& node : nodes) {
            out.push_back(take(expression(node), parent_height));
        }
        return out;
    }

    ast::Expr value(const syntax::Expression& node) { return expression(node).expr; }

    ast::Statement statement(const syntax::Sample& node) {
        ast::Sample sample{value(node.outcome), call(node.distribution).expr, {}, {}};
        for (const syntax::SampleModifier& modifier : node.modifiers) {
            boost::apply_visitor([this, &sample](const auto& m) { this->modify(sample, m); }, modifier);
        }
        return {span(node), std::move(sample)};
    }

    void modify(ast::Sample& sample, const syntax::Censoring& node) {
        if (sample.censoring) {
            fail(span(node), "censored(...) is given twice; give every key in one censored(...)");
            return;
        }
        ast::Censoring& out = sample.censoring.emplace();
        out.span = span(node);
        for (const syntax::CensorKey& key : node) {
            out.keys.push_back({key.key.text, span(key.key), value(key.value)});
        }
    }

    void modify(ast::Sample& sample, const syntax::Truncation& node) {
        if (sample.truncation) {
            fail(span(node), "T[...] is given twice; give both bounds in one T[lo, hi]");
            return;
        }
        ast::Truncation& out = sample.truncation.emplace();
        out.span = span(node);
        if (node.lower) out.lower = value(*node.lower);
        if (node.upper) out.upper = value(*node.upper);
    }

    ast::Statement statement(const syntax::Assign& node) {
        return {span(node), ast::Assign{node.name.text, span(node.name), value(node.value)}};
    }

    ast::Statement statement(const syntax::Param& node) {
        ast::Param param;
        for (const syntax::ParamDecl& decl : node) {
            ast::ParamDecl out;
            out.name = decl.name.text;
            out.name_span = span(decl.name);
            const std::string constraint = decl.constraint.value_or("");
            out.simplex = constraint == "simplex";
            out.ordered = constraint == "ordered" || constraint == "positive_ordered";
            out.positive_ordered = constraint == "positive_ordered";
            out.corr = constraint == "corr";
            int height = 0;
            out.dims = expressions(decl.dims, height);
            if (!constraint.empty() && out.dims.size() != 1) {
                std::string message(out.simplex ? "a simplex"
                                    : out.corr  ? "a correlation matrix"
                                                : "an ordered vector");
                message.append(" has exactly one size, as in '").append(out.simplex ? "w " : out.corr ? "R " : "c ");
                fail(out.name_span, message.append(constraint).append("[3]'"));
            }
            if (decl.interval) {
                if (decl.lower || decl.upper) {
                    fail(out.name_span, quote(decl.name.text) +
                                            " has both 'in (lo, hi)' and '>'/'<' bounds; "
                                            "give one or the other");
                }
                out.lower = value(decl.interval->lower);
                out.upper = value(decl.interval->upper);
            }
            if (decl.lower) out.lower = sum(*decl.lower).expr;
            if (decl.upper) out.upper = sum(*decl.upper).expr;
            if (decl.start) out.start = value(*decl.start);
            param.decls.push_back(std::move(out));
        }
        return {span(node), std::move(param)};
    }

    ast::Statement statement(const syntax::Data& node) {
        ast::Data data;
        for (const syntax::Name& name : node) {
            data.names.push_back({name.text, span(name)});
        }
        return {span(node), std::move(data)};
    }

    ast::Statement statement(const syntax::Target& node) {
        ast::TargetAdd target{value(node.value), std::nullopt};
        if (node.per) target.per = ast::DataName{node.per->text, span(*node.per)};
        return {span(node), std::move(target)};
    }

    ast::Statement statement(const syntax::Weight& node) { return {span(node), ast::WeightBy{value(node.value)}}; }
    ast::Statement statement(const syntax::Def& node) {
        ast::Def def{node.name.text, span(node.name), {}, value(node.body)};
        for (const syntax::Name& argument : node.arguments) def.arguments.push_back({argument.text, span(argument)});
        return {span(node), std::move(def)};
    }

    // random u[g] ~ normal(0, s): the effects' name and grouping column,
    // written name[column]; random (a, b)[g] ~ ...: the names before, the
    // column in the outcome `[g]`. Anything else is said here, where the
    // form is.
    ast::Statement statement(const syntax::Random& node) {
        labelled_call_ = &node.sample.distribution;
        ast::Statement sample = statement(node.sample);
        labelled_call_ = nullptr;
        auto& written = std::get<ast::Sample>(sample.node);
        const std::string example = node.names ? "as in 'random (a, b)[g] ~ multi_normal(0, [sa, sb], R)'"
                                               : "as in 'random u[g] ~ normal(0, s)'";
        ast::Random out;
        const ast::Expr* column = nullptr;
        if (node.names) {
            for (const syntax::Name& n : *node.names) out.names.push_back({n.text, span(n)});
            const auto* list = std::get_if<ast::VectorLiteral>(&written.outcome.node);
            column = list && list->elements.size() == 1 ? &list->elements[0] : nullptr;
        } else if (const auto* index = std::get_if<ast::Index>(&written.outcome.node);
                   index && index->indices.size() == 1) {
            out.names.push_back({index->name, index->name_span});
            column = &index->indices[0];
        }
        const auto* column_name = column ? std::get_if<ast::Name>(&column->node) : nullptr;
        if (!column_name) {
            fail(written.outcome.span, node.names ? "correlated random effects are written (name, name, ...)[column], "
                                                    "one set per level of a data column, " +
                                                        example
                                                  : "random effects are written name[column], one per level of a "
                                                    "data column, " +
                                                        example);
            return {span(node), ast::Random{}};
        }
        if (written.censoring || written.truncation) {
            fail(written.censoring ? written.censoring->span : written.truncation->span,
                 "random effects are not censored or truncated: their distribution is " +
                     std::string(node.names ? "multi_normal(0, sd, R), " : "normal(0, sd), ") + example);
            return {span(node), ast::Random{}};
        }
        out.column = ast::DataName{column_name->name, column->span};
        out.distribution = std::move(written.distribution);
        return {span(node), std::move(out)};
    }

    ast::Statement statement(const syntax::Report& node) {
        return {span(node), ast::Report{node.name.text, span(node.name), value(node.value)}};
    }
};

}  // namespace mlec::grammar
