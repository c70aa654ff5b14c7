#include "mpi/mpi_collective.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>
#include <thread>

namespace mlec::mpi {

MpiCollective::MpiCollective(MPI_Comm comm, double timeout_seconds) : timeout_(timeout_seconds) {
    MPI_Comm_dup(comm, &comm_);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
}

MpiCollective::~MpiCollective() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && !broken_ && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

void MpiCollective::wait(MPI_Request& request, const char* what, bool bounded) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_));
    // Spin briefly (an exchange between ranks that are in step takes
    // microseconds), then sleep between polls so that a rank waiting for a
    // slower one leaves the core to it (ranks may share cores).
    for (long polls = 0;; ++polls) {
        int done = 0;
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        if (done) return;
        const auto now = Clock::now();
        if (bounded && now > deadline) {
            broken_ = true;
            throw ClusterFailure("rank " + std::to_string(rank_) + " of " + std::to_string(size_) +
                                 ": no answer from the other ranks within " +
                                 std::to_string(static_cast<long>(timeout_)) + " s while exchanging " + what +
                                 " (a rank died or hangs)");
        }
        if (now - start > std::chrono::microseconds(200))
            std::this_thread::sleep_for(std::chrono::microseconds(polls < 10000 ? 20 : 1000));
    }
}

void MpiCollective::sum(std::span<std::int64_t> values) {
    if (size_ == 1) return;
    // In pieces whose count fits MPI's int (a Hessian of ~7,700 parameters
    // would not); every rank cuts the same pieces.
    constexpr std::size_t piece = std::size_t{1} << 28;
    for (std::size_t at = 0; at < values.size(); at += piece) {
        const std::size_t n = std::min(piece, values.size() - at);
        MPI_Request request;
        MPI_Iallreduce(MPI_IN_PLACE, values.data() + at, static_cast<int>(n), MPI_INT64_T, MPI_SUM, comm_, &request);
        wait(request, "the log-likelihood's sums");
    }
}

std::vector<std::string> MpiCollective::all_gather(const std::string& mine) {
    if (size_ == 1) return {mine};
    const auto n = static_cast<std::uint64_t>(mine.size());
    std::vector<std::uint64_t> sizes(static_cast<std::size_t>(size_));
    MPI_Request request;
    MPI_Iallgather(&n, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, comm_, &request);
    wait(request, "sizes");
    std::vector<int> counts, displs;
    std::uint64_t total = 0;
    for (std::uint64_t s : sizes) {
        if (s > static_cast<std::uint64_t>(INT_MAX) || total > static_cast<std::uint64_t>(INT_MAX) - s)
            throw ClusterFailure("an exchange between ranks is over 2 GB");
        displs.push_back(static_cast<int>(total));
        counts.push_back(static_cast<int>(s));
        total += s;
    }
    std::string all(total, '\0');
    MPI_Iallgatherv(mine.data(), static_cast<int>(mine.size()), MPI_BYTE, all.data(), counts.data(), displs.data(),
                    MPI_BYTE, comm_, &request);
    wait(request, "data");
    std::vector<std::string> out;
    for (std::size_t r = 0; r < sizes.size(); ++r)
        out.emplace_back(all, static_cast<std::size_t>(displs[r]), static_cast<std::size_t>(counts[r]));
    return out;
}

void MpiCollective::broadcast(std::string& bytes, int root) {
    if (size_ == 1) return;
    std::uint64_t n = bytes.size();
    MPI_Request request;
    MPI_Ibcast(&n, 1, MPI_UINT64_T, root, comm_, &request);
    wait(request, "a size");
    if (n > static_cast<std::uint64_t>(INT_MAX)) throw ClusterFailure("an exchange between ranks is over 2 GB");
    bytes.resize(n);
    MPI_Ibcast(bytes.data(), static_cast<int>(n), MPI_BYTE, root, comm_, &request);
    wait(request, "data");
}

std::vector<std::string> MpiCollective::all_to_all(const std::vector<std::string>& send) {
    if (size_ == 1) return {send.at(0)};
    std::vector<std::uint64_t> out_sizes, in_sizes(static_cast<std::size_t>(size_));
    for (const std::string& s : send) out_sizes.push_back(s.size());
    MPI_Request request;
    MPI_Ialltoall(out_sizes.data(), 1, MPI_UINT64_T, in_sizes.data(), 1, MPI_UINT64_T, comm_, &request);
    wait(request, "sizes");
    // Counts and offsets must fit MPI's int on both sides; every rank
    // learns whether any cannot, so that all stop alike.
    std::uint64_t out_total = 0, total = 0;
    for (std::uint64_t s : out_sizes) out_total += s;
    for (std::uint64_t s : in_sizes) total += s;
    int too_big = out_total > static_cast<std::uint64_t>(INT_MAX) || total > static_cast<std::uint64_t>(INT_MAX);
    MPI_Iallreduce(MPI_IN_PLACE, &too_big, 1, MPI_INT, MPI_MAX, comm_, &request);
    wait(request, "sizes");
    if (too_big) throw ClusterFailure("an exchange between ranks is over 2 GB");
    std::vector<int> send_counts, send_displs, recv_counts, recv_displs;
    std::string out_bytes, in_bytes;
    for (const std::string& s : send) {
        send_displs.push_back(static_cast<int>(out_bytes.size()));
        send_counts.push_back(static_cast<int>(s.size()));
        out_bytes += s;
    }
    total = 0;
    for (std::uint64_t s : in_sizes) {
        recv_displs.push_back(static_cast<int>(total));
        recv_counts.push_back(static_cast<int>(s));
        total += s;
    }
    in_bytes.resize(total);
    MPI_Ialltoallv(out_bytes.data(), send_counts.data(), send_displs.data(), MPI_BYTE, in_bytes.data(),
                   recv_counts.data(), recv_displs.data(), MPI_BYTE, comm_, &request);
    wait(request, "rows");
    std::vector<std::string> out;
    for (std::size_t r = 0; r < in_sizes.size(); ++r)
        out.emplace_back(in_bytes, static_cast<std::size_t>(recv_displs[r]), static_cast<std::size_t>(recv_counts[r]));
    return out;
}

void MpiCollective::send_to_root_in_order(const std::string& mine, const std::function<void(std::string_view)>& take) {
    constexpr int tag = 7;
    if (rank_ != 0) {
        // Rank 0 asks (an empty message) when it is ready for this rank's
        // text, so the texts never pile up in its memory at once.
        char ready = 0;
        MPI_Request request;
        MPI_Irecv(&ready, 0, MPI_BYTE, 0, tag, comm_, &request);
        // Unbounded: rank 0 may spend long writing the ranks before this
        // one (if it dies, mpirun stops the job).
        wait(request, "a request for output", false);
        std::uint64_t n = mine.size();
        MPI_Isend(&n, 1, MPI_UINT64_T, 0, tag, comm_, &request);
        wait(request, "an output size");
        for (std::uint64_t at = 0; at < n;) {
            const int chunk = static_cast<int>(std::min<std::uint64_t>(n - at, 1u << 30));
            MPI_Isend(mine.data() + at, chunk, MPI_BYTE, 0, tag, comm_, &request);
            wait(request, "output");
            at += static_cast<std::uint64_t>(chunk);
        }
        return;
    }
    take(mine);
    std::string text;
    for (int r = 1; r < size_; ++r) {
        char ready = 0;
        MPI_Request request;
        MPI_Isend(&ready, 0, MPI_BYTE, r, tag, comm_, &request);
        wait(request, "a request for output");
        std::uint64_t n = 0;
        MPI_Irecv(&n, 1, MPI_UINT64_T, r, tag, comm_, &request);
        wait(request, "an output size");
        text.resize(n);
        for (std::uint64_t at = 0; at < n;) {
            const int chunk = static_cast<int>(std::min<std::uint64_t>(n - at, 1u << 30));
            MPI_Irecv(text.data() + at, chunk, MPI_BYTE, r, tag, comm_, &request);
            wait(request, "output");
            at += static_cast<std::uint64_t>(chunk);
        }
        take(text);
    }
}

}  // namespace mlec::mpi
