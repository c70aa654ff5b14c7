// The table of named built-in functions, generated from
// runtime/functions/list.hpp; each function's math lives in its own file
// under runtime/functions/.
#include "runtime/functions.hpp"

namespace mlec::rt {

std::span<const OpDef* const> all_functions() {
    // Function-local: the definitions live in other translation units.
#define MLEC_FUNCTION_ENTRY(name) &op_##name(),
    static const OpDef* const table[] = {MLEC_FUNCTIONS(MLEC_FUNCTION_ENTRY)};
#undef MLEC_FUNCTION_ENTRY
    return table;
}

const OpDef* find_function(std::string_view name) {
    for (const OpDef* def : all_functions()) {
        if (def->name == name) return def;
    }
    return nullptr;
}

}  // namespace mlec::rt
