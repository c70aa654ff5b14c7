#include "runtime/tree_halves.hpp"

#include <algorithm>
#include <numeric>

namespace mlec::rt {

namespace {

// Below this many flops under the top, a second thread costs more than it
// saves (starting one takes tens of microseconds).
constexpr double smallest_split = 2e6;

}  // namespace

// A supernode's parent is the supernode of its first row below its
// columns, whose columns come after its own: a parent after its children.
// Its cost is the selected inverse's flops (the factorization's are about
// half, in the same proportions).
TreeHalves split_tree(const Supernodes& st) {
    const std::size_t n = st.count();
    std::vector<double> cost(n, 0.0);
    std::vector<std::vector<std::size_t>> children(n);
    std::vector<std::size_t> roots;
    for (std::size_t s = 0; s < n; ++s) {
        const double w = st.width(s), below = st.height(s) - st.width(s);
        cost[s] += w * w * w + 2 * below * w * w + below * below * w;
        if (below > 0) {
            const auto parent = static_cast<std::size_t>(st.supernode_of[static_cast<std::size_t>(
                st.rows[static_cast<std::size_t>(st.row_start[s]) + static_cast<std::size_t>(st.width(s))])]);
            cost[parent] += cost[s];
            children[parent].push_back(s);
        } else {
            roots.push_back(s);
        }
    }
    TreeHalves out;
    // The top grows from the roots while one subtree below it holds more
    // than half of what is below.
    std::vector<std::size_t> below = roots;
    for (;;) {
        double total = 0;
        for (std::size_t s : below) total += cost[s];
        const auto largest = std::max_element(below.begin(), below.end(), [&](std::size_t a, std::size_t b) {
            return cost[a] < cost[b] || (cost[a] == cost[b] && a < b);
        });
        if (largest == below.end() || total < smallest_split || 2 * cost[*largest] <= total) break;
        const std::size_t s = *largest;
        below.erase(largest);
        out.top.push_back(s);
        below.insert(below.end(), children[s].begin(), children[s].end());
    }
    double total = 0;
    for (std::size_t s : below) total += cost[s];
    if (total < smallest_split) {
        out.top.resize(n);
        std::iota(out.top.begin(), out.top.end(), std::size_t{0});
        return out;
    }
    // Largest subtree first into the lighter half (ties to the first).
    std::sort(below.begin(), below.end(),
              [&](std::size_t a, std::size_t b) { return cost[a] > cost[b] || (cost[a] == cost[b] && a > b); });
    double load[2] = {0, 0};
    for (std::size_t s : below) {
        const int h = load[1] < load[0] ? 1 : 0;
        load[h] += cost[s];
        std::vector<std::size_t> subtree{s};
        while (!subtree.empty()) {
            const std::size_t t = subtree.back();
            subtree.pop_back();
            out.halves[h].push_back(t);
            subtree.insert(subtree.end(), children[t].begin(), children[t].end());
        }
    }
    for (auto& half : out.halves) std::sort(half.begin(), half.end());
    std::sort(out.top.begin(), out.top.end());
    return out;
}

}  // namespace mlec::rt
