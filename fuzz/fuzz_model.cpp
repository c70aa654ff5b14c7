// libFuzzer target: the model parser and checker. Every input is parsed as a
// model; one that parses is bound to a small fixed table (names, data and
// group columns resolved, the NLL compiled) and the NLL with its derivatives
// is evaluated once at the start values. Whatever comes back must be values:
// a crash, a sanitizer report, a failed precondition, a leak or a hang is a
// bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/model_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text(std::string(reinterpret_cast<const char*>(bytes), size), "fuzz.mle", ds);
    if (model) {
        if (auto problem = mlec::fuzz::bind(*model, ds, (size % 2) == 1)) mlec::fuzz::evaluate_at_start(*problem);
    }
    // Formatting must cope with whatever position and line came back.
    (void)mlec::format(ds);
    return 0;
}
