// Name resolution, shape checks and lowering of a parsed model into the graph
// (checked_model.hpp); checker.hpp lists the files of the checker, one concept
// each. This one holds the pass over the statements and what the whole model
// must satisfy.
//
// A name in an expression is, in this order: a local defined above it, the
// constant pi, a data column, a declared parameter, or else an implicit
// scalar parameter (not e, inf, NA, TRUE and the like: constants mlec does
// not have are errors; nor, in check_free_names, a free name that looks
// like a mistyped column). Calls name built-in functions; sampling statements
// name distributions. The first error stops the check (later errors are
// often consequences of it).
#include <set>
#include <sstream>

#include "interpreter/checker.hpp"
#include "interpreter/user_functions.hpp"

namespace mlec::interp {

namespace check {

std::string plural(std::size_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

std::string format_number(double x) {
    std::ostringstream s;
    s.precision(15);
    s << x;
    return s.str();
}

// (Built with append: GCC 12 gives a false -Wrestrict on "literal" + string&&.)
std::string bounds_text(const rt::Bounds& b) {
    if (b.has_lower() && b.has_upper())
        return std::string("(").append(format_number(b.lower)).append(", ").append(format_number(b.upper)).append(")");
    if (b.has_lower()) return std::string("> ").append(format_number(b.lower));
    if (b.has_upper()) return std::string("< ").append(format_number(b.upper));
    return "unbounded";
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string arg_names(const rt::DistributionDef& d) {
    std::string names;
    for (std::size_t i = 0; i < d.args.size(); ++i) names += (i ? ", " : "") + std::string(d.args[i].name);
    return names;
}

CheckedModel Checker::run() {
    for (const ast::Statement& s : model_.statements) collect_used_names(s);
    collect_declarations();
    collect_implied_bounds();
    for (std::size_t i = 0; i < model_.statements.size(); ++i) {
        checking_ = i;
        const std::size_t checks_before = out_.checks.size();
        statement(model_.statements[i]);
        for (std::size_t c = checks_before; c < out_.checks.size(); ++c) out_.checks[c].statement = i;
    }
    checking_.reset();
    if (out_.terms.empty())
        throw CheckError{Diagnostic::error(Category::model, source_.name(),
                                           "the model has no sampling statement ('~') and no 'target +=': "
                                           "there is nothing to fit")};
    check_free_names();
    check_random_effects_reached();
    check_parameters_reached();
    warn_unused_declarations();
    warn_parts_added_per_row();
    column_warnings();
    for (Estimand& e : reports_) out_.estimands.push_back(std::move(e));
    return std::move(out_);
}

// Parameters, locals and the `data` statement's names, before any statement
// is checked.
void Checker::collect_declarations() {
    for (const ast::Statement& s : model_.statements) {
        if (const auto* p = std::get_if<ast::Param>(&s.node)) declare(*p);
        else if (const auto* a = std::get_if<ast::Assign>(&s.node)) locals_.collect(*a);
        else if (const auto* d = std::get_if<ast::Data>(&s.node)) columns_.list(*d);
    }
    for (const ast::Statement& s : model_.statements)
        if (const auto* r = std::get_if<ast::Random>(&s.node)) declare_random(*r);
}

void Checker::statement(const ast::Statement& s) {
    std::visit([&](const auto& node) { this->visit(s, node); }, s.node);
}

// A parameter that reaches no term cannot be estimated: say so before
// fitting rather than report a singular Hessian after.
void Checker::check_parameters_reached() {
    std::set<int> reached;
    for (int term : out_.graph.terms())
        for (int p : out_.graph.node(term).deps) reached.insert(p);
    for (std::size_t i = 0; i < out_.parameters.size(); ++i)
        if (!reached.count(static_cast<int>(i)))
            fail(out_.parameters[i].first_use, "parameter '" + out_.parameters[i].name +
                                                   "' does not affect the likelihood: it reaches no '~' "
                                                   "or 'target +=' statement, so the data say nothing about it");
}

void Checker::warn_unused_declarations() {
    for (const auto& [name, decl] : declared_) {
        if (params_.count(name)) continue;
        out_.warnings.push_back(source_.diagnostic(decl->name_span,
                                                   "parameter '" + name +
                                                       "' is declared but never used: it does not affect the "
                                                       "likelihood and is not estimated",
                                                   Category::model, Severity::warning));
    }
}

void Checker::fail(Span span, std::string message) const {
    throw CheckError{source_.diagnostic(span, std::move(message))};
}

std::string_view Checker::text_of(Span span) const {
    return std::string_view(source_.text()).substr(span.begin, span.end - span.begin);
}

// The source of `span` on one line, cut after 60 characters: how a
// message quotes an expression (it may span lines, or be very long).
std::string Checker::excerpt(Span span) const {
    constexpr std::size_t longest = 60;
    std::string out;
    for (char c : text_of(span)) {
        const bool blank = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        if (blank && (out.empty() || out.back() == ' ')) continue;
        out += blank ? ' ' : c;
    }
    if (out.size() > longest) out = out.substr(0, longest - 3) + "...";
    return out;
}

std::string Checker::location_of(Span span) const {
    const LineColumn lc = source_.locate(span.begin);
    return std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

std::string Checker::line_of(Span span) const { return "line " + std::to_string(source_.locate(span.begin).line); }

}  // namespace check

namespace {

// The byte offset of a diagnostic's line and column (columns count code
// points, and a model is ASCII outside comments, which end their lines).
std::uint32_t offset_of(const SourceText& source, const Diagnostic& d) {
    std::uint32_t offset = 0;
    for (int line = 1; line < d.line; ++line) {
        const std::size_t newline = source.text().find('\n', offset);
        if (newline == std::string::npos) break;
        offset = static_cast<std::uint32_t>(newline + 1);
    }
    return offset + static_cast<std::uint32_t>(d.column - 1);
}

}  // namespace

CheckResult check_model(const SourceText& source, const ast::Model& model, std::span<const std::string> header,
                        const std::string& data_name, const LevelsSource& levels) {
    CheckResult result;
    std::optional<InlinedModel> inlined;
    std::optional<check::Checker> checker;
    try {
        inlined = inline_user_functions(source, model, header);
        checker.emplace(source, inlined->model, header, data_name, levels);
        result.model = checker->run();
        for (Diagnostic& w : inlined->warnings) result.model->warnings.push_back(std::move(w));
        result.model->inlined_calls = std::move(inlined->calls);
    } catch (const check::CheckError& e) {
        result.diagnostics.push_back(e.diagnostic);
        // An error inside a def's body: which call it came through.
        if (checker && e.diagnostic.file == source.name() && e.diagnostic.line > 0)
            for (Diagnostic& note :
                 inlining_notes(source, inlined->calls, offset_of(source, e.diagnostic), checker->checking()))
                result.diagnostics.push_back(std::move(note));
    }
    return result;
}

}  // namespace mlec::interp
