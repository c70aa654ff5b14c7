// libFuzzer target: the model parser and checker. Every input is parsed as a
// model; one that parses is bound to a small fixed table (names, data and
// group columns resolved, the NLL compiled) and the NLL with its derivatives
// is evaluated once at the start values (fuzz/model_input.hpp). Whatever
// comes back must be values: a crash, a sanitizer report, a failed
// precondition, a leak or a hang is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/model_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    (void)mlec::fuzz::evaluate_input(std::string_view(reinterpret_cast<const char*>(bytes), size));
    return 0;
}
