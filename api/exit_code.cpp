#include "mlec/diagnostic.hpp"

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

}  // namespace mlec
