#include "mlec/diagnostic.hpp"
#include "mlec/mlec.hpp"

namespace mlec {

int exit_code(const Diagnostics& ds) {
    for (const Diagnostic& d : ds) {
        if (d.severity != Severity::error) continue;
        switch (d.category) {
            case Category::usage: return 1;
            case Category::model: return 2;
            case Category::data: return 3;
            case Category::fit: return 4;
        }
    }
    return 1;
}

int exit_code(const FitResult& result) {
    switch (result.status) {
        case FitStatus::converged: return 0;
        case FitStatus::not_identified: return 5;
        case FitStatus::invalid_options: return 1;  // a usage error, as the command and the C API say
        default: return 4;
    }
}

bool found_maximum(const FitResult& result) {
    return result.status == FitStatus::converged || result.status == FitStatus::not_identified;
}

}  // namespace mlec
