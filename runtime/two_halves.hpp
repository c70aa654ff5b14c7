// Two halves of one dense computation at once, for the kernels of the
// Laplace approximation's factorization and selected inverse.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <functional>
#include <system_error>
#include <thread>

namespace mlec::rt {

// Where a dimension n is split in two: a multiple of 8 (whole vector
// registers) near `share` of n, within [0, n], fixed by n alone.
inline Eigen::Index split_at(Eigen::Index n, double share) {
    return std::clamp<Eigen::Index>((static_cast<Eigen::Index>(share * static_cast<double>(n)) + 4) / 8 * 8, 0, n);
}

// A supernode with this many flops of its own has its dense products split
// in two halves (a few milliseconds on InstEval's largest), in the
// factorization and in the selected inverse.
constexpr double wide_supernode = 1e7;

// Runs `first` and `second`, independent halves of one computation (their
// writes disjoint), on two threads when `two_threads` and a thread can be
// started, else one after the other. A computation split at a point fixed
// by its sizes alone computes the same numbers either way: results do not
// depend on the thread count.
template <class First, class Second>
void run_halves(bool two_threads, First&& first, Second&& second) {
    if (two_threads) {
        std::thread other;
        try {
            other = std::thread(std::ref(second));
        } catch (const std::system_error&) {
            // (no thread to be had: both here)
        }
        if (other.joinable()) {
            try {
                first();
            } catch (...) {
                other.join();
                throw;
            }
            other.join();
            return;
        }
    }
    first();
    second();
}

}  // namespace mlec::rt
