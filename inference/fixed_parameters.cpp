// FitOptions::fixed and FitOptions::start: names looked up among the
// parameter entries, values checked against their bounds, and each
// mistake an error that says what to write instead.
#include "inference/fixed_parameters.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>

#include "interpreter/suggest.hpp"
#include "problem/impl.hpp"
#include "report/number_format.hpp"
#include "report/result_names.hpp"

namespace mlec {

namespace inference {

namespace {

std::string without_spaces(std::string_view s) {
    std::string out;
    for (char c : s)
        if (!std::isspace(static_cast<unsigned char>(c))) out += c;
    return out;
}

// Some of `names` (at most 4), as "a, b, c, ...".
std::string some_of(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < 4; ++i) out += (i ? ", " : "") + names[i];
    return names.size() > 4 ? out + ", ..." : out;
}

// "> 0", "< 5", "inside (0, 1)".
std::string allowed(const rt::Bounds& b) {
    const std::string text = report::bounds_text(ParameterBounds{.lower = b.lower, .upper = b.upper, .simplex = false});
    return b.has_lower() && b.has_upper() ? "inside " + text : text;
}

class Resolver {
public:
    Resolver(const Problem::Impl& p, Diagnostics& diagnostics) : p_(p), diagnostics_(diagnostics) {
        for (const interp::Estimand& e : p.model.estimands)
            if (!e.derived) entries_.push_back(e.name);
    }

    // The coordinate of theta the entry `name` is, or -1 after an error
    // (`verb` says what was asked: "fix", "give a start value to").
    int coordinate(const std::string& name, const char* verb) {
        const std::string key = without_spaces(name);
        const std::string head = "cannot " + std::string(verb) + " '" + name + "': ";
        const interp::Estimand* found = nullptr;
        for (const interp::Estimand& e : p_.model.estimands)
            if (e.name == name || without_spaces(e.name) == key) found = &e;
        if (found && found->derived) return fail(head + "it is a reported quantity ('report'), not a parameter");
        for (const interp::IntegratedParameter& b : p_.model.integrated)
            if (b.name == name || without_spaces(b.name) == key)
                return fail(head +
                            "it is a fixed effect, which REML (--reml) integrates out of the likelihood: it "
                            "cannot be held or started; fit by maximum likelihood to hold it");
        if (found && found->coordinate >= 0) return found->coordinate;
        if (const std::string simplex = simplex_of(key, found); !simplex.empty())
            return fail(head + "it is " + (key == simplex ? "a simplex" : "part of the simplex " + simplex) +
                        ", whose weights sum to 1 and move together: none of them can be held on its own");
        if (found && correlation_of(key))  // moved by its canonical partial correlations
            return fail(head + "it is an entry of the correlation matrix " + key.substr(0, key.find('[')) +
                        ", which the optimizer moves through its canonical partial correlations: no entry can be "
                        "held or started on its own; give the matrix a start value in the model, as in "
                        "'param R corr[2] = [0.3]'");
        if (found)  // an ordered vector's entry past the first: c[1] plus the gaps before it
            return fail(head + "it is an entry of an ordered vector, its first entry plus the gaps before it, which " +
                        "are what the optimizer moves: only the first entry can be held or started on its own; give " +
                        "the whole vector a start value in the model, as in 'param c ordered[3] = [-1, 0, 1]'");
        std::vector<std::string> elements;
        for (const std::string& entry : entries_)
            if (entry.starts_with(key + "[")) elements.push_back(entry);
        if (!elements.empty())
            return fail(head + "it has " + std::to_string(elements.size()) + " entries (" + some_of(elements) +
                        "); name them one by one, as '" + elements.front() + "'");
        if (auto near = interp::closest(key, entries_))
            return fail(head + "the model has no parameter of that name; did you mean '" + *near + "'?");
        return fail(head + "the model has no parameter of that name (its parameters: " + some_of(entries_) + ")");
    }

    // Whether `key` ("R[1,2]") is an entry of a `corr[K]` parameter, whose
    // coordinates are named "atanh(cpc R[1,2])".
    bool correlation_of(const std::string& key) const {
        const std::string cpc = "cpc " + key.substr(0, key.find('[')) + "[";
        for (const interp::ParameterInfo& parameter : p_.model.parameters)
            if (parameter.name.find(cpc) != std::string::npos) return true;
        return false;
    }

    // False after an error: `value` must be finite and strictly inside the
    // bounds of coordinate i (on the optimizer's scale too: not so near a
    // bound that its log or logit overflows).
    bool inside(int i, const std::string& name, double value, const char* verb) {
        const rt::Bounds& b = p_.model.parameters[static_cast<std::size_t>(i)].bounds;
        const std::string head = "cannot " + std::string(verb) + " " + name + " at " + report::format_short(value);
        if (!std::isfinite(value)) return fail(head + ": the value must be a finite number") >= 0;
        if (!b.contains(value)) return fail(head + ": " + name + " must be " + allowed(b)) >= 0;
        if (!std::isfinite(b.to_unconstrained(value)))
            return fail(head + ": it is too near the bound of " + name + " " + allowed(b) +
                        " to be represented on the optimizer's scale") >= 0;
        return true;
    }

    int fail(std::string message) {
        diagnostics_.push_back(Diagnostic::error(Category::usage, p_.model_name, std::move(message)));
        return -1;
    }

private:
    // The simplex `key` names ("w"), or whose weight ("w[2]") or log ratio
    // ("log(w[2]/w[1])") it is; "" when none.
    std::string simplex_of(const std::string& key, const interp::Estimand* found) const {
        for (const interp::Estimand& e : p_.model.estimands) {
            if (!e.simplex) continue;
            const std::string simplex = e.name.substr(0, e.name.find('['));
            if (key == simplex || (found && found == &e) || key.starts_with("log(" + simplex + "[")) return simplex;
        }
        return "";
    }

    const Problem::Impl& p_;
    Diagnostics& diagnostics_;
    std::vector<std::string> entries_;  // the parameter entries' names
};

}  // namespace

std::optional<ParameterValues> resolve_parameter_values(const Problem& problem, const FitOptions& options,
                                                        Diagnostics& diagnostics) {
    const Problem::Impl& p = problem.impl();
    const std::size_t errors = diagnostics.size();
    Resolver resolver(p, diagnostics);
    ParameterValues out;
    out.start = problem.start();
    out.held.assign(static_cast<std::size_t>(problem.dimension()), false);
    out.value.assign(out.held.size(), std::numeric_limits<double>::quiet_NaN());
    // What each coordinate was given, to catch a name given twice.
    struct Given {
        bool fixed;
        double value;
    };
    std::map<int, Given> given;
    auto take = [&](const ParameterValue& v, bool fixed) {
        const char* verb = fixed ? "fix" : "give a start value to";
        const int i = resolver.coordinate(v.name, verb);
        if (i < 0) return;
        const std::string& name = p.model.parameters[static_cast<std::size_t>(i)].name;
        if (const auto it = given.find(i); it != given.end()) {
            const Given& before = it->second;
            const std::string values =
                report::format_short(before.value) + " and " + report::format_short(v.value) + ")";
            if (before.fixed && fixed) resolver.fail("'" + name + "' is fixed twice (at " + values);
            else if (!before.fixed && !fixed) resolver.fail("'" + name + "' is given two start values (" + values);
            else
                resolver.fail("'" + name +
                              "' is both fixed and given a start value: a fixed parameter is not estimated, so it "
                              "has no start");
            return;
        }
        given[i] = Given{fixed, v.value};
        if (!resolver.inside(i, name, v.value, fixed ? "fix" : "start")) return;
        out.start[i] = p.model.parameters[static_cast<std::size_t>(i)].bounds.to_unconstrained(v.value);
        out.held[static_cast<std::size_t>(i)] = fixed;
        if (fixed) out.value[static_cast<std::size_t>(i)] = v.value;
    };
    for (const ParameterValue& v : options.fixed) take(v, true);
    for (const ParameterValue& v : options.start) take(v, false);
    if (diagnostics.size() > errors) return std::nullopt;
    return out;
}

}  // namespace inference

bool check_parameter_values(const Problem& problem, const FitOptions& options, Diagnostics& diagnostics) {
    return inference::resolve_parameter_values(problem, options, diagnostics).has_value();
}

}  // namespace mlec
