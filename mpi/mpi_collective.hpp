// rt::Collective over an MPI communicator (Open MPI), with a bounded wait:
// every exchange is a non-blocking MPI call polled until it completes or the
// timeout passes, so a rank that died or hangs makes the others throw
// mlec::ClusterFailure instead of waiting forever.
#pragma once

#include <mpi.h>

#include <functional>
#include <string_view>

#include "runtime/collective.hpp"

namespace mlec::mpi {

class MpiCollective final : public rt::Collective {
public:
    // Works on a duplicate of `comm`, so its messages never meet the
    // caller's. MPI must be initialized and outlive this object.
    MpiCollective(MPI_Comm comm, double timeout_seconds);
    ~MpiCollective() override;
    MpiCollective(const MpiCollective&) = delete;
    MpiCollective& operator=(const MpiCollective&) = delete;

    int rank() const override { return rank_; }
    int size() const override { return size_; }
    void sum(std::span<std::int64_t> values) override;
    std::vector<std::string> all_gather(const std::string& mine) override;
    void broadcast(std::string& bytes, int root) override;
    std::vector<std::string> all_to_all(const std::vector<std::string>& send) override;

    double timeout_seconds() const { return timeout_; }

    // Rank 0 gets every rank's `mine` in rank order, each passed to `take`
    // as it arrives (the others pass theirs and return).
    void send_to_root_in_order(const std::string& mine, const std::function<void(std::string_view)>& take);

private:
    // Polls `request` until it completes; throws ClusterFailure at the
    // timeout, naming `what` was being exchanged (bounded = false: no
    // timeout). After a timeout the object is broken: the request stays
    // pending, so the communicator is never freed (MPI_Abort follows).
    void wait(MPI_Request& request, const char* what, bool bounded = true);

    MPI_Comm comm_ = MPI_COMM_NULL;
    bool broken_ = false;
    int rank_ = 0;
    int size_ = 1;
    double timeout_;
};

}  // namespace mlec::mpi
