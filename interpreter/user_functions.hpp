// User functions, `def f(x, k) = expr` (docs/language.md, "User functions"):
// checked, then inlined at every call before the model is checked, so that
// the checker, the graph and the derivatives see exactly the model with each
// call written out. Nothing after this pass sees a def.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "grammar/ast.hpp"
#include "grammar/source_text.hpp"
#include "mlec/diagnostic.hpp"

namespace mlec::interp {

// One call of a def, inlined: its body's nodes keep their spans in the def,
// the arguments theirs at the call, so an error inside a body points into
// the def, and these records say which call it came through.
struct InlinedCall {
    std::string function;
    Span call;              // the whole call, f(a, b)
    Span definition;        // the def statement
    int caller = -1;        // the inlined call whose body holds this call; -1 when a statement does
    std::size_t statement;  // the index, among the statements, of the statement it is in
};

struct InlinedModel {
    ast::Model model;                // the statements without defs, every call of a def inlined
    std::vector<InlinedCall> calls;  // in the order they were inlined
    Diagnostics warnings;            // defs never called
};

// Checks the defs (names, arguments, free names, recursion) and inlines
// every call. `header` is the data's columns, which a def may not be named
// after. Throws check::CheckError (interpreter/checker.hpp) on the first
// error.
InlinedModel inline_user_functions(const SourceText& source, const ast::Model& model,
                                   std::span<const std::string> header);

// Notes for an error at byte `offset` that lies inside a def's body: "in
// the call of 'f' here", from the innermost call out to the statement's,
// preferring a call in the statement `statement` (the one being checked).
Diagnostics inlining_notes(const SourceText& source, std::span<const InlinedCall> calls, std::uint32_t offset,
                           std::optional<std::size_t> statement);

}  // namespace mlec::interp
