// The subcommands of mlec, as a table: how each names its files on the
// command line, and what it runs. `mlec MODEL DATA` is the fit command,
// which has no keyword.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/arguments.hpp"

namespace mlec::cli {

class Session;

struct Command {
    std::string_view keyword;  // as typed after `mlec`; "" for a plain fit
    CommandKind kind;
    // simulate and predict write CSV rows: --output is theirs, and
    // --format json is not.
    bool writes_csv;
    // Takes the positional arguments (after the keyword) into `a`'s model,
    // data and new-data lists, or returns why they do not fit the command.
    std::optional<std::string> (*take_files)(std::vector<std::string> positional, Arguments& a);
    // Runs the command; returns the exit code.
    int (*run)(const Arguments& a, Session& session);
};

// The command a first positional argument names, or nullptr for none (a
// plain fit, whose first argument is the model file).
const Command* find_command(std::string_view keyword);
const Command& command(CommandKind kind);

}  // namespace mlec::cli
