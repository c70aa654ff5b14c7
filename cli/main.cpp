// The mlec command: read the command line, then run the subcommand it names
// (cli/commands.cpp) on this machine or, when mpirun started it, on the
// ranks of a cluster (cli/session). Everything else lives in the library.
#include <cstdlib>
#include <iostream>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/session.hpp"

namespace {

using namespace mlec::cli;

int run(int argc, char** argv, Session& session) {
    const CommandLine line = parse_command_line(argc, argv);
    if (line.help) {
        session.out() << usage_text;
        return exit_ok;
    }
    if (!line.arguments) return session.usage_error(line.error);
    return command(line.arguments->command).run(*line.arguments, session);
}

#ifdef MLEC_MPI
// Started by mpirun (Open MPI sets OMPI_COMM_WORLD_SIZE, PMIx launchers
// PMIX_RANK)? Then the run is distributed; otherwise MPI is never started,
// so a plain run costs nothing extra.
bool launched_by_mpirun() {
    return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr ||
           std::getenv("PMI_RANK") != nullptr;
}

int run_distributed(int argc, char** argv) {
    // Only the main thread calls MPI; the evaluator's worker threads never do.
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    int code = exit_usage;
    try {
        mlec::Cluster cluster(MPI_COMM_WORLD, mlec::ClusterOptions{mpi_timeout_option(argc, argv, 600)});
        Session session(cluster);
        code = run(argc, argv, session);
        // Every rank reaches the same code, but mpirun stops the job at the
        // first non-zero exit, perhaps before rank 0 has printed: the job's
        // exit code is rank 0's alone.
        if (cluster.rank() != 0) code = exit_ok;
    } catch (const mlec::ClusterFailure& e) {
        // The ranks can no longer agree on anything: stop them all.
        std::cerr << "mlec: error: " << e.what() << "; stopping every rank\n" << std::flush;
        MPI_Abort(MPI_COMM_WORLD, exit_usage);
    }
    MPI_Finalize();
    return code;
}
#endif

}  // namespace

int main(int argc, char** argv) {
#ifdef MLEC_MPI
    if (launched_by_mpirun()) return run_distributed(argc, argv);
#endif
    Session session;
    return run(argc, argv, session);
}
