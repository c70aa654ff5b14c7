#include "runtime/supernodes.hpp"

#include <algorithm>
#include <new>

#include "runtime/cholmod_handles.hpp"

namespace mlec::rt {

namespace {

// CHOLMOD's int version stores indices as int, never negative.
template <class Int>
std::size_t to_size(Int n) {
    return static_cast<std::size_t>(n);
}

}  // namespace

void Supernodes::map_rows(std::size_t s, std::vector<int>& local) const {
    for (int r = row_start[s]; r < row_start[s + 1]; ++r) local[to_size(rows[to_size(r)])] = r - row_start[s];
}

namespace {

// A supernode this tall has its rows' map kept; at most this many entries
// in all are kept (the tallest first), so that the maps stay a small
// multiple of the factor.
constexpr int tall = 64;
constexpr std::size_t most_kept = std::size_t{1} << 22;

void keep_tall_maps(Supernodes& st) {
    const std::size_t n = st.order.size();
    std::vector<std::size_t> tall_ones;
    for (std::size_t t = 0; t < st.count(); ++t)
        if (st.height(t) >= tall) tall_ones.push_back(t);
    std::stable_sort(tall_ones.begin(), tall_ones.end(),
                     [&](std::size_t a, std::size_t b) { return st.height(a) > st.height(b); });
    if (n > 0) tall_ones.resize(std::min(tall_ones.size(), most_kept / n));
    st.kept_index.assign(st.count(), -1);
    st.kept_maps.assign(tall_ones.size() * n, -1);
    std::vector<int> local(n, -1);
    for (std::size_t k = 0; k < tall_ones.size(); ++k) {
        st.kept_index[tall_ones[k]] = static_cast<int>(k);
        st.map_rows(tall_ones[k], local);
        for (int r = st.row_start[tall_ones[k]]; r < st.row_start[tall_ones[k] + 1]; ++r) {
            const std::size_t row = to_size(st.rows[to_size(r)]);
            st.kept_maps[k * n + row] = local[row];
        }
    }
}

}  // namespace

Supernodes analyze_supernodes(const EffectPattern& pattern) {
    CholmodCommon common;
    cholmod_common* c = common.get();
    const std::size_t n = pattern.col_start.size() - 1;
    CholmodSparse h(
        cholmod_allocate_sparse(n, n, pattern.row.size(), /*sorted=*/1, /*packed=*/1, /*stype=*/-1, CHOLMOD_PATTERN, c),
        common);
    if (!h) throw std::bad_alloc();
    std::copy(pattern.col_start.begin(), pattern.col_start.end(), static_cast<int*>(h->p));
    std::copy(pattern.row.begin(), pattern.row.end(), static_cast<int*>(h->i));
    // Both orderings, keeping the one with the smaller factor: on crossed
    // designs METIS's nested dissection needs a third fewer entries than
    // AMD and a third of the flops (InstEval: 377,000 entries against
    // 590,000); on nested ones they tie. Postordered, so that a supernode's
    // columns are contiguous; supernodal, so that the numbers are factored
    // by dense blocks.
    c->nmethods = 2;
    c->method[0].ordering = CHOLMOD_AMD;
    c->method[1].ordering = CHOLMOD_METIS;
    c->postorder = 1;
    c->supernodal = CHOLMOD_SUPERNODAL;
    CholmodFactor l(cholmod_analyze(h.get(), c), common);
    if (!l) throw std::bad_alloc();

    Supernodes out;
    const auto* perm = static_cast<const int*>(l->Perm);
    out.order.assign(perm, perm + n);
    const std::size_t count = l->nsuper;
    const auto* super = static_cast<const int*>(l->super);
    const auto* pi = static_cast<const int*>(l->pi);
    const auto* px = static_cast<const int*>(l->px);
    const auto* s = static_cast<const int*>(l->s);
    out.first.assign(super, super + count + 1);
    out.row_start.assign(pi, pi + count + 1);
    out.rows.assign(s, s + pi[count]);
    for (std::size_t k = 0; k <= count; ++k) out.value_start.push_back(to_size(px[k]));
    out.value_count = l->xsize;
    out.supernode_of.resize(n);
    for (std::size_t k = 0; k < count; ++k)
        for (int j = super[k]; j < super[k + 1]; ++j) out.supernode_of[to_size(j)] = static_cast<int>(k);

    std::vector<int> position(n);  // index in H -> index in P H P'
    for (std::size_t k = 0; k < n; ++k) position[to_size(perm[k])] = static_cast<int>(k);
    out.place.resize(pattern.row.size());
    for (std::size_t j = 0; j < n; ++j)
        for (auto k = to_size(pattern.col_start[j]); k < to_size(pattern.col_start[j + 1]); ++k) {
            const int a = position[to_size(pattern.row[k])], b = position[j];
            const auto col = to_size(std::min(a, b));
            const auto t = to_size(out.supernode_of[col]);
            const int* begin = out.rows.data() + out.row_start[t];
            const int* end = out.rows.data() + out.row_start[t + 1];
            const int* row = std::lower_bound(begin, end, std::max(a, b));
            out.place[k] = out.column_start(static_cast<int>(col)) + to_size(row - begin);
        }
    keep_tall_maps(out);
    return out;
}

}  // namespace mlec::rt
