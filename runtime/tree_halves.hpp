// The supernodal elimination tree (runtime/supernodes) cut for two
// threads: a top, where one subtree would hold more than half of what is
// below, and two halves of the subtrees below it, of about equal flops. A
// supernode's work in the factorization writes only to its ancestors, and
// in the selected inverse reads only its ancestors' results, so the two
// halves are independent; the cut depends on the structure alone, so one
// thread that works through the same parts computes the same numbers.
#pragma once

#include <cstddef>
#include <vector>

#include "runtime/supernodes.hpp"

namespace mlec::rt {

struct TreeHalves {
    // Ascending (children before parents). `top` holds every ancestor of
    // the halves' supernodes that is in neither; a half is empty (and the
    // top holds every supernode) when what is below the top is too little
    // to be worth a thread.
    std::vector<std::size_t> top, halves[2];
    bool splits() const { return !halves[1].empty(); }
};

TreeHalves split_tree(const Supernodes& structure);

}  // namespace mlec::rt
