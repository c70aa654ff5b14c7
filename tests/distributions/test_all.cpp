// The checks every distribution gets, over every distribution's points
// (registered by its test file in this folder): log densities against
// log(boost::math::pdf) (or, where the pdf underflows, the analytic
// asymptote), every partial against finite differences, the block form
// against single rows; and the table itself: names, arities, domains.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "distributions/support.hpp"
#include "runtime/distributions/list.hpp"

using namespace mlec::test;
using mlec::rt::DistributionDef;
using mlec::rt::Domain;

TEST_CASE("the distribution table: names, arities, domains") {
    std::map<std::string, int> covered;
    for (const Case& c : registered_cases()) ++covered[c.name];
    CHECK(mlec::rt::all_distributions().size() == registered_cases().size());
    for (const DistributionDef* d : mlec::rt::all_distributions()) {
        const std::string name(d->name);
        INFO(name);
        CHECK(covered.count(name) == 1);
        CHECK(mlec::rt::find_distribution(name) == d);
        CHECK(d->op.name == d->name);
        // a vector argument (only ever the last) makes the op variadic
        bool vector = false;
        for (std::size_t i = 0; i < d->args.size(); ++i) {
            if (d->args[i].vector) {
                vector = true;
                CHECK(i + 1 == d->args.size());
            }
        }
        CHECK(d->op.arity == (vector ? -1 : 1 + static_cast<int>(d->args.size())));
        CHECK(d->op.eval != nullptr);
        CHECK_FALSE(d->op.linear);
        const auto c = std::find_if(registered_cases().begin(), registered_cases().end(),
                                    [&](const Case& k) { return k.name == name; });
        REQUIRE(c != registered_cases().end());
        CHECK(d->discrete == c->discrete);
        CHECK(d->outcome == c->outcome);
    }
    CHECK(mlec::rt::find_distribution("normall") == nullptr);

    auto args = [](const std::string& name) {
        std::string s;
        for (const auto& a : dist(name).args) {
            s += std::string(a.name) + ":" + std::string(mlec::rt::domain_text(a.domain)) + ";";
        }
        return s;
    };
    for (const Case& c : registered_cases()) {
        INFO(c.name);
        CHECK(args(c.name) == c.args);
    }
    CHECK(dist("categorical").args[0].vector);
}

TEST_CASE("the table holds the list's distributions in the list's order") {
    // runtime/distributions/list.hpp names each distribution once; the
    // table is generated from it, and each file's name is its line's.
#define MLEC_NAME(name) #name,
    const std::vector<std::string> listed{MLEC_DISTRIBUTIONS(MLEC_NAME)};
#undef MLEC_NAME
    std::vector<std::string> table;
    for (const DistributionDef* d : mlec::rt::all_distributions()) table.emplace_back(d->name);
    CHECK(table == listed);
}

TEST_CASE("every distribution has its row in docs/language.md") {
    std::ifstream in(std::string(MLEC_SOURCE_DIR) + "/docs/language.md");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    for (const DistributionDef* d : mlec::rt::all_distributions()) {
        INFO(d->name);
        CHECK(text.str().find("| `" + std::string(d->name) + "(") != std::string::npos);
    }
}

TEST_CASE("domain texts") {
    using mlec::rt::domain_text;
    CHECK(domain_text(Domain::binary) == "0 or 1");
    CHECK(domain_text(Domain::count) == "a non-negative integer");
    CHECK(domain_text(Domain::positive) == "positive");
    CHECK(domain_text(Domain::nonnegative) == "non-negative");
    CHECK(domain_text(Domain::unit_open) == "in (0, 1)");
    CHECK(domain_text(Domain::unit_closed) == "in [0, 1]");
    CHECK(domain_text(Domain::real) == "a real number");
    CHECK(domain_text(Domain::category) == "a category number 1, 2, ...");
}

TEST_CASE("in_domain at the boundaries") {
    using mlec::rt::in_domain;
    const double tiny = 5e-324;  // the smallest subnormal
    const double below_one = std::nextafter(1.0, 0.0);
    struct Expect {
        Domain d;
        std::vector<double> in;
        std::vector<double> out;
    };
    const std::vector<Expect> table{
        {Domain::real, {0, -1e308, 1e308, tiny}, {inf, -inf, qnan}},
        {Domain::positive, {tiny, 1, 1e308}, {0, -0.0, -tiny, inf, qnan}},
        {Domain::nonnegative, {0, -0.0, tiny, 1e308}, {-tiny, -1, inf, qnan}},
        {Domain::unit_open, {tiny, 0.5, below_one}, {0, 1, -tiny, 1.5, qnan}},
        {Domain::unit_closed, {0, 1, tiny, below_one}, {-tiny, std::nextafter(1.0, 2.0), qnan}},
        {Domain::binary, {0, 1}, {0.5, 2, -1, tiny, below_one, qnan}},
        {Domain::count, {0, 1, 7, 1e15, 1e300}, {-1, 0.5, 2.0000001, inf, qnan, tiny}},
        {Domain::category, {1, 2, 7, 1e15}, {0, -1, 1.5, tiny, inf, qnan}},
    };
    for (const Expect& e : table) {
        for (double x : e.in) {
            INFO(mlec::rt::domain_text(e.d) << " should contain " << x);
            CHECK(in_domain(e.d, x));
        }
        for (double x : e.out) {
            INFO(mlec::rt::domain_text(e.d) << " should not contain " << x);
            CHECK_FALSE(in_domain(e.d, x));
        }
    }
}

TEST_CASE("log densities match Boost.Math") {
    for (const Case& c : registered_cases()) {
        const DistributionDef& d = dist(c.name);
        for (const Point& p : c.points) {
            const Evaluated e = mlec::test::eval_one(d.op, p.x);
            INFO(c.name << " at " << mlec::test::show(p.x) << ": got " << e.value << ", expected " << p.expected);
            CHECK(mlec::test::close_value(e.value, p.expected, p.value_rel));
            // -inf (never NaN) outside the domain, with partials that do not
            // poison the chain rule.
            CHECK_FALSE(std::isnan(e.value));
            if (e.value == -inf) {
                for (double v : e.d1) CHECK(v == 0);
                for (double v : e.d2) CHECK(v == 0);
                if (d.op.third) {
                    for (double v : e.d3) CHECK(v == 0);
                }
            }
        }
    }
}

TEST_CASE("distribution partials match finite differences") {
    for (const Case& c : registered_cases()) {
        const DistributionDef& d = dist(c.name);
        for (const Point& p : c.points) {
            if (p.fd) check_partials(d.op, p.x, steps_for(d, p), p.tol);
        }
    }
}

TEST_CASE("distribution third partials match finite differences of the second partials") {
    int points = 0;
    double worst = 0;
    std::string worst_at;
    for (const Case& c : registered_cases()) {
        const DistributionDef& d = dist(c.name);
        if (!d.op.third) continue;
        for (const Point& p : c.points) {
            if (!p.fd) continue;
            const double error = check_third_partials(d.op, p.x, steps_for(d, p), p.tol);
            if (error > worst) {
                worst = error;
                worst_at = c.name + " at " + show(p.x);
            }
            ++points;
        }
    }
    WARN("third partials of log densities checked at " << points << " points; largest relative error " << worst << " ("
                                                       << worst_at << ")");
    CHECK(points > 0);
}

TEST_CASE("the distributions whose log density has no third partials yet are these") {
    // Every log density has them now (von_mises was the last); a new
    // distribution without them must be added here.
    const std::set<std::string> without_third{};
    for (const DistributionDef* d : mlec::rt::all_distributions()) {
        const std::string name(d->name);
        INFO(name);
        CHECK(d->op.third == (without_third.count(name) == 0));
        // (the distribution functions' list is test_cdf.cpp's)
    }
}

TEST_CASE("distributions on a block of rows equal the row-by-row results") {
    for (const Case& c : registered_cases()) {
        std::vector<Row> rows;
        for (const Point& p : c.points) rows.push_back(p.x);
        check_block_form(dist(c.name).op, rows);
    }
}

TEST_CASE("discrete outcomes and integer arguments have zero partials") {
    // A pmf's y is never differentiated; binomial's n is an integer.
    const Evaluated b = mlec::test::eval_one(dist("binomial").op, {3, 10, 0.3});
    for (int k : {0, 1, 2, 3, 4}) {  // every pair that involves y or n
        INFO("pair " << k);
        CHECK(b.d2[k] == 0);
    }
    CHECK(b.d1[0] == 0);
    CHECK(b.d1[1] == 0);
    CHECK(b.d1[2] == Approx(3 / 0.3 - 7 / 0.7).epsilon(1e-14));
    for (const char* name : {"bernoulli", "bernoulli_logit", "poisson", "poisson_log", "geometric"}) {
        const Evaluated e = mlec::test::eval_one(dist(name).op, {1, 0.4});
        INFO(name);
        CHECK(e.d1[0] == 0);
        CHECK(e.d2[0] == 0);
        CHECK(e.d2[1] == 0);
    }
    for (const Row& x : std::vector<Row>{{3, 2.5, 4}, {2, 0.2, 0.5, 0.3}}) {
        const char* name = x.size() == 3 ? "negbinomial" : "categorical";
        INFO(name);
        const Evaluated e = mlec::test::eval_one(dist(name).op, x);
        CHECK(e.d1[0] == 0);
        for (std::size_t j = 0; j < x.size(); ++j) CHECK(e.d2[j] == 0);  // pairs (0, j)
    }
}
