// Where a run's files come from and where its output goes: this machine,
// or under mpirun the ranks of a Cluster (each reads its part of the data,
// rank 0 the model; only rank 0 prints; rows made on every rank are written
// in rank order). The only part of the command that differs with MPI.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "mlec/diagnostic.hpp"
#include "mlec/exit_codes.h"
#include "mlec/mlec.hpp"
#ifdef MLEC_MPI
#include "mlec/distributed.hpp"
#endif

namespace mlec::cli {

// The codes the command itself chooses (mlec/exit_codes.h, the one table);
// an error's code follows its category (mlec::exit_code: 2 model, 3
// data), a fit's its status.
inline constexpr int exit_ok = MLEC_OK;
inline constexpr int exit_usage = MLEC_ERROR_USAGE;
inline constexpr int exit_not_converged = MLEC_ERROR_FIT;

class Session {
public:
    Session() = default;  // one machine
#ifdef MLEC_MPI
    explicit Session(Cluster& cluster) : cluster_(&cluster), speaks_(cluster.rank() == 0) {}
#endif

    // Standard output and error; a sink on the ranks that do not print.
    std::ostream& out();
    std::ostream& err();
    bool speaks() const { return speaks_; }

    // Prints a usage error with the usage text; returns exit_usage.
    int usage_error(const std::string& message);
    // Prints the diagnostics; returns their exit code.
    int report_error(const Diagnostics& diagnostics);

    // The files that data arguments name (a pattern's matches, sorted), the
    // same list on every rank; the first element is an error, "" when none.
    std::vector<std::string> data_files(const std::vector<std::string>& arguments);
    // Several files are shards of one table; one file is read in byte
    // ranges, one per rank.
    std::optional<Data> load_data(const std::vector<std::string>& paths, Diagnostics& diagnostics);
    std::optional<Model> load_model(const std::string& path, Diagnostics& diagnostics);
    // CSV rows made on this rank: into `output_path` (each rank at its
    // offset) or, when it is empty, to standard output in rank order.
    int print_rows(const std::string& text, const std::string& output_path);

private:
#ifdef MLEC_MPI
    Cluster* cluster_ = nullptr;
#endif
    bool speaks_ = true;
    std::ostream null_{nullptr};
};

}  // namespace mlec::cli
