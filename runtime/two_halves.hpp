// Two halves of one dense computation at once, for the kernels of the
// Laplace approximation's factorization and selected inverse.
#pragma once

#include <functional>
#include <system_error>
#include <thread>

namespace mlec::rt {

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
