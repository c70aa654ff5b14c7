// A CSV text's cells, line by line (no quoting: what simulate and predict
// write), for tests that read their output.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace mlec::test {

inline std::vector<std::vector<std::string>> csv_cells(const std::string& text) {
    std::vector<std::vector<std::string>> out;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        std::vector<std::string> cells;
        std::istringstream fields(line);
        for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
        out.push_back(std::move(cells));
    }
    return out;
}

}  // namespace mlec::test
