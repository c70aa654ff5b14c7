// The symbolic supernodal Cholesky factorization of a sparse symmetric
// pattern (the random effects' Hessian, fixed by the data): the
// fill-reducing ordering P and the pattern of L in P H P' = L L', grouped
// into supernodes, runs of columns with one row pattern, each stored as a
// dense block. Computed once by CHOLMOD's analysis (SuiteSparse), which
// tries AMD and METIS and keeps the smaller factor, and amalgamates
// columns into supernodes. The numbers are then factored by EffectFactor
// with dense kernels per supernode.
#pragma once

#include <cstddef>
#include <vector>

#include "runtime/evaluator.hpp"

namespace mlec::rt {

struct Supernodes {
    // Column k of P H P' is column order[k] of H.
    std::vector<int> order;
    // Supernode s holds the columns first[s] .. first[s + 1] - 1 of L and
    // the rows rows[row_start[s]] .. rows[row_start[s + 1] - 1], ascending,
    // its own columns first. Its block, height x width, column-major (only
    // the lower triangle of its top width x width is L's), starts at
    // value_start[s] in L's values.
    std::vector<int> first;
    std::vector<int> row_start;
    std::vector<int> rows;
    std::vector<std::size_t> value_start;
    std::size_t value_count = 0;
    std::vector<int> supernode_of;  // column of L -> its supernode
    // Entry k of the pattern (lower triangle, in its order) -> its place in
    // L's values: H's (i, j) is (p(i), p(j)) of P H P', in the column of
    // the smaller.
    std::vector<std::size_t> place;

    std::size_t count() const { return first.size() - 1; }
    int width(std::size_t s) const { return first[s + 1] - first[s]; }
    int height(std::size_t s) const { return row_start[s + 1] - row_start[s]; }
    // Where column `column` of L starts in L's values (its supernode's
    // block, at its column).
    std::size_t column_start(int column) const {
        const auto s = static_cast<std::size_t>(supernode_of[static_cast<std::size_t>(column)]);
        return value_start[s] + static_cast<std::size_t>(column - first[s]) * static_cast<std::size_t>(height(s));
    }
    // local[r] = the place of row r in supernode s's rows, for each of them.
    void map_rows(std::size_t s, std::vector<int>& local) const;
    // The same map for supernode t, read where row r's place is
    // local_rows(...)[r]: kept from the analysis for the tall supernodes,
    // which many small ones update and read (mapping the top of InstEval's
    // tree, 515 rows, for each of some 2500 students cost as much as their
    // products), else mapped into `local` unless `mapped` says it holds t.
    const int* local_rows(std::size_t t, std::vector<int>& local, std::size_t& mapped) const {
        if (kept_index[t] >= 0) return kept_maps.data() + static_cast<std::size_t>(kept_index[t]) * order.size();
        if (t != mapped) {
            map_rows(t, local);
            mapped = t;
        }
        return local.data();
    }
    // Per supernode: its map's index in kept_maps (order.size() entries
    // each), or -1.
    std::vector<int> kept_index;
    std::vector<int> kept_maps;
};

// The analysis of `pattern` (lower triangle, columns sorted by row). Throws
// std::bad_alloc when CHOLMOD runs out of memory.
Supernodes analyze_supernodes(const EffectPattern& pattern);

}  // namespace mlec::rt
