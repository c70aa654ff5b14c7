// ExactSums against Boost.Multiprecision: the exact sum as a big integer in
// units of 2^-1074 (every finite double is an integer multiple of that), and
// its rounding to double by Boost's own conversion of a binary float wide
// enough to hold it exactly.
#include "runtime/exact_sum.hpp"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <boost/multiprecision/cpp_bin_float.hpp>
#include <boost/multiprecision/cpp_int.hpp>
#include <catch2/catch.hpp>

using mlec::rt::ExactSums;
using BigInt = boost::multiprecision::cpp_int;
// 2200 bits hold any sum of fewer than 2^100 doubles exactly (2^-1074 up to
// 2^1124). The default exponent range: in Boost 1.74 a narrowed one
// (e.g. -2400..2400) makes ldexp and division return 0.
using BigFloat =
    boost::multiprecision::number<boost::multiprecision::cpp_bin_float<2200, boost::multiprecision::digit_base_2>>;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kTiny = std::numeric_limits<double>::denorm_min();

std::uint64_t bits_of(double x) { return std::bit_cast<std::uint64_t>(x); }

// x * 2^1074 as an integer, through frexp (not through the bit layout the
// implementation uses): x = f * 2^e with f * 2^53 an integer.
BigInt scaled(double x) {
    int e = 0;
    const double f = std::frexp(x, &e);
    BigInt m = static_cast<std::int64_t>(std::ldexp(f, 53));
    const int shift = e + 1074 - 53;
    if (shift >= 0) return m << shift;
    const BigInt q = m / (BigInt(1) << -shift);
    REQUIRE(q * (BigInt(1) << -shift) == m);  // a double's bits end at 2^-1074
    return q;
}

BigInt exact_sum(const std::vector<double>& xs) {
    BigInt s = 0;
    for (double x : xs) s += scaled(x);
    return s;
}

// Boost's correctly rounded conversion of the exact sum.
double boost_round(const BigInt& s) {
    const BigFloat f = ldexp(BigFloat(s), -1074);
    return f.convert_to<double>();
}

// The same rounding spelled out on the integer: keep the 53 bits from the top
// (never below 2^-1074), round half to even on the rest.
double integer_round(const BigInt& s) {
    if (s == 0) return 0.0;
    const BigInt a = abs(s);
    const long b = static_cast<long>(msb(a));
    const long lsb = std::max(0L, b - 52);
    BigInt q = a >> lsb;
    if (lsb > 0) {
        const BigInt rest = a - (q << lsb);
        const BigInt half = BigInt(1) << (lsb - 1);
        if (rest > half || (rest == half && (q & 1) != 0)) ++q;
    }
    const double r = std::ldexp(q.convert_to<double>(), static_cast<int>(lsb) - 1074);
    return s < 0 ? -r : r;
}

double reference(const std::vector<double>& xs) {
    const BigInt s = exact_sum(xs);
    const double r = boost_round(s);
    REQUIRE(bits_of(r) == bits_of(integer_round(s)));
    return r;
}

double sequential_value(const std::vector<double>& xs) {
    ExactSums sums(1);
    for (double x : xs) sums.add(0, x);
    return sums.value(0);
}

// A double with uniformly random sign and fraction and a biased exponent
// uniform in [lo, hi].
double random_double(std::mt19937_64& rng, int lo, int hi) {
    std::uniform_int_distribution<int> exponent(std::max(lo, 0), std::min(hi, 2046));
    const std::uint64_t fraction = rng() & ((std::uint64_t{1} << 52) - 1);
    const std::uint64_t sign = rng() & 1;
    return std::bit_cast<double>((sign << 63) | (static_cast<std::uint64_t>(exponent(rng)) << 52) | fraction);
}

std::vector<double> random_set(std::mt19937_64& rng, std::size_t n, int lo, int hi) {
    std::vector<double> xs(n);
    for (auto& x : xs) x = random_double(rng, lo, hi);
    return xs;
}

// Several kinds of random sets: all exponents, a cluster of nearby exponents
// (cancellation and rounding in every bit), subnormals, near DBL_MAX.
std::vector<std::vector<double>> random_sets(std::mt19937_64& rng) {
    std::vector<std::vector<double>> sets;
    std::uniform_int_distribution<int> centre(0, 2046);
    std::uniform_int_distribution<std::size_t> size(1, 300);
    for (int t = 0; t < 60; ++t) {
        sets.push_back(random_set(rng, size(rng), 0, 2046));
        const int c = centre(rng);
        sets.push_back(random_set(rng, size(rng), c - 60, c + 60));
        sets.push_back(random_set(rng, size(rng), c - 3, c + 3));
        sets.push_back(random_set(rng, size(rng), 0, 3));
        sets.push_back(random_set(rng, size(rng), 2030, 2046));
        auto big = random_set(rng, size(rng), 2040, 2046);
        for (auto& x : big) x = std::fabs(x);  // overflows to +inf
        sets.push_back(big);
    }
    return sets;
}

std::vector<std::int64_t> words(const ExactSums& s) { return {s.raw().begin(), s.raw().end()}; }

}  // namespace

TEST_CASE("exact_sum: hand-picked sums against the big-integer reference", "[exact_sum]") {
    const double max = DBL_MAX;
    const double min_normal = DBL_MIN;
    const double half_ulp_of_max = std::ldexp(1.0, 970);  // DBL_MAX + this is the tie with 2^1024
    const std::vector<std::vector<double>> cases = {
        {},
        {-0.0},
        {1.0, -1.0},
        {1e308, 1.0, -1e308},
        {1e308, 1e-308, -1e308, kTiny},
        {0.1, 0.2, 0.3, -0.6},
        {1.0, std::ldexp(1.0, -53)},                          // tie, 1 is even: stays 1
        {1.0 + DBL_EPSILON, std::ldexp(1.0, -53)},            // tie, odd: rounds up
        {1.0, std::ldexp(1.0, -53), std::ldexp(1.0, -1074)},  // just above the tie
        {-1.0, -std::ldexp(1.0, -53), -std::ldexp(1.0, -1074)},
        {kTiny, kTiny, kTiny},
        {min_normal, -kTiny},              // largest subnormal
        {min_normal / 2, min_normal / 2},  // subnormals to a normal
        {max, max},                        // overflow
        {-max, -max},
        {max, max, -max},                // intermediate overflow
        {max, half_ulp_of_max},          // tie at the top: +inf
        {max, half_ulp_of_max, -kTiny},  // just below: DBL_MAX
        {-max, -half_ulp_of_max},
        {max, std::ldexp(1.0, 969)},
        {std::ldexp(1.0, 1023), std::ldexp(1.0, -1074)},
        {std::ldexp(1.0, 1023), -std::ldexp(1.0, -1074)},
    };
    for (const auto& xs : cases) {
        INFO("case of " << xs.size() << " values starting " << (xs.empty() ? 0.0 : xs.front()));
        CHECK(bits_of(sequential_value(xs)) == bits_of(reference(xs)));
    }
    // the spelled-out expectations, independent of the reference
    CHECK(sequential_value({1e308, 1.0, -1e308}) == 1.0);
    CHECK(bits_of(sequential_value({1.0, -1.0})) == bits_of(0.0));
    CHECK(bits_of(sequential_value({-0.0})) == bits_of(0.0));
    CHECK(sequential_value({1.0, std::ldexp(1.0, -53)}) == 1.0);
    CHECK(sequential_value({1.0 + DBL_EPSILON, std::ldexp(1.0, -53)}) == 1.0 + 2 * DBL_EPSILON);
    CHECK(sequential_value({max, max, -max}) == max);
    CHECK(sequential_value({max, half_ulp_of_max}) == kInf);
    CHECK(sequential_value({max, half_ulp_of_max, -kTiny}) == max);
    CHECK(sequential_value({-max, -max}) == -kInf);
    CHECK(sequential_value({kTiny, kTiny, kTiny}) == 3 * kTiny);
}

TEST_CASE("exact_sum: random sets against the big-integer reference", "[exact_sum]") {
    std::mt19937_64 rng(20240611);
    for (const auto& xs : random_sets(rng)) CHECK(bits_of(sequential_value(xs)) == bits_of(reference(xs)));
}

TEST_CASE("exact_sum: ties round to even", "[exact_sum]") {
    std::mt19937_64 rng(7);
    for (int t = 0; t < 2000; ++t) {
        // x plus half its ulp, the half split in pieces: the exact sum is a
        // tie, rounding to x if its last bit is 0 and up otherwise
        const double x = std::fabs(random_double(rng, 60, 1990));
        const double ulp = std::nextafter(x, kInf) - x;
        const std::vector<double> xs = {ulp / 4, x, ulp / 8, ulp / 8};
        const bool even = (bits_of(x) & 1) == 0;
        CHECK(sequential_value(xs) == (even ? x : x + ulp));
        CHECK(sequential_value({-ulp / 4, -x, -ulp / 8, -ulp / 8}) == (even ? -x : -(x + ulp)));
        CHECK(bits_of(sequential_value(xs)) == bits_of(reference(xs)));
    }
}

TEST_CASE("exact_sum: any order, any split, the simulated MPI path give the same bits", "[exact_sum]") {
    std::mt19937_64 rng(99);
    const auto sets = random_sets(rng);
    // several sums in one object, one set each
    constexpr std::size_t kCount = 6;
    for (std::size_t start = 0; start + kCount <= sets.size(); start += kCount) {
        std::vector<std::pair<std::size_t, double>> adds;
        std::vector<double> expected(kCount);
        for (std::size_t i = 0; i < kCount; ++i) {
            for (double x : sets[start + i]) adds.emplace_back(i, x);
            expected[i] = reference(sets[start + i]);
        }
        ExactSums canonical(kCount);
        for (auto [i, x] : adds) canonical.add(i, x);
        canonical.normalize();
        for (std::size_t i = 0; i < kCount; ++i) CHECK(bits_of(canonical.value(i)) == bits_of(expected[i]));

        for (int trial = 0; trial < 4; ++trial) {
            std::shuffle(adds.begin(), adds.end(), rng);
            const std::size_t parts = 1 + rng() % 7;

            // threads: each part its own ExactSums, merged by add(other)
            std::vector<ExactSums> part(parts, ExactSums(kCount));
            for (auto [i, x] : adds) part[rng() % parts].add(i, x);
            std::vector<std::size_t> order(parts);
            for (std::size_t p = 0; p < parts; ++p) order[p] = p;
            std::shuffle(order.begin(), order.end(), rng);
            ExactSums merged(kCount);
            for (std::size_t p : order) merged.add(part[p]);
            for (std::size_t i = 0; i < kCount; ++i) CHECK(bits_of(merged.value(i)) == bits_of(expected[i]));
            merged.normalize();
            CHECK(words(merged) == words(canonical));

            // ranks: normalize each, add the words as plain int64 in any
            // order (MPI_Allreduce, MPI_SUM), normalize, read
            std::vector<std::int64_t> total(canonical.raw().size(), 0);
            for (std::size_t p : order) {
                part[p].normalize();
                const auto w = part[p].raw();
                for (std::size_t k = 0; k < w.size(); ++k) total[k] += w[k];
            }
            ExactSums reduced(kCount);
            std::copy(total.begin(), total.end(), reduced.raw().begin());
            reduced.normalize();
            CHECK(words(reduced) == words(canonical));
            for (std::size_t i = 0; i < kCount; ++i) CHECK(bits_of(reduced.value(i)) == bits_of(expected[i]));
        }
    }
}

TEST_CASE("exact_sum: normalized words of 2^20 ranks add up without overflow", "[exact_sum]") {
    // -2^-1074 is the state with the largest digits (all 2^32 - 1, top -1)
    ExactSums a(2);
    a.add(0, -kTiny);
    const std::vector<double> mixed = {-DBL_MAX, 3 * kTiny, -1.5, std::ldexp(-1.0, 700), -DBL_MIN / 3};
    for (double x : mixed) a.add(1, x);
    a.normalize();
    for (std::size_t k = 0; k + 1 < ExactSums::kDigits; ++k) {
        CHECK(a.raw()[k] >= 0);
        CHECK(a.raw()[k] < (std::int64_t{1} << 32));
    }
    // 2^20 ranks holding this state: the word-wise int64 sum is 2^20 * word
    ExactSums total(2);
    for (std::size_t k = 0; k < a.raw().size(); ++k) total.raw()[k] = a.raw()[k] * (std::int64_t{1} << 20);
    total.normalize();
    CHECK(total.value(0) == -std::ldexp(1.0, 20 - 1074));
    CHECK(total.value(1) == -kInf);

    // half the ranks with `mixed`, half with a state cancelling most of it
    ExactSums b(2);
    const std::vector<double> cancel = {DBL_MAX, 1.5, std::ldexp(1.0, 700), 0.25};
    for (double x : cancel) b.add(1, x);
    b.normalize();
    for (std::size_t k = 0; k < a.raw().size(); ++k)
        total.raw()[k] = (a.raw()[k] + b.raw()[k]) * (std::int64_t{1} << 19);
    total.normalize();
    std::vector<double> both = mixed;
    both.insert(both.end(), cancel.begin(), cancel.end());
    const BigInt exact = exact_sum(both) * (BigInt(1) << 19);
    CHECK(bits_of(total.value(1)) == bits_of(boost_round(exact)));
}

TEST_CASE("exact_sum: ten million adds to one sum without normalize stay exact", "[exact_sum]") {
    constexpr int kAdds = 10'000'000;
    // a mantissa of all ones placed so that it straddles three digits with the
    // largest pieces (bit position 31 mod 32)
    const double wide = std::ldexp(std::ldexp(1.0, 53) - 1, 31 + 32 * 20 - 1074);
    ExactSums sums(3);
    for (int n = 0; n < kAdds; ++n) {
        sums.add(0, 0.1);
        sums.add(1, -wide);
        sums.add(1, DBL_MAX);
        sums.add(2, -DBL_MAX);
    }
    sums.add(2, 1.0);
    const std::vector<std::int64_t> before = words(sums);
    CHECK(bits_of(sums.value(0)) == bits_of(boost_round(scaled(0.1) * kAdds)));
    CHECK(sums.value(1) == kInf);
    CHECK(sums.value(2) == -kInf);
    CHECK(words(sums) == before);  // value() left the state alone
    for (int n = 0; n < kAdds; ++n) {
        sums.add(1, -DBL_MAX);
        sums.add(2, DBL_MAX);
    }
    CHECK(bits_of(sums.value(1)) == bits_of(boost_round(scaled(-wide) * kAdds)));
    CHECK(sums.value(2) == 1.0);
}

TEST_CASE("exact_sum: non-finite values", "[exact_sum]") {
    const double neg_nan = -kNaN;
    CHECK(std::isnan(sequential_value({1.0, kNaN, 2.0})));
    CHECK(std::isnan(sequential_value({neg_nan})));
    CHECK(std::isnan(sequential_value({kInf, -kInf})));
    CHECK(std::isnan(sequential_value({kInf, kNaN})));
    CHECK(sequential_value({kInf, 1.0, kInf}) == kInf);
    CHECK(sequential_value({-kInf, 1.0}) == -kInf);
    // an infinity wins over a finite sum that overflows the other way
    CHECK(sequential_value({kInf, -DBL_MAX, -DBL_MAX}) == kInf);
    CHECK(sequential_value({-kInf, DBL_MAX, DBL_MAX}) == -kInf);

    // the counts survive merging and the rank sum
    ExactSums a(3), b(3);
    a.add(0, kInf);
    b.add(0, 2.0);
    a.add(1, kInf);
    b.add(1, -kInf);
    b.add(2, kNaN);
    ExactSums merged(3);
    merged.add(a);
    merged.add(b);
    CHECK(merged.value(0) == kInf);
    CHECK(std::isnan(merged.value(1)));
    CHECK(std::isnan(merged.value(2)));
    a.normalize();
    b.normalize();
    ExactSums reduced(3);
    for (std::size_t k = 0; k < reduced.raw().size(); ++k) reduced.raw()[k] = a.raw()[k] + b.raw()[k];
    reduced.normalize();
    CHECK(words(reduced) == words(merged));
    CHECK(reduced.value(0) == kInf);
    CHECK(std::isnan(reduced.value(1)));
}

TEST_CASE("exact_sum: reset, clear and size", "[exact_sum]") {
    ExactSums s;
    CHECK(s.size() == 0);
    CHECK(s.raw().empty());
    s.reset(4);
    CHECK(s.size() == 4);
    CHECK(s.raw().size() == 4 * ExactSums::kStride);
    s.add(3, 5.5);
    s.add(2, kNaN);
    CHECK(s.value(3) == 5.5);
    s.clear();
    CHECK(s.size() == 4);
    CHECK(bits_of(s.value(3)) == bits_of(0.0));
    CHECK(s.value(2) == 0.0);
    s.add(2, 1.0);
    s.reset(4);
    CHECK(std::all_of(s.raw().begin(), s.raw().end(), [](std::int64_t w) { return w == 0; }));
}
