// The parser's X3-free entry point: the interpreter and the API include this,
// never the grammar itself.
#pragma once

#include <optional>

#include "grammar/ast.hpp"
#include "grammar/source_text.hpp"
#include "mlec/diagnostic.hpp"

namespace mlec {

struct ParseResult {
    std::optional<ast::Model> model;  // set when parsing succeeded
    Diagnostics diagnostics;          // parse errors, positioned in `source`
};

ParseResult parse_model(const SourceText& source);

}  // namespace mlec
