// The mlec command line, parsed: which command, its files and its options.
// Parsing only reads argv; nothing is loaded or run here (cli/commands.cpp
// runs what this describes).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mlec/mlec.hpp"

namespace mlec::cli {

enum class CommandKind { fit, compare, simulate, predict };

struct Arguments {
    CommandKind command = CommandKind::fit;
    std::vector<std::string> models;   // model files, in order
    std::vector<std::string> data;     // data arguments: files or patterns
    std::vector<std::string> newdata;  // predict: the argument naming the new rows
    bool json = false;                 // --format json
    bool trace = false;
    bool timing = false;
    std::string plot_dir;
    std::string output_path;   // simulate, predict: the CSV's file (default: standard output)
    PredictOptions predict;    // predict --population
    SimulateOptions simulate;  // simulate --fitted-effects
    double mpi_timeout = 600;
    FitOptions fit;
    BindOptions bind;
};

// What a command line asks for: arguments to run, the help text, or a
// usage error's message.
struct CommandLine {
    std::optional<Arguments> arguments;
    bool help = false;
    std::string error;
};

CommandLine parse_command_line(int argc, char** argv);

extern const char* const usage_text;

// --mpi-timeout's value, read before MPI starts (the cluster needs it);
// the default when absent or not a positive number.
double mpi_timeout_option(int argc, char** argv, double fallback);

}  // namespace mlec::cli
