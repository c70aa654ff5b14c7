#include "runtime/collective.hpp"

#include <cstring>

namespace mlec::rt {

std::vector<std::uint64_t> all_gather_u64(Collective& c, std::uint64_t mine) {
    std::string bytes(sizeof mine, '\0');
    std::memcpy(bytes.data(), &mine, sizeof mine);
    std::vector<std::uint64_t> out;
    for (const std::string& b : c.all_gather(bytes)) {
        std::uint64_t v = 0;
        if (b.size() == sizeof v) std::memcpy(&v, b.data(), sizeof v);
        out.push_back(v);
    }
    return out;
}

bool all_true(Collective& c, bool mine) {
    for (std::uint64_t v : all_gather_u64(c, mine ? 1 : 0))
        if (v == 0) return false;
    return true;
}

}  // namespace mlec::rt
