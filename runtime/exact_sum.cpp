#include "runtime/exact_sum.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace mlec::rt {

namespace {

constexpr std::size_t kTop = ExactSums::kDigits - 1;
constexpr std::int64_t kLow32 = 0xFFFFFFFF;
constexpr std::uint64_t kInfBits = std::uint64_t{0x7FF} << 52;

// a += b (b may be null: a += 0), leaving a's digits in [0, 2^32) and the
// excess in its signed top word. Each word is split as w = hi * 2^32 + lo
// with hi = w >> 32 (the floor, arithmetic shift) and lo = w & (2^32 - 1) >= 0,
// so lo_a + lo_b + carry stays near 2^33 and the carry near 2^32: no
// intermediate can overflow whatever the int64 inputs.
void carry_add(std::int64_t* a, const std::int64_t* b) {
    std::int64_t carry = 0;
    for (std::size_t k = 0; k < kTop; ++k) {
        const std::int64_t bk = b != nullptr ? b[k] : 0;
        const std::int64_t low = (a[k] & kLow32) + (bk & kLow32) + carry;
        carry = (a[k] >> 32) + (bk >> 32) + (low >> 32);
        a[k] = low & kLow32;
    }
    a[kTop] += (b != nullptr ? b[kTop] : 0) + carry;
}

}  // namespace

ExactSums::ExactSums(std::size_t count) { reset(count); }

void ExactSums::reset(std::size_t count) {
    count_ = count;
    words_.assign(count * kStride, 0);
}

void ExactSums::clear() { std::fill(words_.begin(), words_.end(), 0); }

void ExactSums::add_non_finite(std::int64_t* sum, std::uint64_t bits) {
    // exponent all ones: a NaN if the fraction is non-zero, else +-inf
    if ((bits & ((std::uint64_t{1} << 52) - 1)) != 0) ++sum[kNaN];
    else if ((bits >> 63) != 0) ++sum[kMinusInf];
    else ++sum[kPlusInf];
}

void ExactSums::add(const ExactSums& other) {
    const std::size_t n = std::min(count_, other.count_);
    for (std::size_t i = 0; i < n; ++i) {
        std::int64_t* mine = words_.data() + i * kStride;
        const std::int64_t* theirs = other.words_.data() + i * kStride;
        carry_add(mine, theirs);
        mine[kPlusInf] += theirs[kPlusInf];
        mine[kMinusInf] += theirs[kMinusInf];
        mine[kNaN] += theirs[kNaN];
    }
}

void ExactSums::normalize() {
    for (std::size_t i = 0; i < count_; ++i) carry_add(words_.data() + i * kStride, nullptr);
}

double ExactSums::value(std::size_t i) const {
    const std::int64_t* sum = words_.data() + i * kStride;
    if (sum[kNaN] > 0 || (sum[kPlusInf] > 0 && sum[kMinusInf] > 0)) return std::numeric_limits<double>::quiet_NaN();
    if (sum[kPlusInf] > 0) return std::numeric_limits<double>::infinity();
    if (sum[kMinusInf] > 0) return -std::numeric_limits<double>::infinity();

    // Work on a canonical copy of |S|: the canonical form of S has a negative
    // top word iff S < 0, and negating every word then normalizing gives -S.
    std::array<std::int64_t, kDigits> d{};
    std::copy_n(sum, kDigits, d.begin());
    carry_add(d.data(), nullptr);
    const bool negative = d[kTop] < 0;
    if (negative) {
        for (auto& w : d) w = -w;
        carry_add(d.data(), nullptr);
    }
    const std::uint64_t sign = negative ? std::uint64_t{1} << 63 : 0;
    if (d[kTop] != 0) return std::bit_cast<double>(sign | kInfBits);

    int h = static_cast<int>(kTop) - 1;
    while (h >= 0 && d[static_cast<std::size_t>(h)] == 0) --h;
    if (h < 0) return 0.0;
    const auto digit = [&d](int k) -> std::uint64_t {
        return k >= 0 ? static_cast<std::uint64_t>(d[static_cast<std::size_t>(k)]) : 0;
    };
    // |S| lies in [2^(b - 1074), 2^(b - 1073))
    const int b = 32 * h + 31 - std::countl_zero(static_cast<std::uint32_t>(digit(h)));
    if (b >= 1024 + 1074) return std::bit_cast<double>(sign | kInfBits);

    // The nearest double is m * 2^(lsb - 1074) with lsb = max(0, b - 52) and
    // m the bits of |S| from b down to lsb, rounded half to even on the
    // remaining bits (IEEE 754 roundTiesToEven).
    std::uint64_t m = 0;
    unsigned lsb = 0;
    if (b <= 52) {
        m = digit(0) | (digit(1) << 32);  // |S| < 2^53 * 2^-1074: exact
    } else {
        // 96-bit window of digits h, h-1, h-2, whose bit 0 is bit 32(h-2) of
        // |S|: the top bit is at window position b - 32(h-2) in [64, 95], so
        // the kept bits start at low in [12, 43], the rounding bit below it.
        const std::uint64_t high = digit(h);
        const std::uint64_t rest = (digit(h - 1) << 32) | digit(h - 2);
        const int low = b - 32 * (h - 2) - 52;
        m = ((rest >> low) | (high << (64 - low))) & ((std::uint64_t{1} << 53) - 1);
        const std::uint64_t round = (rest >> (low - 1)) & 1;
        bool sticky = (rest & ((std::uint64_t{1} << (low - 1)) - 1)) != 0;
        for (int k = h - 3; k >= 0 && !sticky; --k) sticky = digit(k) != 0;
        m += round & ((sticky ? 1 : 0) | (m & 1));
        lsb = static_cast<unsigned>(b - 52);
    }
    // Biased exponent lsb + 1 and fraction m - 2^52 pack to (lsb << 52) + m;
    // for a subnormal (lsb 0, m < 2^52) the packing is m itself. Rounding up
    // to m = 2^53 carries into the exponent, and past DBL_MAX the pattern is
    // exactly that of +inf (lsb is at most 2045 here).
    const std::uint64_t bits = (static_cast<std::uint64_t>(lsb) << 52) + m;
    return std::bit_cast<double>(sign | bits);
}

}  // namespace mlec::rt
