// Fitting data spread over the processes of an MPI job (Open MPI), with the
// same model file and the same estimates as one machine (docs/distributed.md).
// Only in a library built with -DMLEC_MPI=ON.
//
// Every rank runs the same program: make a Cluster, load the model and the
// data through it, then bind, fit and report with the ordinary API
// (mlec.hpp). A Problem bound to distributed Data sums its likelihood,
// gradient and Hessian over all ranks at every evaluation, exactly, so
// every rank follows the same optimization to the same bits, and the
// result is the one a single machine gives with all the rows. Each call is
// collective: all ranks make the same calls in the same order.
#pragma once

#include <mpi.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlec/diagnostic.hpp"
#include "mlec/mlec.hpp"

namespace mlec {

struct ClusterOptions {
    // How long a rank waits for the others at any one exchange before it
    // gives up and throws ClusterFailure (a rank died or hangs). Evaluations
    // exchange once each, so this bounds the time one rank may fall behind.
    double timeout_seconds = 600;
};

class Cluster {
public:
    // MPI must be initialized (MPI_THREAD_FUNNELED or more) and stay so
    // while the Cluster and everything loaded through it live. The Cluster
    // works on a duplicate of `comm`.
    explicit Cluster(MPI_Comm comm = MPI_COMM_WORLD, ClusterOptions options = {});
    ~Cluster();
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    int rank() const;
    int size() const;

    // Rank 0 reads and parses the model file (it need exist there only) and
    // sends the text to the others. Every rank returns the same Model, or
    // nullopt with the same diagnostics.
    std::optional<Model> load_model(const std::string& path, Diagnostics& diagnostics);

    // Each rank maps the file and parses only its own byte range of the
    // rows (split at line boundaries; every rank reads the header). Rows,
    // group levels and errors are those of the whole file: an error on any
    // rank is returned on every rank, as one machine reports it.
    std::optional<Data> load_csv(const std::string& path, Diagnostics& diagnostics);

    // The rows of several CSV files (shards of one data set), as
    // Data::from_csv_files reads them on one machine, with the same
    // results to the last bit. Files are dealt out in order, in contiguous
    // runs: of F files, rank r reads files [F*r/K, F*(r+1)/K) of K ranks,
    // whole (F == K: one each; F < K: some ranks read none and hold no
    // rows; F > K: a rank reads its run one file after another). A rank
    // needs only its own files: the header every file must have is the one
    // the rank reading paths[0] broadcasts. Every rank must be given the
    // same list (a usage error otherwise). Rows are numbered within their
    // file in messages; an error on any rank is returned on every rank,
    // the first in file order, as one machine reports it.
    std::optional<Data> load_csv_shards(const std::vector<std::string>& paths, Diagnostics& diagnostics);

    // Rank 0's `strings` on every rank (what the others pass is ignored):
    // for a list that each machine could see differently, such as the
    // files a pattern matches, so that all ranks use the same.
    std::vector<std::string> share_from_rank_0(const std::vector<std::string>& strings);

    // Text that each rank made for its own rows (mlec simulate, mlec
    // predict), written in rank order: on rank 0, `write` is called with
    // its own text, then with each other rank's as it arrives; the other
    // ranks only send theirs.
    void write_in_rank_order(const std::string& mine, const std::function<void(std::string_view)>& write);

    // The same into a file that every rank can open (a shared file system):
    // each rank writes its own text at its own offset (the sizes of the
    // ranks before it), so no rank ever holds another's rows. Rank 0
    // creates or truncates the file first. False, with the same diagnostic
    // on every rank, when any rank could not write.
    bool write_file_in_rank_order(const std::string& path, const std::string& mine, Diagnostics& diagnostics);

    struct Impl;
    Impl& impl() const { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace mlec
