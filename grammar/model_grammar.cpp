// The one translation unit that compiles the X3 grammar: it instantiates the
// rules and runs them. Parsing is three steps over the text:
//   1. `prescan` (prescan.hpp, plain C++) rejects what X3 should never see
//      and builds the copy of the text that X3 reads;
//   2. X3 parses that copy (model_grammar_def.hpp); an `expectation_failure`
//      names the rule that was expected, and `expectation_error`
//      (syntax_errors.hpp) words it;
//   3. the syntax tree becomes ast.hpp's tree (model_grammar_to_ast.hpp).

#include <cstdint>
#include <limits>
#include <utility>

#include "grammar/model_grammar_def.hpp"
#include "grammar/model_grammar_to_ast.hpp"
#include "grammar/parse.hpp"
#include "grammar/prescan.hpp"
#include "grammar/syntax_errors.hpp"

namespace mlec::grammar::parser {
BOOST_SPIRIT_INSTANTIATE(model_type, iterator_type, context_type)
}  // namespace mlec::grammar::parser

namespace mlec {

ParseResult parse_model(const SourceText& source) {
    namespace x3 = boost::spirit::x3;
    using grammar::ParseError;
    using grammar::to_offset;
    ParseResult result;
    auto fail = [&](const ParseError& error) {
        result.diagnostics.push_back(source.diagnostic(error.span, error.message));
        return std::move(result);
    };
    if (source.text().size() >= std::numeric_limits<std::uint32_t>::max()) {
        result.diagnostics.push_back(
            Diagnostic::error(Category::model, source.name(), "model file is too large (4 GiB or more)"));
        return result;
    }

    const grammar::Prescan scanned = grammar::prescan(source);
    if (scanned.error) {
        return fail(*scanned.error);
    }

    const std::string& text = scanned.text;
    const char* first = text.data();
    const char* const last = text.data() + text.size();
    grammar::syntax::Model tree;
    try {
        const bool ok = x3::phrase_parse(first, last, grammar::model(), x3::ascii::blank, tree);
        if (!ok || first != last) {
            return fail(grammar::expectation_error(source, text, "statement", to_offset(first - text.data())));
        }
    } catch (const x3::expectation_failure<grammar::iterator_type>& failure) {
        return fail(
            grammar::expectation_error(source, text, failure.which(), to_offset(failure.where() - text.data())));
    }

    grammar::Converter converter(text);
    ast::Model model = converter.model(tree);
    if (converter.error) {
        return fail(*converter.error);
    }
    result.model = std::move(model);
    return result;
}

}  // namespace mlec
