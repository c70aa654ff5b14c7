// The selected inverse of a factored H (EffectFactor) on a worker thread,
// started as soon as H is factored, while the caller goes on with what
// needs only the factor (the modes' polish); the caller, when it asks for
// the result, helps with what is left. The worker computes the top of the
// elimination tree, then each half below it that the caller has not
// claimed; the caller claims the first half once the top is done. Each
// half has its own workspace, so the numbers do not depend on which thread
// computes which (TreeHalves).
#pragma once

#include <atomic>
#include <future>
#include <vector>

#include "runtime/effect_factor.hpp"

namespace mlec::rt {

class InverseAhead {
public:
    InverseAhead() = default;
    InverseAhead(const InverseAhead&) = delete;
    InverseAhead& operator=(const InverseAhead&) = delete;
    ~InverseAhead() { settle(); }

    // Starts the worker on `factor`'s selected inverse (`two_threads`: the
    // top's wide products on two threads, where the caller's work beside it
    // is short); false when no thread could be started. `factor` must not
    // change until get() or settle().
    bool start(const EffectFactor& factor, bool two_threads);
    bool running() const { return worker_.valid(); }
    // The selected inverse on H's pattern, with the caller's help.
    std::vector<double> get();
    // Waits for the worker and drops its result.
    void settle();

private:
    const EffectFactor* factor_ = nullptr;
    std::promise<void> top_done_;
    std::shared_future<void> top_ready_;
    std::atomic<bool> claimed_[2] = {false, false};
    std::future<void> worker_;
};

}  // namespace mlec::rt
