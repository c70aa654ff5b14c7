// Which exit code (mlec/exit_codes.h, the one table) a failure or a fit
// earns: the rules the command, the C API and the Python module share.
#include "mlec/diagnostic.hpp"
#include "mlec/exit_codes.h"
#include "mlec/mlec.hpp"

namespace mlec {

int exit_code(const Diagnostics& ds) {
    for (const Diagnostic& d : ds) {
        if (d.severity != Severity::error) continue;
        switch (d.category) {
            case Category::usage: return MLEC_ERROR_USAGE;
            case Category::model: return MLEC_ERROR_MODEL;
            case Category::data: return MLEC_ERROR_DATA;
            case Category::fit: return MLEC_ERROR_FIT;
        }
    }
    return MLEC_ERROR_USAGE;
}

int exit_code(const FitResult& result) {
    switch (result.status) {
        case FitStatus::converged: return MLEC_OK;
        case FitStatus::not_identified: return MLEC_FIT_NOT_IDENTIFIED;
        // A usage error, as the command and the C API say.
        case FitStatus::invalid_options: return MLEC_ERROR_USAGE;
        default: return MLEC_ERROR_FIT;
    }
}

bool found_maximum(const FitResult& result) {
    return result.status == FitStatus::converged || result.status == FitStatus::not_identified;
}

}  // namespace mlec
