// rt::Collective for tests: K "ranks" as K threads of one process, so the
// distributed code (problem/distributed, the evaluator's RowShare, Problem::bind
// on a part of a file) runs in every build, the sanitizer builds included,
// without MPI. Each call behaves as the MPI implementation's does (mpi/):
// sum adds every rank's int64 words element-wise, all_gather returns every
// rank's bytes in rank order, broadcast copies the root's bytes, all_to_all
// delivers send[k] of every rank to rank k.
//
// Stricter than MPI in one way: every call checks that all ranks made the
// same call (the same operation, the same number of words to sum, the same
// root, one message per rank to all_to_all). Ranks that disagree would
// deadlock or mix up messages under MPI; here the call throws
// std::logic_error naming both calls, on every rank.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "runtime/collective.hpp"

namespace mlec::test {

// What the ranks of one run share: one exchange at a time.
class ThreadCluster {
public:
    // `timeout`: how long a rank waits for the others at one exchange before
    // it throws ClusterFailure (a rank that never makes the call).
    explicit ThreadCluster(int size, std::chrono::milliseconds timeout = std::chrono::minutes(2));
    ThreadCluster(const ThreadCluster&) = delete;
    ThreadCluster& operator=(const ThreadCluster&) = delete;

    int size() const { return size_; }

    enum class Op { sum, all_gather, broadcast, all_to_all };
    struct Contribution {
        Op op = Op::sum;
        int root = 0;                     // broadcast
        std::vector<std::int64_t> words;  // sum
        std::string bytes;                // all_gather, broadcast
        std::vector<std::string> parts;   // all_to_all
    };

    // Rank `rank` gives its contribution to the current exchange; once every
    // rank has given one, each gets all of them, in rank order.
    std::shared_ptr<const std::vector<Contribution>> exchange(int rank, Contribution mine);

    // A rank failed: every exchange waiting now or started later throws, so
    // the other ranks end instead of waiting for it. The first error given
    // is kept (the cause; the others' errors are its consequences).
    void abort(std::exception_ptr error);
    std::exception_ptr first_error() const;

    // Rank `rank` has returned: an exchange that waits for it, now or later,
    // can never complete, so it throws std::logic_error (the ranks made
    // different numbers of calls).
    void leave(int rank);

private:
    const int size_;
    const std::chrono::milliseconds timeout_;
    mutable std::mutex mutex_;
    std::condition_variable done_;
    std::vector<Contribution> pending_;
    int arrived_ = 0;
    std::uint64_t generation_ = 0;
    // The last completed exchange (a new vector each time: a rank may still
    // be reading the previous one while the next begins).
    std::shared_ptr<const std::vector<Contribution>> published_;
    std::string mismatch_;  // non-empty: the last exchange's calls differed
    bool aborted_ = false;
    std::string left_;  // non-empty: a rank has returned (which)
    std::exception_ptr first_error_;
};

class ThreadCollective final : public rt::Collective {
public:
    ThreadCollective(std::shared_ptr<ThreadCluster> cluster, int rank);

    int rank() const override { return rank_; }
    int size() const override { return cluster_->size(); }
    void sum(std::span<std::int64_t> values) override;
    std::vector<std::string> all_gather(const std::string& mine) override;
    void broadcast(std::string& bytes, int root) override;
    std::vector<std::string> all_to_all(const std::vector<std::string>& send) override;

    // How many collective calls this rank made (every rank makes the same).
    std::size_t calls() const { return calls_; }

private:
    std::shared_ptr<const std::vector<ThreadCluster::Contribution>> exchange(ThreadCluster::Contribution mine);

    std::shared_ptr<ThreadCluster> cluster_;
    int rank_;
    std::size_t calls_ = 0;
};

// Runs `body` on `ranks` threads, thread r with rank r of one cluster, and
// joins them. If any rank throws, the others' waiting exchanges throw too,
// and the first exception thrown is rethrown here. `body` must not use
// Catch2's assertions (they are not thread-safe): record what each rank
// found and check it after run_ranks returns.
void run_ranks(int ranks, const std::function<void(rt::Collective&)>& body);

// The same collective as a shared_ptr that does not own it (Data::Impl keeps
// a shared_ptr); valid while `body` of run_ranks runs.
std::shared_ptr<rt::Collective> borrowed(rt::Collective& c);

}  // namespace mlec::test
