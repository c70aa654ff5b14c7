// libFuzzer target: the whole fit. Every input is parsed as a model and
// bound to the same fixed table as in fuzz_model; a model of at most ten
// parameters is then fitted (optimizer, divergence probes, curvature,
// intervals, and by turns profiles, a bootstrap or several starts, each
// with small iteration limits) and reported as text, JSON and plots
// (fuzz/model_input.hpp). A crash, a sanitizer report, a failed
// precondition, a leak, a hang, or a result that breaks its documented
// promises is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/model_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    bool fitted = false;
    const std::string broken =
        mlec::fuzz::fit_input(std::string_view(reinterpret_cast<const char*>(bytes), size), fitted);
    if (!broken.empty()) {
        std::fprintf(stderr, "fuzz_fit: %s\n", broken.c_str());
        std::abort();
    }
    return 0;
}
