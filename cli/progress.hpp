// What a run shows on stderr while it works: with --trace one line per
// iteration; otherwise, when stderr is a terminal, a progress line once the
// run has taken more than a second (fit, bootstrap, profiles), cleared when
// the fit ends. Only a rank that speaks prints.
#pragma once

#include <chrono>

#include "mlec/mlec.hpp"

namespace mlec::cli {

class Progress {
public:
    Progress(bool trace, bool speaks);
    // Sets the options' callbacks to this object, which must outlive the fit.
    void attach(FitOptions& options);
    // Clears a progress line that was shown.
    void end();

private:
    bool late() const;  // more than a second since the run started
    void show(const char* line);

    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    bool trace_;
    bool speaks_;
    bool terminal_;
    bool shown_ = false;
};

}  // namespace mlec::cli
