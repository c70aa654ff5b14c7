// The communication a distributed fit needs, behind an interface so that the
// runtime and the API know nothing of MPI (mpi/ implements it with Open MPI
// when built with -DMLEC_MPI=ON; docs/distributed.md).
//
// Every rank holds some rows of the data and runs the same program on the
// same numbers, so each call below is collective: all ranks make the same
// calls in the same order. A call that cannot complete (a rank stopped
// answering) throws mlec::ClusterFailure; nothing can be saved then, and the
// program should stop every rank (the CLI calls MPI_Abort).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "mlec/diagnostic.hpp"

namespace mlec::rt {

class Collective {
public:
    virtual ~Collective() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;

    // Element-wise sum over all ranks, in place. Integer addition is
    // associative, so the result does not depend on the order in which the
    // ranks' values meet: this is how the likelihood's sums (ExactSums
    // words) stay bit-identical for every number of ranks.
    virtual void sum(std::span<std::int64_t> values) = 0;

    // Every rank's bytes, in rank order.
    virtual std::vector<std::string> all_gather(const std::string& mine) = 0;

    // `bytes` of rank `root`, on every rank.
    virtual void broadcast(std::string& bytes, int root) = 0;

    // send[k] goes to rank k; returns what each rank sent to this one.
    virtual std::vector<std::string> all_to_all(const std::vector<std::string>& send) = 0;
};

// Helpers over all_gather for small values.
std::vector<std::uint64_t> all_gather_u64(Collective& c, std::uint64_t mine);
bool all_true(Collective& c, bool mine);

}  // namespace mlec::rt
