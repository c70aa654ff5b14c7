#include "interpreter/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace mlec::interp {

int edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

std::optional<std::string> closest(std::string_view name, std::span<const std::string> candidates) {
    std::optional<std::string> best;
    int best_distance = name.size() <= 4 ? 1 : 2;
    for (const std::string& c : candidates) {
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
    if (parameter == column || edit_distance(parameter, column) != 1) return false;
    if (parameter.size() >= 3 && column.size() >= 3) return true;
    return lower(parameter) == lower(column) ||
           without_underscores(parameter) == without_underscores(column);
}

}  // namespace mlec::interp
