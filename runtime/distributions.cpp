// The table of distributions, generated from runtime/distributions/list.hpp;
// each one's math lives in its own file under runtime/distributions/.
#include "runtime/distributions.hpp"

#include <algorithm>

#include "runtime/distributions/detail.hpp"

namespace mlec::rt {

bool in_domain(Domain d, double x) { return detail::in_domain_fast(d, x); }

std::string_view domain_text(Domain d) {
    switch (d) {
        case Domain::real: return "a real number";
        case Domain::positive: return "positive";
        case Domain::nonnegative: return "non-negative";
        case Domain::unit_open: return "in (0, 1)";
        case Domain::unit_closed: return "in [0, 1]";
        case Domain::binary: return "0 or 1";
        case Domain::count: return "a non-negative integer";
        case Domain::category: return "a category number 1, 2, ...";
    }
    return "";
}

std::span<const DistributionDef* const> all_distributions() {
    // Function-local: the definitions live in other translation units.
#define MLEC_DISTRIBUTION_ENTRY(name) &detail::name##_def(),
    static const DistributionDef* const table[] = {MLEC_DISTRIBUTIONS(MLEC_DISTRIBUTION_ENTRY)};
#undef MLEC_DISTRIBUTION_ENTRY
    return table;
}

const DistributionDef* find_distribution(std::string_view name) {
    for (const DistributionDef* def : all_distributions()) {
        if (def->name == name) return def;
    }
    return nullptr;
}

const DistributionDef* find_stable_form(std::string_view distribution, std::string_view link) {
    for (const DistributionDef* def : all_distributions()) {
        const StableForm* form = def->stable_form;
        if (form && form->replaces == distribution && std::ranges::find(form->links, link) != form->links.end())
            return def;
    }
    return nullptr;
}

}  // namespace mlec::rt
