// The distributions: every log density against log(boost::math::pdf) (or,
// where the pdf underflows, the analytic asymptote), every partial against
// finite differences, the block form against single rows, and the domains.
#include <boost/math/distributions/bernoulli.hpp>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>

#include <map>
#include <string>

#include "runtime/distributions.hpp"
#include "support/op_check.hpp"

using mlec::rt::DistributionDef;
using mlec::rt::Domain;
using mlec::test::Evaluated;
using mlec::test::inf;
using mlec::test::qnan;
using mlec::test::Row;

namespace {

namespace bm = boost::math;

struct Point {
    Row x;            // (y, args...)
    double expected;  // log density from Boost.Math or the analytic asymptote
    bool fd = true;   // check partials by finite differences here
    Row step = {};    // first finite-difference steps; empty = from the domains
    mlec::test::Tolerance tol = {};
    double value_rel = 1e-12;  // value tolerance, relative to max(1, |expected|)
};

struct Case {
    std::string name;
    std::vector<Point> points;
};

double log_pdf_bernoulli(double y, double p) { return std::log(bm::pdf(bm::bernoulli_distribution<>(p), y)); }

// bernoulli(y | sigmoid(eta)) through Boost, with the success probability
// formed on the side where 1/(1+exp(.)) is accurate: for eta > 0 use
// P(y | sigmoid(eta)) = P(1 - y | sigmoid(-eta)).
double log_pdf_bernoulli_logit(double y, double eta) {
    if (eta > 0) return log_pdf_bernoulli(1 - y, 1 / (1 + std::exp(eta)));
    return log_pdf_bernoulli(y, 1 / (1 + std::exp(-eta)));
}

double log_pdf_binomial(double y, double n, double p) {
    return std::log(bm::pdf(bm::binomial_distribution<>(n, p), y));
}
double log_pdf_poisson(double y, double lambda) {
    return std::log(bm::pdf(bm::poisson_distribution<>(lambda), y));
}
double log_pdf_normal(double y, double mu, double sigma) {
    return std::log(bm::pdf(bm::normal_distribution<>(mu, sigma), y));
}
double log_pdf_lognormal(double y, double mu, double sigma) {
    return std::log(bm::pdf(bm::lognormal_distribution<>(mu, sigma), y));
}
double log_pdf_exponential(double y, double rate) {
    return std::log(bm::pdf(bm::exponential_distribution<>(rate), y));
}
double log_pdf_gamma(double y, double shape, double rate) {
    return std::log(bm::pdf(bm::gamma_distribution<>(shape, 1 / rate), y));
}

const double log_sqrt_2pi = 0.5 * std::log(2 * 3.14159265358979323846);

std::vector<Case> cases() {
    std::vector<Case> out;
    const double almost_one = 1 - 1e-10;
    out.push_back({"bernoulli",
                   {{{1, 0.3}, log_pdf_bernoulli(1, 0.3)},
                    {{0, 0.3}, log_pdf_bernoulli(0, 0.3)},
                    {{1, 1e-10}, log_pdf_bernoulli(1, 1e-10)},
                    {{0, almost_one}, log_pdf_bernoulli(0, almost_one)},
                    // log(1-p) is flat next to p = 0, where the steps must stay
                    // below p: differences of it drown in rounding, so its
                    // partials are checked a little further in.
                    {{0, 1e-10}, log_pdf_bernoulli(0, 1e-10), false},
                    {{1, almost_one}, log_pdf_bernoulli(1, almost_one), false},
                    {{0, 1e-6}, log_pdf_bernoulli(0, 1e-6)},
                    {{1, 1 - 1e-6}, log_pdf_bernoulli(1, 1 - 1e-6)},
                    // p on the boundary with the outcome it makes certain
                    {{0, 0}, log_pdf_bernoulli(0, 0), false},
                    {{1, 1}, log_pdf_bernoulli(1, 1), false},
                    // ... and with the impossible one
                    {{1, 0}, -inf, false},
                    {{0, 1}, -inf, false},
                    // p out of [0, 1], NaN, outcome not 0/1
                    {{1, 1.2}, -inf, false},
                    {{0, -0.1}, -inf, false},
                    {{1, qnan}, -inf, false},
                    {{0.5, 0.5}, -inf, false},
                    {{2, 0.5}, -inf, false}}});
    out.push_back({"bernoulli_logit",
                   {{{1, 0.7}, log_pdf_bernoulli_logit(1, 0.7)},
                    {{0, 0.7}, log_pdf_bernoulli_logit(0, 0.7)},
                    {{1, -2}, log_pdf_bernoulli_logit(1, -2)},
                    {{0, 3}, log_pdf_bernoulli_logit(0, 3)},
                    {{1, 40}, log_pdf_bernoulli_logit(1, 40)},
                    {{0, 40}, log_pdf_bernoulli_logit(0, 40)},
                    {{1, -40}, log_pdf_bernoulli_logit(1, -40)},
                    {{0, -40}, log_pdf_bernoulli_logit(0, -40)},
                    // exp(-800) underflows: log p = -log1p(e^-|eta|) - (mismatch ? |eta| : 0)
                    {{1, 800}, 0, false},
                    {{0, 800}, -800, false},
                    {{1, -800}, -800, false},
                    {{0, -800}, 0, false},
                    {{0, 1e300}, -1e300, false},
                    {{1, -1e300}, -1e300, false},
                    {{1, 1e300}, 0, false},
                    {{1, qnan}, -inf, false},
                    {{1, inf}, -inf, false},
                    {{0.5, 0}, -inf, false}}});
    out.push_back({"binomial",
                   {{{3, 10, 0.3}, log_pdf_binomial(3, 10, 0.3)},
                    {{0, 10, 0.3}, log_pdf_binomial(0, 10, 0.3)},
                    {{10, 10, 0.3}, log_pdf_binomial(10, 10, 0.3)},
                    {{1500, 3000, 0.4}, log_pdf_binomial(1500, 3000, 0.4)},
                    {{3, 2000, 1e-3}, log_pdf_binomial(3, 2000, 1e-3)},
                    {{2000, 2000, 0.999}, log_pdf_binomial(2000, 2000, 0.999)},
                    {{12, 1e6, 1e-5}, log_pdf_binomial(12, 1e6, 1e-5)},
                    // log C(n, y) ~ +6.7e5 and y log p + (n-y) log(1-p) ~ -6.7e5
                    // cancel to -7.1: the sum keeps ~1e-10 absolute, and
                    // differences in p see the same rounding.
                    {{400000, 1e6, 0.4}, log_pdf_binomial(400000, 1e6, 0.4), true, {}, {1e-6, 1e-8}, 1e-10},
                    {{0, 0, 0.6}, 0},
                    {{0, 5, 0}, 0, false},
                    {{5, 5, 1}, 0, false},
                    {{2, 5, 0}, -inf, false},
                    {{2, 5, 1}, -inf, false},
                    {{7, 5, 0.3}, -inf, false},   // y > n
                    {{2, 5, 1.1}, -inf, false},   // p > 1
                    {{2, 5.5, 0.3}, -inf, false}, // n not an integer
                    {{-1, 5, 0.3}, -inf, false},
                    {{2, 5, qnan}, -inf, false}}});
    out.push_back({"poisson",
                   {{{0, 2.5}, log_pdf_poisson(0, 2.5)},
                    {{3, 2.5}, log_pdf_poisson(3, 2.5)},
                    {{10, 0.01}, log_pdf_poisson(10, 0.01)},
                    {{2000, 1900}, log_pdf_poisson(2000, 1900)},
                    {{0, 1e-8}, log_pdf_poisson(0, 1e-8)},
                    {{5, 1e6}, 5 * std::log(1e6) - 1e6 - std::lgamma(6.0)},  // pdf underflows
                    {{5, 0}, -inf, false},
                    {{5, -1}, -inf, false},
                    {{2.5, 1}, -inf, false},
                    {{-1, 1}, -inf, false},
                    {{1, inf}, -inf, false}}});
    out.push_back({"poisson_log",
                   {{{0, 0.5}, log_pdf_poisson(0, std::exp(0.5))},
                    {{3, std::log(2.5)}, log_pdf_poisson(3, 2.5)},
                    {{7, -3}, log_pdf_poisson(7, std::exp(-3.0))},
                    {{2000, std::log(1900.0)}, log_pdf_poisson(2000, 1900)},
                    // exp(eta) underflows or the pdf does: y eta - exp(eta) - lgamma(y+1)
                    {{0, -800}, 0},
                    {{4, -800}, -3200 - std::lgamma(5.0)},
                    {{3, 40}, 120 - std::exp(40.0) - std::lgamma(4.0)},
                    {{2, 800}, -inf, false},
                    {{0, qnan}, -inf, false},
                    {{1.5, 0}, -inf, false}}});
    out.push_back({"normal",
                   {{{0.3, 0, 1}, log_pdf_normal(0.3, 0, 1)},
                    {{-2, 1, 0.5}, log_pdf_normal(-2, 1, 0.5)},
                    {{5 + 2e-8, 5, 1e-8}, log_pdf_normal(5 + 2e-8, 5, 1e-8), true, {2e-9, 2e-9, 2e-9}},
                    {{3e8, 1e8, 1e8}, log_pdf_normal(3e8, 1e8, 1e8), true, {}, {1e-6, 1e-22}},
                    {{40, 0, 1}, -800 - log_sqrt_2pi},  // pdf underflows
                    {{0, 0, -1}, -inf, false},
                    {{0, 0, 0}, -inf, false},
                    {{inf, 0, 1}, -inf, false},
                    {{0, qnan, 1}, -inf, false}}});
    out.push_back({"lognormal",
                   {{{1.5, 0.2, 0.8}, log_pdf_lognormal(1.5, 0.2, 0.8)},
                    {{0.01, -3, 2}, log_pdf_lognormal(0.01, -3, 2)},
                    {{100, 4, 0.1}, log_pdf_lognormal(100, 4, 0.1)},
                    {{1e-5, 2, 30}, log_pdf_lognormal(1e-5, 2, 30)},
                    {{0, 0, 1}, -inf, false},
                    {{-1, 0, 1}, -inf, false},
                    {{1, 0, 0}, -inf, false}}});
    out.push_back({"exponential",
                   {{{0, 2}, log_pdf_exponential(0, 2)},  // y on the boundary: no steps in y
                    {{1.5, 0.3}, log_pdf_exponential(1.5, 0.3)},
                    {{1e-3, 1e3}, log_pdf_exponential(1e-3, 1e3)},
                    {{50, 0.01}, log_pdf_exponential(50, 0.01)},
                    {{-1, 1}, -inf, false},
                    {{1, 0}, -inf, false},
                    {{1, -2}, -inf, false}}});
    out.push_back({"gamma",
                   {{{2, 0.5, 1.3}, log_pdf_gamma(2, 0.5, 1.3)},  // shape < 1
                    {{2, 3.5, 0.7}, log_pdf_gamma(2, 3.5, 0.7)},
                    {{0.01, 0.2, 5}, log_pdf_gamma(0.01, 0.2, 5)},
                    {{100, 50, 0.5}, log_pdf_gamma(100, 50, 0.5)},
                    {{1, 1, 1}, log_pdf_gamma(1, 1, 1)},
                    {{0, 2, 1}, -inf, false},
                    {{1, 0, 1}, -inf, false},
                    {{1, 2, -1}, -inf, false}}});
    return out;
}

const DistributionDef& dist(const std::string& name) {
    const DistributionDef* d = mlec::rt::find_distribution(name);
    REQUIRE(d != nullptr);
    return *d;
}

// Steps for finite differences: none in y for a pmf, none in integer
// arguments (binomial's n), otherwise from the domain.
Row steps_for(const DistributionDef& d, const Point& p) {
    if (!p.step.empty()) return p.step;
    Row step;
    step.push_back(d.discrete ? 0.0 : mlec::test::default_step(d.outcome, p.x[0]));
    for (std::size_t i = 0; i < d.args.size(); ++i) {
        step.push_back(mlec::test::default_step(d.args[i].domain, p.x[i + 1]));
    }
    return step;
}

}  // namespace

TEST_CASE("the distribution table: names, arities, domains") {
    std::map<std::string, int> covered;
    for (const Case& c : cases()) ++covered[c.name];
    const std::map<std::string, std::pair<bool, Domain>> outcome{
        {"bernoulli", {true, Domain::binary}},        {"bernoulli_logit", {true, Domain::binary}},
        {"binomial", {true, Domain::count}},          {"poisson", {true, Domain::count}},
        {"poisson_log", {true, Domain::count}},       {"normal", {false, Domain::real}},
        {"lognormal", {false, Domain::positive}},     {"exponential", {false, Domain::nonnegative}},
        {"gamma", {false, Domain::positive}}};
    CHECK(mlec::rt::all_distributions().size() == outcome.size());
    for (const DistributionDef* d : mlec::rt::all_distributions()) {
        const std::string name(d->name);
        INFO(name);
        CHECK(covered.count(name) == 1);
        CHECK(mlec::rt::find_distribution(name) == d);
        CHECK(d->op.name == d->name);
        CHECK(d->op.arity == 1 + static_cast<int>(d->args.size()));
        CHECK(d->op.eval != nullptr);
        CHECK_FALSE(d->op.linear);
        REQUIRE(outcome.count(name) == 1);
        CHECK(d->discrete == outcome.at(name).first);
        CHECK(d->outcome == outcome.at(name).second);
    }
    CHECK(mlec::rt::find_distribution("normall") == nullptr);

    auto args = [](const std::string& name) {
        std::string s;
        for (const auto& a : dist(name).args) {
            s += std::string(a.name) + ":" + std::string(mlec::rt::domain_text(a.domain)) + ";";
        }
        return s;
    };
    CHECK(args("bernoulli") == "p:in [0, 1];");
    CHECK(args("bernoulli_logit") == "eta:a real number;");
    CHECK(args("binomial") == "n:a non-negative integer;p:in [0, 1];");
    CHECK(args("poisson") == "lambda:positive;");
    CHECK(args("poisson_log") == "eta:a real number;");
    CHECK(args("normal") == "mu:a real number;sigma:positive;");
    CHECK(args("lognormal") == "mu:a real number;sigma:positive;");
    CHECK(args("exponential") == "rate:positive;");
    CHECK(args("gamma") == "shape:positive;rate:positive;");
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
    for (const Case& c : cases()) {
        const DistributionDef& d = dist(c.name);
        for (const Point& p : c.points) {
            const Evaluated e = mlec::test::eval_one(d.op, p.x);
            INFO(c.name << " at " << mlec::test::show(p.x) << ": got " << e.value << ", expected "
                        << p.expected);
            CHECK(mlec::test::close_value(e.value, p.expected, p.value_rel));
            // -inf (never NaN) outside the domain, with partials that do not
            // poison the chain rule.
            CHECK_FALSE(std::isnan(e.value));
            if (e.value == -inf) {
                for (double v : e.d1) CHECK(v == 0);
                for (double v : e.d2) CHECK(v == 0);
            }
        }
    }
}

TEST_CASE("distribution partials match finite differences") {
    for (const Case& c : cases()) {
        const DistributionDef& d = dist(c.name);
        for (const Point& p : c.points) {
            if (p.fd) mlec::test::check_partials(d.op, p.x, steps_for(d, p), p.tol);
        }
    }
}

TEST_CASE("distributions on a block of rows equal the row-by-row results") {
    for (const Case& c : cases()) {
        std::vector<Row> rows;
        for (const Point& p : c.points) rows.push_back(p.x);
        mlec::test::check_block_form(dist(c.name).op, rows);
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
    for (const char* name : {"bernoulli", "bernoulli_logit", "poisson", "poisson_log"}) {
        const Evaluated e = mlec::test::eval_one(dist(name).op, {1, 0.4});
        INFO(name);
        CHECK(e.d1[0] == 0);
        CHECK(e.d2[0] == 0);
        CHECK(e.d2[1] == 0);
    }
}

TEST_CASE("bernoulli and binomial at p on the boundary") {
    // log p(0 | p) = log(1 - p): slope -1/(1-p), curvature -1/(1-p)^2, also at p = 0
    const Evaluated at0 = mlec::test::eval_one(dist("bernoulli").op, {0, 0});
    CHECK(at0.value == 0);
    CHECK(at0.d1[1] == -1);
    CHECK(at0.d2[2] == -1);
    const Evaluated at1 = mlec::test::eval_one(dist("bernoulli").op, {1, 1});
    CHECK(at1.value == 0);
    CHECK(at1.d1[1] == 1);
    CHECK(at1.d2[2] == -1);
    // binomial(0 | 5, 0) = 1: d/dp = -n/(1-p) = -5
    const Evaluated bin = mlec::test::eval_one(dist("binomial").op, {0, 5, 0});
    CHECK(bin.value == 0);
    CHECK(bin.d1[2] == -5);
    CHECK(bin.d2[5] == -5);
}

TEST_CASE("bernoulli_logit partials stay exact in the tails") {
    // d/deta = y - sigmoid(eta); at eta = 40, 1 - sigmoid(40) = e^-40/(1+e^-40)
    const double e = std::exp(-40.0);
    const Evaluated hit = mlec::test::eval_one(dist("bernoulli_logit").op, {1, 40});
    CHECK(hit.d1[1] == Approx(e / (1 + e)).epsilon(1e-14));
    CHECK(hit.d2[2] == Approx(-e / ((1 + e) * (1 + e))).epsilon(1e-14));
    const Evaluated miss = mlec::test::eval_one(dist("bernoulli_logit").op, {0, 1e300});
    CHECK(miss.d1[1] == -1);
    CHECK(miss.d2[2] == 0);
    const Evaluated far = mlec::test::eval_one(dist("bernoulli_logit").op, {1, -1e300});
    CHECK(far.d1[1] == 1);
}
