// Diagnostics are values: every stage (parser, interpreter, data loader, fit)
// returns them instead of printing or throwing, and the caller decides how to
// show them. `format` renders the compiler-style text the CLI prints.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mlec {

enum class Severity { error, warning, note };

// Which input a problem is in: it decides the CLI's exit code.
enum class Category { model, data, usage, fit };

struct Diagnostic {
    Severity severity = Severity::error;
    Category category = Category::model;
    std::string file;  // model or data file name as the user gave it
    int line = 0;      // 1-based; 0 when the problem has no position
    int column = 0;    // 1-based, in characters (UTF-8 code points)
    std::string message;
    std::string source_line;  // the whole line the position is in, without its newline
    int caret_length = 1;     // how many characters the caret underlines

    // An error without a position: about a file as a whole (it cannot be
    // opened, it has no rows), or about no file (file ""). Positioned
    // diagnostics name every field: Diagnostic{.severity = ..., .line = ...}.
    static Diagnostic error(Category category, std::string file, std::string message) {
        Diagnostic d;  // (assigned, not designated: GCC 12 warns about omitted fields)
        d.severity = Severity::error;
        d.category = category;
        d.file = std::move(file);
        d.message = std::move(message);
        return d;
    }
};

using Diagnostics = std::vector<Diagnostic>;

// "file:line:col: error: message", then the source line indented by four
// spaces and a caret under the column (tabs kept so the caret lines up).
// Without a position: "file: error: message".
std::string format(const Diagnostic& d);
std::string format(const Diagnostics& ds);

bool has_error(const Diagnostics& ds);

// The documented exit code of the mlec command for these diagnostics
// (mlec/exit_codes.h), from the category of the first error: 1 usage or
// unreadable file, 2 model, 3 data, 4 fit (1 when there is no error). The
// C API and the Python module classify errors by the same rule.
int exit_code(const Diagnostics& ds);

// The one failure that is thrown rather than returned: in a distributed fit
// (mlec/distributed.hpp), another rank stopped answering (it died, or hangs)
// within the cluster's timeout. The ranks can no longer agree on anything,
// so the caller should stop them all (MPI_Abort).
class ClusterFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace mlec
