// Small helpers shared by the tests: where the repository is, reading files.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace mlec::test {

inline std::filesystem::path source_dir() { return std::filesystem::path(MLEC_SOURCE_DIR); }

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace mlec::test
