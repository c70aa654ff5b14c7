#include "support/command.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include "support/files.hpp"

namespace mlec::test {

namespace fs = std::filesystem;

std::string CommandRun::line(const std::string& prefix) const {
    std::size_t at = 0;
    while (at < out.size()) {
        const std::size_t end = std::min(out.find('\n', at), out.size());
        if (out.compare(at, prefix.size(), prefix) == 0) return out.substr(at, end - at);
        at = end + 1;
    }
    return "";
}

const fs::path& scratch_dir() {
    struct Dir {
        fs::path path;
        Dir() {
            path = fs::temp_directory_path() / ("mlec_test_" + std::to_string(getpid()));
            fs::create_directories(path);
        }
        ~Dir() {
            std::error_code ec;
            fs::remove_all(path, ec);
        }
    };
    static const Dir dir;
    return dir.path;
}

void write_scratch(const std::string& name, const std::string& bytes) {
    std::ofstream out(scratch_dir() / name, std::ios::binary);
    out << bytes;
    REQUIRE(out);
}

CommandRun run_command(const fs::path& dir, const std::vector<std::string>& args) {
    const fs::path out_path = scratch_dir() / "stdout.txt", err_path = scratch_dir() / "stderr.txt";
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 || chdir(dir.c_str()) != 0) _exit(127);
        std::vector<char*> argv{const_cast<char*>(MLEC_BINARY)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(MLEC_BINARY, argv.data());
        _exit(127);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CommandRun r;
    r.signalled = WIFSIGNALED(status);
    if (r.signalled) r.signal = WTERMSIG(status);
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    r.out = read_file(out_path);
    r.err = read_file(err_path);
    return r;
}

}  // namespace mlec::test
