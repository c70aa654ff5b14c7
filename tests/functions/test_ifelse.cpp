// ifelse(c, a, b): its points for the checks every function gets
// (test_all.cpp), and its own tests: the taken branch alone makes the value
// and the partials, so an untaken NaN or inf never shows.
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(ifelse) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    return {{&op_ifelse(),
             {real, real, real},
             {{{1, 2.5, -4}, 2.5},
              {{-3, 2.5, -4}, 2.5},  // any non-zero condition is true
              {{0, 2.5, -4}, -4, false},
              {{1, -0.75, qnan}, -0.75, false},
              {{0, inf, 1.5}, 1.5, false},
              {{qnan, 1, 2}, qnan, false}},
             3,
             true}};
}

}  // namespace

TEST_CASE("ifelse: the taken input has partial 1, the other 0, whatever it holds") {
    using mlec::test::eval_one;
    const OpDef& f = mlec::rt::op_ifelse();
    CHECK(eval_one(f, {1, 2, qnan}).d1 == Row{0, 1, 0});
    CHECK(eval_one(f, {0, -inf, 3}).d1 == Row{0, 0, 1});
    CHECK(eval_one(f, {0, -inf, 3}).value == 3);
    // a NaN condition takes neither branch: the value is NaN, not a guess
    CHECK(eval_one(f, {qnan, 2, 3}).d1 == Row{0, 0, 0});
    CHECK(f.branch);
    CHECK(mlec::rt::find_function("ifelse") == &f);
}
