#include "runtime/select.hpp"

#include <limits>

namespace mlec::rt {

namespace {

void select_eval(OpCall& c) {
    const ConstCol& index = c.in[0];
    const Eigen::Index k = static_cast<Eigen::Index>(c.in.size()) - 1;
    const Eigen::Index n = index.size();
    const auto levels = static_cast<double>(k);
    for (Eigen::Index r = 0; r < n; ++r) {
        // Compared as a double: converting a value beyond the integers'
        // range would be undefined.
        const double level = index[r];
        c.value[r] = level >= 1 && level <= levels ? c.in[static_cast<std::size_t>(level)][r]
                                                   : std::numeric_limits<double>::quiet_NaN();
    }
    for (Eigen::Index j = 1; j <= k; ++j) {
        if (!c.want_d1(static_cast<int>(j))) continue;
        Col& d = c.d1[static_cast<std::size_t>(j)];
        d = (index == static_cast<double>(j)).cast<double>();
    }
}

}  // namespace

// Linear in the level inputs (each row copies one of them) and a step in the
// index: `linear`, so every second and third partial is 0.
const OpDef& op_select() {
    static const OpDef def{"select", -1, &select_eval, true};
    return def;
}

}  // namespace mlec::rt
