// The checks every built-in function and operator gets, over every point
// the files of this folder register: values against <cmath> and Boost.Math,
// partials against finite differences, the block form against single rows;
// and the table itself: names, arities, linearity, the list, the docs.
#include <array>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::OpDef;

namespace {

// The names of runtime/functions/list.hpp, in its order.
std::vector<std::string> listed() {
#define MLEC_NAME(name) #name,
    return {MLEC_FUNCTIONS(MLEC_NAME)};
#undef MLEC_NAME
}

}  // namespace

TEST_CASE("every named function is covered by the generic check, and names resolve") {
    std::map<std::string, int> covered;
    for (const FunctionCase& c : registered_function_cases()) {
        REQUIRE(c.op != nullptr);
        ++covered[std::string(c.op->name)];
    }
    for (const OpDef* def : mlec::rt::all_functions()) {
        INFO(def->name);
        CHECK(covered.count(std::string(def->name)) == 1);
        CHECK(mlec::rt::find_function(def->name) == def);
        const FunctionCase* c = case_of(*def);
        CHECK(def->arity == (c ? c->arity : 1));
    }
    CHECK(mlec::rt::all_functions().size() == listed().size());
    CHECK(mlec::rt::find_function("digamma_typo") == nullptr);
    CHECK(mlec::rt::find_function("+") == nullptr);
    CHECK(mlec::rt::find_function("pow") == &mlec::rt::op_pow());
    // inv_logit is sigmoid under a second name
    CHECK(mlec::rt::find_function("inv_logit")->eval == mlec::rt::find_function("sigmoid")->eval);
}

TEST_CASE("only + - unary - sum min max ifelse are marked linear") {
    CHECK(mlec::rt::op_add().linear);
    CHECK(mlec::rt::op_sub().linear);
    CHECK(mlec::rt::op_neg().linear);
    CHECK_FALSE(mlec::rt::op_mul().linear);
    CHECK_FALSE(mlec::rt::op_div().linear);
    CHECK_FALSE(mlec::rt::op_pow().linear);
    for (const OpDef* def : mlec::rt::all_functions()) {
        INFO(def->name);
        const FunctionCase* c = case_of(*def);
        const bool linear = c && c->linear;
        CHECK(def->linear == linear);
        // linear promises identically zero second partials
        if (linear) {
            for (const Row& x : std::vector<Row>{{1.5, -2, 0.5}, {3, 3}, {-1}}) {
                if (def->arity >= 0 && static_cast<int>(x.size()) != def->arity) continue;
                for (double v : mlec::test::eval_one(*def, x).d2) CHECK(v == 0);
            }
        }
    }
}

TEST_CASE("function values match <cmath> and Boost.Math") {
    for (const FunctionCase& c : registered_function_cases()) {
        for (const FunctionPoint& p : c.points) {
            const Evaluated e = mlec::test::eval_one(*c.op, p.x);
            INFO(c.op->name << " at " << mlec::test::show(p.x) << ": got " << e.value << ", expected " << p.expected);
            CHECK(mlec::test::close_value(e.value, p.expected, 1e-14));
        }
    }
}

TEST_CASE("function partials match finite differences") {
    for (const FunctionCase& c : registered_function_cases()) {
        for (const FunctionPoint& p : c.points) {
            if (!p.fd) continue;
            Row step = p.step;
            if (step.empty()) {
                REQUIRE(p.x.size() <= c.domains.size());
                for (std::size_t i = 0; i < p.x.size(); ++i) {
                    step.push_back(mlec::test::default_step(c.domains[i], p.x[i]));
                }
            }
            mlec::test::check_partials(*c.op, p.x, step, {});
        }
    }
}

TEST_CASE("triple_index packs the sorted triples densely, the same for every order") {
    for (int arity = 1; arity <= 7; ++arity) {
        INFO("arity " << arity);
        std::set<int> seen;
        int expected = 0;
        for (int i = 0; i < arity; ++i) {
            for (int j = i; j < arity; ++j) {
                for (int k = j; k < arity; ++k) {
                    const int index = mlec::rt::triple_index(i, j, k, arity);
                    // lexicographic order of the sorted triples: 0, 1, 2, ...
                    CHECK(index == expected++);
                    CHECK(seen.insert(index).second);
                    for (const auto& [a, b, c] : {std::array{i, k, j}, std::array{j, i, k}, std::array{j, k, i},
                                                  std::array{k, i, j}, std::array{k, j, i}}) {
                        CHECK(mlec::rt::triple_index(a, b, c, arity) == index);
                    }
                }
            }
        }
        CHECK(static_cast<int>(seen.size()) == mlec::rt::triple_count(arity));
        CHECK(*seen.rbegin() == mlec::rt::triple_count(arity) - 1);
    }
}

namespace {

// The functions that are neither linear nor products nor of constant
// partials and still return no third partials: none. (A new function lands
// here or gets OpDef::third; the test below fails until it does.)
const std::set<std::string> without_third{};

// Every op the generic check covers: the table's and the operators.
std::vector<const OpDef*> every_op() {
    std::vector<const OpDef*> ops(mlec::rt::all_functions().begin(), mlec::rt::all_functions().end());
    for (const OpDef* op :
         {&mlec::rt::op_add(), &mlec::rt::op_sub(), &mlec::rt::op_mul(), &mlec::rt::op_div(), &mlec::rt::op_neg(),
          &mlec::rt::op_pow(), &mlec::rt::op_sum_of_products(), &mlec::rt::op_eq(), &mlec::rt::op_ne(),
          &mlec::rt::op_lt(), &mlec::rt::op_le(), &mlec::rt::op_gt(), &mlec::rt::op_ge(), &mlec::rt::op_and(),
          &mlec::rt::op_or(), &mlec::rt::op_not()}) {
        ops.push_back(op);
    }
    return ops;
}

}  // namespace

TEST_CASE("every function has third partials, or has none to give (linear, product, constant partials)") {
    for (const OpDef* def : every_op()) {
        INFO(def->name);
        const bool zero_by_flags = def->linear || def->product || def->constant_partial != nullptr;
        const bool excepted = without_third.count(std::string(def->name)) == 1;
        // exactly one of: third partials, all of them zero by the flags, a listed exception
        CHECK(int(def->third) + int(zero_by_flags) + int(excepted) == 1);
    }
}

TEST_CASE("function third partials match finite differences of the second partials") {
    int points = 0;
    double worst = 0;
    std::string worst_at;
    for (const FunctionCase& c : registered_function_cases()) {
        if (!c.op->third) continue;
        for (const FunctionPoint& p : c.points) {
            if (!p.fd) continue;
            Row step = p.step;
            if (step.empty()) {
                REQUIRE(p.x.size() <= c.domains.size());
                for (std::size_t i = 0; i < p.x.size(); ++i) {
                    step.push_back(mlec::test::default_step(c.domains[i], p.x[i]));
                }
            }
            const double error = mlec::test::check_third_partials(*c.op, p.x, step, {});
            if (error > worst) {
                worst = error;
                worst_at = std::string(c.op->name).append(" at ").append(mlec::test::show(p.x));
            }
            ++points;
        }
    }
    WARN("third partials of functions checked at " << points << " points; largest relative error " << worst << " ("
                                                   << worst_at << ")");
    CHECK(points > 50);
}

TEST_CASE("functions on a block of rows equal the row-by-row results") {
    for (const FunctionCase& c : registered_function_cases()) {
        std::vector<Row> rows;
        for (const FunctionPoint& p : c.points) rows.push_back(p.x);
        mlec::test::check_block_form(*c.op, rows);
    }
}

TEST_CASE("the function table holds the list's functions in the list's order") {
    std::vector<std::string> table;
    for (const OpDef* def : mlec::rt::all_functions()) table.emplace_back(def->name);
    CHECK(table == listed());
}

TEST_CASE("every built-in function has its row in docs/language.md") {
    std::ifstream in(std::string(MLEC_SOURCE_DIR) + "/docs/language.md");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    for (const OpDef* def : mlec::rt::all_functions()) {
        INFO(def->name);
        // (appended piece by piece: GCC 12 at -O3 warns falsely, -Wrestrict,
        // on "`" + std::string(...))
        std::string call = "`";
        call.append(def->name).append("(");
        CHECK(text.str().find(call) != std::string::npos);
    }
}
