#include "cli/progress.hpp"

#include <unistd.h>
#include <cstdio>

namespace mlec::cli {

Progress::Progress(bool trace, bool speaks) : trace_(trace), speaks_(speaks), terminal_(isatty(STDERR_FILENO) != 0) {}

bool Progress::late() const {
    return terminal_ && std::chrono::steady_clock::now() - started_ > std::chrono::seconds(1);
}

void Progress::show(const char* line) {
    if (speaks_) std::fputs(line, stderr);
    shown_ = true;
}

void Progress::attach(FitOptions& options) {
    options.on_iteration = [this](const IterationInfo& it) {
        if (trace_) {
            if (speaks_)
                std::fprintf(stderr, "iteration %4d  NLL %.10g  gradient %.3g  step %.3g\n", it.iteration, it.nll,
                             it.gradient_norm, it.step);
        } else if (late()) {
            char line[96];
            std::snprintf(line, sizeof line, "\rfitting: iteration %d, NLL %.10g   ", it.iteration, it.nll);
            show(line);
        }
        return true;
    };
    options.on_bootstrap = [this](int done, int total) {
        if (!late()) return;
        char line[96];
        std::snprintf(line, sizeof line, "\rbootstrap: %d of %d refits   ", done, total);
        show(line);
    };
    options.on_profile = [this](int done, int total) {
        if (!late()) return;
        char line[96];
        std::snprintf(line, sizeof line, "\rprofile: %d of %d quantities   ", done, total);
        show(line);
    };
}

void Progress::end() {
    if (shown_ && speaks_) std::fprintf(stderr, "\r%60s\r", "");
    shown_ = false;
}

}  // namespace mlec::cli
