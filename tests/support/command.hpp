// Running the mlec command from a test: a scratch directory of the test
// process's own (removed at exit), files written into it, and the command run
// there with its exit code, stdout and stderr captured through files (a pipe
// could fill up and block the child).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mlec::test {

struct CommandRun {
    bool signalled = false;
    int signal = 0;
    int exit_code = -1;
    std::string out;  // stdout
    std::string err;  // stderr
    std::string first_line() const { return err.substr(0, err.find('\n')); }
    // The first line of stdout that starts with `prefix`, without its
    // newline ("" when there is none).
    std::string line(const std::string& prefix) const;
};

// This process's scratch directory.
const std::filesystem::path& scratch_dir();

// Writes `bytes` to scratch_dir() / name.
void write_scratch(const std::string& name, const std::string& bytes);

// The mlec command with `args`, run in `dir`.
CommandRun run_command(const std::filesystem::path& dir, const std::vector<std::string>& args);

}  // namespace mlec::test
