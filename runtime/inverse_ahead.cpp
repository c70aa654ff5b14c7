#include "runtime/inverse_ahead.hpp"

#include <exception>
#include <system_error>

namespace mlec::rt {

bool InverseAhead::start(const EffectFactor& factor, bool two_threads) {
    settle();
    factor_ = &factor;
    top_done_ = std::promise<void>();
    top_ready_ = top_done_.get_future().share();
    for (auto& c : claimed_) c.store(false);
    try {
        worker_ = std::async(std::launch::async, [this, two_threads] {
            try {
                factor_->inverse_begin(two_threads);
            } catch (...) {
                top_done_.set_exception(std::current_exception());
                throw;
            }
            top_done_.set_value();
            // (the second half first: the caller claims the first)
            for (const int h : {1, 0})
                if (!claimed_[h].exchange(true)) factor_->inverse_half(h);
        });
    } catch (const std::system_error&) {
        return false;
    }
    return true;
}

std::vector<double> InverseAhead::get() {
    top_ready_.get();
    if (!claimed_[0].exchange(true)) factor_->inverse_half(0);
    worker_.get();
    return factor_->inverse_result();
}

void InverseAhead::settle() {
    if (!worker_.valid()) return;
    try {
        worker_.get();
    } catch (...) {
        // (dropped: the next computation starts over)
    }
}

}  // namespace mlec::rt
