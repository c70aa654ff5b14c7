#include "interpreter/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace mlec::interp {

int edit_distance(std::string_view a, std::string_view b) {
    // Three rolling rows (the transposition looks two rows back).
    const std::size_t m = b.size();
    std::vector<int> two_back(m + 1), previous(m + 1), current(m + 1);
    for (std::size_t j = 0; j <= m; ++j) previous[j] = static_cast<int>(j);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = static_cast<int>(i);
        for (std::size_t j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                current[j] = std::min(current[j], two_back[j - 2] + 1);
        }
        std::swap(two_back, previous);
        std::swap(previous, current);
    }
    return previous[m];
}

std::optional<std::string> closest(std::string_view name, std::span<const std::string> candidates) {
    std::optional<std::string> best;
    int best_distance = name.size() <= 4 ? 1 : 2;
    for (const std::string& c : candidates) {
        // The distance is at least the difference in length: skip cheaply
        // (a 1 MB typo must not take seconds to answer).
        const auto gap = name.size() > c.size() ? name.size() - c.size() : c.size() - name.size();
        if (gap > static_cast<std::size_t>(best_distance)) continue;
        const int d = edit_distance(name, c);
        if (d <= best_distance && (!best || d < edit_distance(name, *best))) {
            best = c;
            best_distance = d;
        }
    }
    return best;
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string without_underscores(std::string_view s) {
    std::string out;
    for (char c : s)
        if (c != '_') out += c;
    return out;
}

}  // namespace

bool looks_like_typo(std::string_view parameter, std::string_view column) {
    // One edit changes the length by at most one: checked first, because
    // edit_distance costs |parameter| x |column| (a 100 MB header name).
    const auto longer = std::max(parameter.size(), column.size());
    if (longer - std::min(parameter.size(), column.size()) > 1) return false;
    if (parameter == column || edit_distance(parameter, column) != 1) return false;
    if (lower(parameter) == lower(column) || without_underscores(parameter) == without_underscores(column))
        return true;
    // One character replaced by another is how coefficients are named after
    // their columns (b10 for x10): only a slip in a longer word counts.
    // Inserted, dropped and swapped characters (wieght) count from 3.
    const std::size_t shorter = std::min(parameter.size(), column.size());
    if (parameter.size() == column.size()) {
        int swapped = 0;
        for (std::size_t i = 0; i + 1 < parameter.size(); ++i)
            swapped += parameter[i] == column[i + 1] && parameter[i + 1] == column[i] && parameter[i] != column[i];
        if (swapped == 0) return shorter >= 5;  // a substitution
    }
    return shorter >= 3;
}

std::optional<std::string> not_a_constant(std::string_view name) {
    if (name == "e") return "write exp(1) for Euler's number";
    if (name == "inf" || name == "Inf" || name == "infinity")
        return "a parameter without an upper (or lower) bound is declared by leaving that bound out, as in "
               "'param s > 0'";
    if (name == "nan" || name == "NaN" || name == "NA")
        return "a missing value belongs in the data file, as an empty field or NA";
    if (name == "TRUE" || name == "FALSE" || name == "true" || name == "false") return "write 1 for true and 0 for false";
    return std::nullopt;
}

}  // namespace mlec::interp
