#include "support/thread_collective.hpp"

#include <stdexcept>
#include <thread>

#include "mlec/diagnostic.hpp"

namespace mlec::test {

namespace {

const char* op_name(ThreadCluster::Op op) {
    switch (op) {
        case ThreadCluster::Op::sum: return "sum";
        case ThreadCluster::Op::all_gather: return "all_gather";
        case ThreadCluster::Op::broadcast: return "broadcast";
        case ThreadCluster::Op::all_to_all: return "all_to_all";
    }
    return "?";
}

// The call as a text, for comparing ranks' calls and naming them.
std::string describe(const ThreadCluster::Contribution& c) {
    std::string s = op_name(c.op);
    if (c.op == ThreadCluster::Op::sum) s += " of " + std::to_string(c.words.size()) + " words";
    if (c.op == ThreadCluster::Op::broadcast) s += " from rank " + std::to_string(c.root);
    if (c.op == ThreadCluster::Op::all_to_all) s += " of " + std::to_string(c.parts.size()) + " messages";
    return s;
}

}  // namespace

ThreadCluster::ThreadCluster(int size, std::chrono::milliseconds timeout)
    : size_(size), timeout_(timeout), pending_(static_cast<std::size_t>(size)) {
    if (size < 1) throw std::invalid_argument("a cluster needs at least one rank");
}

std::shared_ptr<const std::vector<ThreadCluster::Contribution>> ThreadCluster::exchange(int rank, Contribution mine) {
    std::unique_lock lock(mutex_);
    if (aborted_) throw ClusterFailure("rank " + std::to_string(rank) + ": another rank failed");
    if (!left_.empty())
        throw std::logic_error("rank " + std::to_string(rank) + " made collective call " +
                               std::to_string(generation_ + 1) + " (" + describe(mine) + ") after " + left_);
    pending_[static_cast<std::size_t>(rank)] = std::move(mine);
    if (++arrived_ == size_) {
        // The last to arrive completes the exchange for everyone.
        mismatch_.clear();
        const std::string first = describe(pending_.front());
        for (std::size_t r = 1; r < pending_.size() && mismatch_.empty(); ++r) {
            const std::string other = describe(pending_[r]);
            if (other != first)
                mismatch_ = "collective call " + std::to_string(generation_ + 1) + ": rank 0 made " + first +
                            ", rank " + std::to_string(r) + " " + other;
        }
        if (mismatch_.empty() && pending_.front().op == Op::broadcast &&
            (pending_.front().root < 0 || pending_.front().root >= size_))
            mismatch_ = "broadcast from rank " + std::to_string(pending_.front().root) + " of " + std::to_string(size_);
        if (mismatch_.empty() && pending_.front().op == Op::all_to_all &&
            pending_.front().parts.size() != static_cast<std::size_t>(size_))
            mismatch_ = "all_to_all of " + std::to_string(pending_.front().parts.size()) + " messages on " +
                        std::to_string(size_) + " ranks";
        published_ = std::make_shared<const std::vector<Contribution>>(std::move(pending_));
        pending_ = std::vector<Contribution>(static_cast<std::size_t>(size_));
        arrived_ = 0;
        ++generation_;
        done_.notify_all();
    } else {
        const std::uint64_t mine_generation = generation_;
        const auto settled = [&] { return generation_ != mine_generation || aborted_ || !left_.empty(); };
        if (!done_.wait_for(lock, timeout_, settled)) {
            aborted_ = true;
            done_.notify_all();
            throw ClusterFailure("rank " + std::to_string(rank) + " waited too long for the other ranks");
        }
        // Aborted while waiting, before the exchange completed.
        if (generation_ == mine_generation && aborted_)
            throw ClusterFailure("rank " + std::to_string(rank) + ": another rank failed");
        if (generation_ == mine_generation)
            throw std::logic_error("rank " + std::to_string(rank) + " waits at collective call " +
                                   std::to_string(generation_ + 1) + " (" +
                                   describe(pending_[static_cast<std::size_t>(rank)]) + ") but " + left_);
    }
    if (!mismatch_.empty()) throw std::logic_error(mismatch_);
    return published_;
}

void ThreadCluster::abort(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    if (!first_error_) first_error_ = std::move(error);
    aborted_ = true;
    done_.notify_all();
}

void ThreadCluster::leave(int rank) {
    std::lock_guard lock(mutex_);
    if (left_.empty())
        left_ = "rank " + std::to_string(rank) + " returned after " + std::to_string(generation_) + " calls";
    done_.notify_all();
}

std::exception_ptr ThreadCluster::first_error() const {
    std::lock_guard lock(mutex_);
    return first_error_;
}

ThreadCollective::ThreadCollective(std::shared_ptr<ThreadCluster> cluster, int rank)
    : cluster_(std::move(cluster)), rank_(rank) {
    if (rank < 0 || rank >= cluster_->size()) throw std::invalid_argument("no such rank");
}

std::shared_ptr<const std::vector<ThreadCluster::Contribution>> ThreadCollective::exchange(
    ThreadCluster::Contribution mine) {
    ++calls_;
    return cluster_->exchange(rank_, std::move(mine));
}

void ThreadCollective::sum(std::span<std::int64_t> values) {
    ThreadCluster::Contribution mine;
    mine.op = ThreadCluster::Op::sum;
    mine.words.assign(values.begin(), values.end());
    const auto all = exchange(std::move(mine));
    // Plain int64 addition (as MPI_SUM on MPI_INT64_T): the words are made
    // so that it cannot overflow (runtime/exact_sum.hpp), which UBSan checks.
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::int64_t total = 0;
        for (const ThreadCluster::Contribution& c : *all) total += c.words[i];
        values[i] = total;
    }
}

std::vector<std::string> ThreadCollective::all_gather(const std::string& mine) {
    ThreadCluster::Contribution c;
    c.op = ThreadCluster::Op::all_gather;
    c.bytes = mine;
    const auto all = exchange(std::move(c));
    std::vector<std::string> out;
    out.reserve(all->size());
    for (const ThreadCluster::Contribution& r : *all) out.push_back(r.bytes);
    return out;
}

void ThreadCollective::broadcast(std::string& bytes, int root) {
    ThreadCluster::Contribution c;
    c.op = ThreadCluster::Op::broadcast;
    c.root = root;
    if (root == rank_) c.bytes = bytes;
    const auto all = exchange(std::move(c));
    if (root != rank_) bytes = (*all)[static_cast<std::size_t>(root)].bytes;
}

std::vector<std::string> ThreadCollective::all_to_all(const std::vector<std::string>& send) {
    ThreadCluster::Contribution c;
    c.op = ThreadCluster::Op::all_to_all;
    c.parts = send;
    const auto all = exchange(std::move(c));
    std::vector<std::string> out;
    out.reserve(all->size());
    for (const ThreadCluster::Contribution& r : *all) out.push_back(r.parts[static_cast<std::size_t>(rank_)]);
    return out;
}

void run_ranks(int ranks, const std::function<void(rt::Collective&)>& body) {
    auto cluster = std::make_shared<ThreadCluster>(ranks);
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(ranks));
    for (int r = 0; r < ranks; ++r) {
        threads.emplace_back([cluster, r, &body] {
            try {
                ThreadCollective c(cluster, r);
                body(c);
                cluster->leave(r);
            } catch (...) {
                cluster->abort(std::current_exception());
            }
        });
    }
    for (std::thread& t : threads) t.join();
    if (std::exception_ptr error = cluster->first_error()) std::rethrow_exception(error);
}

std::shared_ptr<rt::Collective> borrowed(rt::Collective& c) {
    // The aliasing constructor with an empty owner: points at `c`, owns nothing.
    return std::shared_ptr<rt::Collective>(std::shared_ptr<void>(), &c);
}

}  // namespace mlec::test
