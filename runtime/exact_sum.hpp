// Exact, order-independent sums of doubles: a fixed-point "superaccumulator"
// (Kulisch; Neal 2015, "Fast exact summation using small and large
// superaccumulators", arXiv:1505.05571) wide enough for every finite double,
// so that the likelihood's sums over blocks of rows are bit-identical however
// the blocks are split across threads and MPI ranks.
//
// Representation. Sum i owns kStride consecutive int64 words of one vector:
//   words 0..kDigits-2   base-2^32 digits; digit k weighs 2^(32k - 1074),
//                        so digit 0 starts at the smallest subnormal and
//                        digit 65 holds the top bits of DBL_MAX;
//   word  kDigits-1      the top digit (weight 2^1102), signed: it holds
//                        the sign of the sum and everything from 2^1102 up;
//   the last three       how many +inf, -inf and NaN were added.
// The sum is S = sum_k word_k * 2^(32k - 1074) over the digit words, with no
// constraint on the words between normalizations ("carry-save" form): a
// finite double m * 2^(p - 1074) (m < 2^53, 0 <= p <= 2045) is added by
// shifting m by p mod 32 and adding its three 32-bit pieces to digits
// p/32 .. p/32 + 2, each piece below 2^32 in magnitude.
//
// Canonical form (after normalize()): digits 0..kDigits-2 in [0, 2^32), the
// top word = floor(S / 2^1102). Being the base-2^32 expansion of S, it
// depends only on S, never on the order of the additions.
//
// Bounds (why nothing overflows int64):
//  - add(i, x): one call changes a word by less than 2^32, so up to 2^30
//    add(i, x) calls on the same sum i since its last normalize() keep every
//    word below 2^62 + 2^32 in magnitude.
//  - normalize() accepts any int64 digit words (it splits each word into its
//    high and low 32 bits before adding the carry, so it cannot overflow) and
//    a top word below 2^62 in magnitude; counts must be non-negative.
//  - After normalize() every digit is below 2^32, the top word is 0 or -1
//    (as |S| < 2^1100, the limit stated below), and the counts are what was
//    added. So up to 2^20 normalized states (MPI ranks) added word by word as
//    plain int64 give digits below 2^52 and a top word of magnitude <= 2^20,
//    which normalize() turns into the canonical form of the total, provided
//    each rank added fewer than 2^43 non-finite values to a sum.
//  - add(other) accepts this object and `other` in any states within the
//    bounds above (e.g. 2^30 pending add(i, x) calls on each) and leaves this
//    object normalized, in one carry pass over the words.
//  - The exact sum of one state, and of the total over ranks, must stay below
//    2^1100 in magnitude (about 2^76 times DBL_MAX, so it cannot be reached
//    by adding doubles in practice); value() reads any sum from the overflow
//    threshold 2^1024 - 2^970 up to that limit as +-inf.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mlec::rt {

// `count` exact sums of doubles in one contiguous array of int64 words
// (raw() is one span, for one MPI_Allreduce of MPI_INT64_T with MPI_SUM).
class ExactSums {
public:
    // digit words per sum: 66 cover every finite double's bits, two more hold
    // carries up to 2^1102, and the last is the signed top digit
    static constexpr std::size_t kDigits = 69;
    static constexpr std::size_t kPlusInf = kDigits;
    static constexpr std::size_t kMinusInf = kDigits + 1;
    static constexpr std::size_t kNaN = kDigits + 2;
    static constexpr std::size_t kStride = kDigits + 3;

    explicit ExactSums(std::size_t count = 0);

    // resize to count sums, all exactly zero
    void reset(std::size_t count);
    std::size_t size() const { return count_; }
    // all sums back to exactly zero (keeps size)
    void clear();

    // sum i += x, exactly; x may be +-inf or NaN. Inline: this is the hot
    // path, once per block of rows per summed value.
    void add(std::size_t i, double x);
    // every sum += other's, exactly (other must have the same size)
    void add(const ExactSums& other);

    // propagate carries: canonical state (see the header comment)
    void normalize();

    std::span<std::int64_t> raw() { return words_; }
    std::span<const std::int64_t> raw() const { return words_; }

    // sum i rounded once to the nearest double, ties to even; NaN if a NaN or
    // both infinities were added, +-inf if only that infinity was. Does not
    // modify the state.
    double value(std::size_t i) const;

private:
    static void add_non_finite(std::int64_t* sum, std::uint64_t bits);

    std::size_t count_ = 0;
    std::vector<std::int64_t> words_;
};

inline void ExactSums::add(std::size_t i, double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const auto biased = static_cast<unsigned>(bits >> 52) & 0x7FFu;
    std::int64_t* sum = words_.data() + i * kStride;
    if (biased == 0x7FFu) [[unlikely]] {
        add_non_finite(sum, bits);
        return;
    }
    // IEEE 754 binary64: a normal number is (2^52 + f) * 2^(biased - 1075),
    // a subnormal f * 2^-1074; both are m * 2^(p - 1074) with p as below.
    const std::uint64_t normal = biased != 0 ? 1 : 0;
    const std::uint64_t m = (bits & ((std::uint64_t{1} << 52) - 1)) | (normal << 52);
    const unsigned p = biased - static_cast<unsigned>(normal);
    const unsigned shift = p & 31u;
    // the 84-bit value m * 2^shift as three 32-bit pieces; shifting right by
    // 32 - shift (1..32) and then 32 avoids a shift by 64 when shift is 0
    const std::uint64_t low = m << shift;
    const auto d0 = static_cast<std::int64_t>(low & 0xFFFFFFFFu);
    const auto d1 = static_cast<std::int64_t>(low >> 32);
    const auto d2 = static_cast<std::int64_t>((m >> (32u - shift)) >> 32);
    // branch-free negation: (d ^ -1) + 1 == -d
    const auto neg = -static_cast<std::int64_t>(bits >> 63);
    std::int64_t* digit = sum + (p >> 5);
    digit[0] += (d0 ^ neg) - neg;
    digit[1] += (d1 ^ neg) - neg;
    digit[2] += (d2 ^ neg) - neg;
}

}  // namespace mlec::rt
