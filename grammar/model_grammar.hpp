// The .mle grammar's rule declarations and the syntax tree X3 fills in
// (calc9 layout: this file declares, model_grammar_def.hpp defines,
// model_grammar.cpp instantiates). Only model_grammar.cpp includes this file
// (itself or through model_grammar_def.hpp and model_grammar_to_ast.hpp, which
// it alone includes): X3 is heavy to compile, so the rest of mlec sees
// grammar/parse.hpp and the plain tree of grammar/ast.hpp instead.
#pragma once

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/fusion/include/adapt_struct.hpp>
#include <boost/optional.hpp>
#include <boost/spirit/home/x3.hpp>
#include <boost/spirit/home/x3/support/ast/variant.hpp>

namespace mlec::grammar {

namespace x3 = boost::spirit::x3;

// The syntax tree as parsed: close to the grammar (a sum is a first term and
// a list of (operator, term)), converted to ast.hpp's tree after parsing.
namespace syntax {

// The source range a node was parsed from, set by `annotate_position` below.
struct Located {
    const char* from = nullptr;
    const char* to = nullptr;
};

// One-member structs cannot be Fusion-adapted: they take their value through
// a converting constructor instead.
struct Number : Located {
    Number() = default;
    Number(std::string t) : text(std::move(t)) {}
    std::string text;  // converted with strtod, so the value is the closest double
};

struct Name : Located {
    Name() = default;
    Name(std::string t) : text(std::move(t)) {}
    std::string text;
};

struct Expression;
struct Unary;
struct Call;
struct Index;
struct VectorLiteral;

// primary: number | call | index | name | vector | '(' expression ')'
struct Primary : x3::variant<Number, Name, x3::forward_ast<Call>, x3::forward_ast<Index>,
                             x3::forward_ast<VectorLiteral>, x3::forward_ast<Expression>> {
    using base_type::base_type;
    using base_type::operator=;
};

// power: primary ['^' unary]   (right-associative through unary)
struct Power : Located {
    Primary base;
    boost::optional<x3::forward_ast<Unary>> exponent;
};

// unary: {'-' | '+' | '!'} power
struct Unary : Located {
    std::vector<char> signs;
    Power operand;
};

struct ProductTail {
    char op = '*';
    Unary operand;
};

// product: unary {('*' | '/') unary}
struct Product {
    Unary first;
    std::vector<ProductTail> rest;
};

struct SumTail {
    char op = '+';
    Product operand;
};

// sum: product {('+' | '-') product}
struct Sum : Located {
    Product first;
    std::vector<SumTail> rest;
};

// One comparison operator and its right operand; located, so that a
// second one (`a < b < c`, which does not associate) can be pointed at.
struct CompareTail : Located {
    std::string op;
    Sum operand;
};

// comparison: sum [('==' | '!=' | '<=' | '>=' | '<' | '>') sum]
// (parsed as a list, so that a chain is refused with its position)
struct Comparison {
    Sum first;
    std::vector<CompareTail> rest;
};

// conjunction: comparison {'&&' comparison}
struct Conjunction {
    Comparison first;
    std::vector<Comparison> rest;
};

// disjunction: conjunction {'||' conjunction}
struct Disjunction {
    Conjunction first;
    std::vector<Conjunction> rest;
};

struct Branches;

// expression: disjunction ['?' expression ':' expression]   (right-associative)
struct Expression : Located {
    Disjunction condition;
    boost::optional<x3::forward_ast<Branches>> branches;
};

struct Branches {
    Expression then;
    Expression otherwise;
};

// ',' [name '='] expression  or  '|' expression (the bar of `f(y | a, b)`);
// a label (`sd = [sa, sb]`) is read only in multi_normal of a `random`
// statement: the converter says so anywhere else
struct ArgumentTail : Located {
    char separator = ',';
    boost::optional<Name> label;
    Expression value;
};

struct Arguments {
    boost::optional<Name> first_label;
    Expression first;
    std::vector<ArgumentTail> rest;
};

// call: name '(' [[name '='] expression {(',' | '|') [name '='] expression}] ')'
struct Call : Located {
    Name callee;
    boost::optional<Arguments> arguments;
};

// index: name '[' expression {',' expression} ']'
struct Index : Located {
    Name name;
    std::vector<Expression> indices;
};

// vector: '[' expression {',' expression} ']'
struct VectorLiteral : std::vector<Expression>, Located {
    using std::vector<Expression>::vector;
};

// censor_key: name '=' expression
struct CensorKey {
    Name key;
    Expression value;
};

// censoring: 'censored' '(' censor_key {',' censor_key} ')'
struct Censoring : std::vector<CensorKey>, Located {
    using std::vector<CensorKey>::vector;
};

// truncation: 'T' '[' [expression] ',' [expression] ']'
struct Truncation : Located {
    boost::optional<Expression> lower;
    boost::optional<Expression> upper;
};

struct SampleModifier : x3::variant<Censoring, Truncation> {
    using base_type::base_type;
    using base_type::operator=;
};

// sample: expression '~' call {censoring | truncation}
struct Sample : Located {
    Expression outcome;
    Call distribution;
    std::vector<SampleModifier> modifiers;
};

// assign: name '=' expression
struct Assign : Located {
    Name name;
    Expression value;
};

// interval: 'in' '(' expression ',' expression ')'
struct Interval {
    Expression lower;
    Expression upper;
};

// decl: name [constraint] [dims] [interval] ['>' expression] ['<' expression] ['=' expression]
// constraint: 'simplex' | 'ordered' | 'positive_ordered' | 'corr'
struct ParamDecl {
    Name name;
    boost::optional<std::string> constraint;
    std::vector<Expression> dims;
    boost::optional<Interval> interval;
    boost::optional<Sum> lower;  // a sum: in `p > 0 < 1` the '<' is the upper bound's
    boost::optional<Sum> upper;
    boost::optional<Expression> start;
};

// param: 'param' decl {',' decl}
struct Param : std::vector<ParamDecl>, Located {
    using std::vector<ParamDecl>::vector;
};

// data: 'data' name {',' name}
struct Data : std::vector<Name>, Located {
    using std::vector<Name>::vector;
};

// target: 'target' '+=' expression ['per' per_column]
struct Target : Located {
    Expression value;
    boost::optional<Name> per;  // a group-level term: once per level of this column
};

// weight: 'weight' expression
struct Weight : Located {
    Weight() = default;
    Weight(Expression v) : value(std::move(v)) {}
    Expression value;
};

// report: 'report' name '=' expression
struct Report : Located {
    Name name;
    Expression value;
};

// def: 'def' name '(' [name {',' name}] ')' '=' expression
struct Def : Located {
    Name name;
    std::vector<Name> arguments;
    Expression body;
};

// random: 'random' ['(' name ',' name {',' name} ')'] sample
// (as in `random u[g] ~ normal(0, s)` and `random (a, b)[g] ~
// multi_normal(0, [sa, sb], R)`, where the sample's outcome is `[g]`; the
// converter and the interpreter check what the sample may be)
struct Random : Located {
    boost::optional<std::vector<Name>> names;  // (a, b): correlated effects
    Sample sample;
};

struct Statement : x3::variant<Param, Data, Target, Weight, Report, Def, Random, Assign, Sample> {
    using base_type::base_type;
    using base_type::operator=;
};

// model: {separator} {statement separator {separator}}
struct Model : std::vector<Statement> {
    using std::vector<Statement>::vector;
};

}  // namespace syntax

// Records where a rule's match starts (after skipped blanks) and ends.
struct annotate_position {
    template <typename Iterator, typename Attribute, typename Context>
    void on_success(Iterator const& first, Iterator const& last, Attribute& attribute,
                    Context const& /*context*/) const {
        if constexpr (std::is_base_of_v<syntax::Located, Attribute>) {
            attribute.from = &*first;
            attribute.to = &*first + (last - first);
        }
    }
};

// The parser works on a copy of the text in which comments, "\r" and the
// newlines that do not end a statement are blanks, so the skipper only skips
// spaces and tabs, and '\n' is a token: the statement separator.
using iterator_type = const char*;
using skipper_type = std::remove_const_t<decltype(x3::ascii::blank)>;
using context_type = x3::phrase_parse_context<skipper_type>::type;

namespace parser {
struct model_class;
using model_type = x3::rule<model_class, syntax::Model>;
BOOST_SPIRIT_DECLARE(model_type)
}  // namespace parser

const parser::model_type& model();

}  // namespace mlec::grammar

BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Power, base, exponent)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Unary, signs, operand)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::ProductTail, op, operand)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Product, first, rest)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::SumTail, op, operand)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Sum, first, rest)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::CompareTail, op, operand)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Comparison, first, rest)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Conjunction, first, rest)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Disjunction, first, rest)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Expression, condition, branches)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Branches, then, otherwise)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::ArgumentTail, separator, label, value)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Arguments, first_label, first, rest)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Call, callee, arguments)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Index, name, indices)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::CensorKey, key, value)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Truncation, lower, upper)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Sample, outcome, distribution, modifiers)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Assign, name, value)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Target, value, per)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Interval, lower, upper)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::ParamDecl, name, constraint, dims, interval, lower, upper, start)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Report, name, value)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Def, name, arguments, body)
BOOST_FUSION_ADAPT_STRUCT(mlec::grammar::syntax::Random, names, sample)
