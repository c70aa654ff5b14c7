#include "interpreter/leave_theta.hpp"

#include <algorithm>

namespace mlec::interp {

void leave_theta(CheckedModel& m, const std::vector<bool>& moved, const std::vector<int>& z_of, bool profiled) {
    std::vector<int> renumbered(moved.size(), -1);
    for (std::size_t i = 0, kept = 0; i < moved.size(); ++i)
        if (!moved[i]) renumbered[i] = static_cast<int>(kept++);
    std::vector<Estimand> estimands;
    std::vector<int> estimand_at(m.estimands.size(), -1);  // old index -> new
    for (std::size_t at = 0; at < m.estimands.size(); ++at) {
        Estimand e = m.estimands[at];
        const auto c = static_cast<std::size_t>(std::max(e.coordinate, 0));
        if (e.derived || e.coordinate < 0 || !moved[c]) {
            if (e.coordinate >= 0) e.coordinate = renumbered[c];
            estimand_at[at] = static_cast<int>(estimands.size());
            estimands.push_back(std::move(e));
            continue;
        }
        int effect = 0;
        for (const rt::Effect& x : m.graph.effects()) {
            if (z_of[c] >= x.first && z_of[c] < x.first + x.levels) break;
            ++effect;
        }
        m.integrated.push_back(
            IntegratedParameter{e.name, m.parameters[c].first_use, effect, z_of[c], at, e.implicit, profiled});
    }
    m.estimands = std::move(estimands);
    // What the random effects record by index (a correlated block's
    // coordinates and estimands: variance parameters, which never move).
    for (RandomEffect& r : m.random_effects) {
        for (int& c : r.cpc_coordinates) c = renumbered[static_cast<std::size_t>(c)];
        for (int& e : r.correlation_estimands) e = estimand_at[static_cast<std::size_t>(e)];
    }
    std::vector<ParameterInfo> parameters;
    for (std::size_t i = 0; i < moved.size(); ++i)
        if (!moved[i]) parameters.push_back(std::move(m.parameters[i]));
    m.parameters = std::move(parameters);
}

}  // namespace mlec::interp
