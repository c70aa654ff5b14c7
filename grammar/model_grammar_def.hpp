// The .mle grammar's rule definitions (declared in model_grammar.hpp).
//
// Precedence, loosest first (one table, like Lua's lparser.c):
//   expression  disjunction ['?' expression ':' expression]   right-associative
//   disjunction conjunction {'||' conjunction}     left-associative
//   conjunction comparison {'&&' comparison}       left-associative
//   comparison  sum [cmp sum]                      does not associate: a < b < c is refused
//   sum         product {('+' | '-') product}      left-associative
//   product     unary {('*' | '/') unary}          left-associative
//   unary       {'-' | '+' | '!'} power            -x^2 = -(x^2), as in math, R and Stan
//   power       primary ['^' unary]                right-associative: 2^3^2 = 2^(9)
//   primary     number | call | index | name | vector | '(' expression ')'
//
// Every rule's name is the key the error reporter turns into a message
// (syntax_errors.cpp, `expectation_error`), so the place of each `>`
// decides what a user reads: "expected expression after '+'" comes from
// `char_("+-") > product` where `product` is named "expression". Mind that
// `>` binds looser than `>>` in C++: `a > b >> c` expects the sequence `b >> c`,
// whose name is a mangled type, so such places are parenthesized.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "grammar/model_grammar.hpp"
#include "grammar/tokens.hpp"

namespace mlec::grammar {

namespace parser {

// A character of the class `is_member` (grammar/tokens.hpp) as an X3 parser.
template <bool (*is_member)(char)>
struct character_class : x3::char_parser<character_class<is_member>> {
    using attribute_type = char;
    static const bool has_attribute = true;

    template <typename Char, typename Context>
    bool test(Char c, const Context& /*context*/) const {
        return is_member(c);
    }
};

// The token whose end `token_end` finds (grammar/tokens.hpp: name_end,
// number_end) as an X3 parser, its attribute the token's text. So the rules
// read names and numbers by the very functions the prescan checks them with.
template <std::size_t (*token_end)(std::string_view, std::size_t)>
struct token : x3::parser<token<token_end>> {
    using attribute_type = std::string;
    static const bool has_attribute = true;

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, const Iterator& last, const Context& context, RContext& /*rcontext*/,
               Attribute& attribute) const {
        x3::skip_over(first, last, context);
        const std::size_t length = token_end(std::string_view(first, static_cast<std::size_t>(last - first)), 0);
        if (length == 0) {
            return false;
        }
        x3::traits::move_to(first, first + length, attribute);
        first += length;
        return true;
    }
};

using x3::char_;
using x3::lexeme;
using x3::lit;

// Rule IDs: one class per rule (two rules must never share one).
struct name_text_class;
struct number_text_class;
struct group_class;  // not annotated: its Expression keeps the inner span
struct name_class : annotate_position {};
struct number_class : annotate_position {};
struct operand_start_class;
struct unary_class : annotate_position {};
struct power_class : annotate_position {};
struct product_class;
struct sum_class : annotate_position {};
struct compare_tail_class : annotate_position {};
struct comparison_class;
struct conjunction_class;
struct disjunction_class;
struct branches_class;
struct branch_colon_class;
struct expression_class : annotate_position {};
struct exponent_class;
struct primary_class;
struct call_class : annotate_position {};
struct arguments_class;
struct argument_tail_class : annotate_position {};
struct argument_label_class;
struct call_close_class;
struct index_class : annotate_position {};
struct index_close_class;
struct expression_list_class;
struct vector_literal_class : annotate_position {};
struct vector_close_class;
struct group_close_class;
struct distribution_class : annotate_position {};
struct distribution_name_class : annotate_position {};
struct distribution_open_class;
struct sample_class : annotate_position {};
struct sample_tilde_class;
struct sample_modifier_class;
struct censoring_class : annotate_position {};
struct censoring_open_class;
struct censor_key_class;
struct censor_equals_class;
struct censoring_close_class;
struct truncation_class : annotate_position {};
struct truncation_open_class;
struct truncation_comma_class;
struct truncation_close_class;
struct assign_class : annotate_position {};
struct param_class : annotate_position {};
struct param_decl_class;
struct constraint_class;
struct simplex_open_class;
struct dims_class;
struct dims_close_class;
struct interval_class;
struct interval_open_class;
struct interval_comma_class;
struct interval_close_class;
struct lower_bound_class;
struct upper_bound_class;
struct data_class : annotate_position {};
struct data_name_class : annotate_position {};
struct target_class : annotate_position {};
struct plus_assign_class;
struct per_column_class : annotate_position {};
struct weight_class : annotate_position {};
struct report_class : annotate_position {};
struct report_name_class : annotate_position {};
struct report_equals_class;
struct def_class : annotate_position {};
struct def_name_class : annotate_position {};
struct def_open_class;
struct def_arguments_class;
struct def_argument_class : annotate_position {};
struct def_close_class;
struct def_equals_class;
struct random_class : annotate_position {};
struct random_names_class;
struct random_name_list_class;
struct random_name_class : annotate_position {};
struct random_names_close_class;
struct random_column_open_class;
struct statement_class;
struct statement_end_class;
struct end_of_model_class;

const x3::rule<name_text_class, std::string> name_text = "name";
const x3::rule<number_text_class, std::string> number_text = "number";
const x3::rule<name_class, syntax::Name> name = "name";
const x3::rule<number_class, syntax::Number> number = "number";
const x3::rule<operand_start_class> operand_start = "expression";
const x3::rule<unary_class, syntax::Unary> unary = "expression";
const x3::rule<power_class, syntax::Power> power = "expression";
const x3::rule<exponent_class, syntax::Unary> exponent = "expression";
const x3::rule<product_class, syntax::Product> product = "expression";
const x3::rule<sum_class, syntax::Sum> sum = "expression";
const x3::rule<compare_tail_class, syntax::CompareTail> compare_tail = "expression";
const x3::rule<comparison_class, syntax::Comparison> comparison = "expression";
const x3::rule<conjunction_class, syntax::Conjunction> conjunction = "expression";
const x3::rule<disjunction_class, syntax::Disjunction> disjunction = "expression";
const x3::rule<branches_class, syntax::Branches> branches = "expression";
const x3::rule<branch_colon_class> branch_colon = "branch_colon";
const x3::rule<expression_class, syntax::Expression> expression = "expression";
const x3::rule<primary_class, syntax::Primary> primary = "expression";
const x3::rule<group_class, syntax::Expression> group = "group";
const x3::rule<group_close_class> group_close = "group_close";
const x3::rule<call_class, syntax::Call> call = "call";
const x3::rule<arguments_class, syntax::Arguments> arguments = "arguments";
const x3::rule<argument_tail_class, syntax::ArgumentTail> argument_tail = "argument";
const x3::rule<argument_label_class, syntax::Name> argument_label = "argument_label";
const x3::rule<call_close_class> call_close = "call_close";
const x3::rule<index_class, syntax::Index> index = "index";
const x3::rule<index_close_class> index_close = "index_close";
const x3::rule<expression_list_class, std::vector<syntax::Expression>> expression_list = "expression";
const x3::rule<vector_literal_class, syntax::VectorLiteral> vector_literal = "vector";
const x3::rule<vector_close_class> vector_close = "vector_close";
const x3::rule<distribution_class, syntax::Call> distribution = "distribution";
const x3::rule<distribution_name_class, syntax::Name> distribution_name = "distribution";
const x3::rule<distribution_open_class> distribution_open = "distribution_open";
const x3::rule<sample_class, syntax::Sample> sample = "sample";
const x3::rule<sample_tilde_class> sample_tilde = "sample_tilde";
const x3::rule<sample_modifier_class, syntax::SampleModifier> sample_modifier = "sample_modifier";
const x3::rule<censoring_class, syntax::Censoring> censoring = "censoring";
const x3::rule<censoring_open_class> censoring_open = "censoring_open";
const x3::rule<censor_key_class, syntax::CensorKey> censor_key = "censor_key";
const x3::rule<censor_equals_class> censor_equals = "censor_equals";
const x3::rule<censoring_close_class> censoring_close = "censoring_close";
const x3::rule<truncation_class, syntax::Truncation> truncation = "truncation";
const x3::rule<truncation_open_class> truncation_open = "truncation_open";
const x3::rule<truncation_comma_class> truncation_comma = "truncation_comma";
const x3::rule<truncation_close_class> truncation_close = "truncation_close";
const x3::rule<assign_class, syntax::Assign> assign = "assign";
const x3::rule<param_class, syntax::Param> param = "param";
const x3::rule<param_decl_class, syntax::ParamDecl> param_decl = "param_name";
const x3::rule<constraint_class, std::string> constraint = "constraint";
const x3::rule<simplex_open_class> simplex_open = "simplex_open";
const x3::rule<dims_class, std::vector<syntax::Expression>> dims = "dims";
const x3::rule<dims_close_class> dims_close = "dims_close";
const x3::rule<interval_class, syntax::Interval> interval = "interval";
const x3::rule<interval_open_class> interval_open = "interval_open";
const x3::rule<interval_comma_class> interval_comma = "interval_comma";
const x3::rule<interval_close_class> interval_close = "interval_close";
const x3::rule<lower_bound_class, syntax::Sum> lower_bound = "lower_bound";
const x3::rule<upper_bound_class, syntax::Sum> upper_bound = "upper_bound";
const x3::rule<data_class, syntax::Data> data = "data";
const x3::rule<data_name_class, syntax::Name> data_name = "data_name";
const x3::rule<target_class, syntax::Target> target = "target";
const x3::rule<plus_assign_class> plus_assign = "plus_assign";
const x3::rule<per_column_class, syntax::Name> per_column = "per_column";
const x3::rule<weight_class, syntax::Weight> weight = "weight";
const x3::rule<report_class, syntax::Report> report = "report";
const x3::rule<report_name_class, syntax::Name> report_name = "report_name";
const x3::rule<report_equals_class> report_equals = "report_equals";
const x3::rule<def_class, syntax::Def> def = "def";
const x3::rule<def_name_class, syntax::Name> def_name = "def_name";
const x3::rule<def_open_class> def_open = "def_open";
const x3::rule<def_arguments_class, std::vector<syntax::Name>> def_arguments = "def_argument";
const x3::rule<def_argument_class, syntax::Name> def_argument = "def_argument";
const x3::rule<def_close_class> def_close = "def_close";
const x3::rule<def_equals_class> def_equals = "def_equals";
const x3::rule<random_class, syntax::Random> random = "random";
const x3::rule<random_names_class, std::vector<syntax::Name>> random_names = "random_names";
const x3::rule<random_name_list_class, std::vector<syntax::Name>> random_name_list = "random_name";
const x3::rule<random_name_class, syntax::Name> random_name = "random_name";
const x3::rule<random_names_close_class> random_names_close = "random_names_close";
const x3::rule<random_column_open_class> random_column_open = "random_column_open";
const x3::rule<statement_class, syntax::Statement> statement = "statement";
const x3::rule<statement_end_class> statement_end = "statement_end";
const x3::rule<end_of_model_class> end_of_model = "statement";
const model_type model = "model";

const auto name_char = character_class<is_name_char>{};

// A keyword is a whole word: `parameter` is a name, not `param` + `eter`.
inline auto keyword(const char* word) { return lexeme[lit(word) >> !name_char]; }

const auto separator = lit('\n') | lit(';');

// name: [A-Za-z_][A-Za-z0-9_]*   (tokens.hpp)
const auto name_text_def = token<name_end>{};
const auto name_def = name_text;

// number: digits ['.' {digit}] [exponent] | '.' digits [exponent]   (tokens.hpp)
// (x3::double_ would also accept "inf" and "nan", which are names here.)
const auto number_text_def = token<number_end>{};
const auto number_def = number_text;

// A sign must be followed by an operand, so `a = -` reports "after '-'".
const auto operand_start_def = &(name_char | char_(".([+!-"));

// '!' is a sign unless it starts '!=' (which cannot follow an operator anyway).
const auto unary_def = *((char_("+-") | (char_('!') >> !lit('='))) > operand_start) >> power;
const auto exponent_def = unary;
const auto power_def = primary >> -(lit('^') > exponent);
const auto product_def = unary >> *(char_("*/") > unary);
const auto sum_def = product >> *(char_("+-") > product);

// Two-character operators first, so that '<=' is not '<' then '='.
const auto compare_op =
    x3::string("==") | x3::string("!=") | x3::string("<=") | x3::string(">=") | x3::string("<") | x3::string(">");
const auto compare_tail_def = compare_op > sum;
const auto comparison_def = sum >> *compare_tail;
const auto conjunction_def = comparison >> *(lit("&&") > comparison);
const auto disjunction_def = conjunction >> *(lit("||") > conjunction);
const auto branches_def = expression > branch_colon > expression;
const auto branch_colon_def = lit(':');
const auto expression_def = disjunction >> -(lit('?') > branches);

const auto primary_def = number | call | index | name | vector_literal | group;
const auto group_def = lit('(') > expression > group_close;
const auto group_close_def = lit(')');

const auto arguments_def = -argument_label >> expression >> *argument_tail;
// A label is `name =` not followed by '=' (so `f(x, y == 2)` is a comparison).
const auto argument_tail_def = (char_(",|") >> -argument_label) > expression;
const auto argument_label_def = name >> lit('=') >> !lit('=');
const auto call_def = name >> lit('(') > -arguments > call_close;
const auto call_close_def = lit(')');

const auto expression_list_def = expression >> *(lit(',') > expression);
const auto index_def = name >> lit('[') > expression_list > index_close;
const auto index_close_def = lit(']');
const auto vector_literal_def = lit('[') > expression_list > vector_close;
const auto vector_close_def = lit(']');

// y ~ dist(args): the distribution must be a call, so no backtracking.
const auto distribution_def = distribution_name > distribution_open > -arguments > call_close;
const auto distribution_name_def = name;
const auto distribution_open_def = lit('(');
// y ~ dist(args) censored(right = r) T[lo, hi]: either order, each at most
// once (the converter says which was given twice).
const auto sample_def = expression > sample_tilde > distribution > *sample_modifier;  // (* never fails)
const auto sample_tilde_def = lit('~');
const auto sample_modifier_def = censoring | truncation;
const auto censoring_def = keyword("censored") > censoring_open >
                           (censor_key >> *(lit(',') > censor_key)) > censoring_close;
const auto censoring_open_def = lit('(');
const auto censor_key_def = name > censor_equals > expression;
const auto censor_equals_def = lit('=');
const auto censoring_close_def = lit(')');
// T[lo, hi] as Stan writes it; an omitted side is open.
const auto truncation_def =
    keyword("T") > truncation_open > -expression > truncation_comma > -expression > truncation_close;
const auto truncation_open_def = lit('[');
const auto truncation_comma_def = lit(',');
const auto truncation_close_def = lit(']');

const auto assign_def = name >> (lit('=') >> !lit('=')) > expression;

// param decl, decl, ...
const auto param_def = (keyword("param") > param_decl) >> *(lit(',') > param_decl);
const auto param_decl_def = !keyword("in") >> name >> -(constraint > simplex_open) >> -dims >> -interval >>
                            -(lit('>') > lower_bound) >> -(lit('<') > upper_bound) >> -(lit('=') > expression);
// A vector parameter's constraint, as a whole word (longest first).
const auto constraint_def =
    lexeme[(x3::string("simplex") | x3::string("positive_ordered") | x3::string("ordered") | x3::string("corr")) >>
           !name_char];
const auto simplex_open_def = &lit('[');
const auto dims_def = lit('[') > expression_list > dims_close;
const auto dims_close_def = lit(']');
const auto interval_def = keyword("in") > interval_open > expression > interval_comma > expression > interval_close;
const auto interval_open_def = lit('(');
const auto interval_comma_def = lit(',');
const auto interval_close_def = lit(')');
const auto lower_bound_def = sum;
const auto upper_bound_def = sum;

const auto data_def = (keyword("data") > data_name) >> *(lit(',') > data_name);
const auto data_name_def = name;

// `target += expr per g`: a group-level term, added once per level of g.
const auto target_def = keyword("target") > plus_assign > expression > -(keyword("per") > per_column);
const auto per_column_def = name;
const auto plus_assign_def = lit("+=");

// `weight w`; `weight` stays usable as a column or local (`weight ~ ...`,
// `weight = ...`), so the keyword counts only when no `~`, `=` or `+=` follows.
const auto weight_def = (keyword("weight") >> !(lit('~') | lit('=') | lit("+="))) > expression;

const auto report_def = keyword("report") > report_name > report_equals > expression;
const auto report_name_def = name;
const auto report_equals_def = lit('=');

// def f(x, k) = expr. As with `weight`, a column or local named `def` stays
// usable: the keyword counts only when no `~`, `=` or `+=` follows.
const auto def_def = (keyword("def") >> !(lit('~') | lit('=') | lit("+="))) > def_name > def_open > -def_arguments >
                     def_close > def_equals > expression;
const auto def_name_def = name;
const auto def_open_def = lit('(');
const auto def_arguments_def = def_argument >> *(lit(',') > def_argument);
const auto def_argument_def = name;
const auto def_close_def = lit(')');
const auto def_equals_def = lit('=');

// random u[g] ~ normal(0, s): random effects, one per level of column g
// (docs/language.md, "Random effects"). As with `weight`, a column or
// local named `random` stays usable. Correlated effects, `random (a, b)[g]
// ~ multi_normal(...)`, are recognized by their '(' name ','; the rest,
// `[g] ~ ...`, is read as a sample whose outcome is the vector literal [g]
// (the converter makes sure it is one column).
const auto random_def = (keyword("random") >> !(lit('~') | lit('=') | lit("+="))) > -random_names > sample;
const auto random_names_def =
    (lit('(') >> &(name_text >> lit(','))) > random_name_list > random_names_close > random_column_open;
const auto random_name_list_def = random_name >> *(lit(',') > random_name);
const auto random_name_def = name;
const auto random_names_close_def = lit(')');
const auto random_column_open_def = &lit('[');

// Keywords first: they are reserved where a statement starts.
const auto statement_def = param | data | target | weight | report | def | random | assign | sample;
const auto statement_end_def = separator | &x3::eoi;
const auto end_of_model_def = x3::eoi;
const auto model_def = *separator >> *((statement > statement_end) >> *separator) > end_of_model;

// In two parts: Boost.Preprocessor takes at most 64 arguments a macro.
BOOST_SPIRIT_DEFINE(name_text, number_text, name, number, operand_start, unary, exponent, power, product, sum,
                    compare_tail, comparison, conjunction, disjunction, branches, branch_colon, expression, primary,
                    group, group_close, arguments, argument_tail, argument_label, call, call_close, expression_list,
                    index, index_close, vector_literal, vector_close, distribution, distribution_name,
                    distribution_open, sample, sample_tilde)
BOOST_SPIRIT_DEFINE(sample_modifier, censoring, censoring_open, censor_key, censor_equals, censoring_close, truncation,
                    truncation_open, truncation_comma, truncation_close, assign, param, param_decl, constraint,
                    simplex_open, dims, dims_close, interval, interval_open, interval_comma, interval_close,
                    lower_bound, upper_bound, data, data_name, target, plus_assign, per_column, weight, report,
                    report_name, report_equals, def, def_name, def_open, def_arguments, def_argument, def_close,
                    def_equals, random, random_names, random_name_list, random_name, random_names_close,
                    random_column_open, statement, statement_end, end_of_model, model)

}  // namespace parser

inline const parser::model_type& model() { return parser::model; }

}  // namespace mlec::grammar
