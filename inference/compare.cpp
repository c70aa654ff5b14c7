// mlec compare: information criteria and likelihood-ratio tests across
// models fitted to the same rows. Parameter counts and the number of
// observations come from the fits themselves, never from the user.
#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "mlec/mlec.hpp"
#include "report/json_write.hpp"
#include "report/number_format.hpp"

namespace mlec {

namespace {

std::set<std::string> names_of(const FitResult& r) {
    std::set<std::string> out;
    for (const auto& p : r.parameters) out.insert(p.name);
    return out;
}

// The parameters a fit held (FitOptions::fixed), by name, with their values.
std::map<std::string, double> held_by(const FitResult& r) {
    std::map<std::string, double> out;
    for (const auto& p : r.parameters)
        if (p.fixed) out[p.name] = p.estimate;
    return out;
}

// "b = 0, sigma = 1", from held_by.
std::string held_text(const std::map<std::string, double>& held) {
    std::string out;
    for (const auto& [name, value] : held)
        out.append(out.empty() ? "" : ", ").append(name + " = ").append(report::format_exact(value));
    return out;
}

// How the comparison names a fit: its model, and what it held ("m.mle
// with b = 0").
std::string label(const FitResult& r) {
    const auto held = held_by(r);
    return held.empty() ? r.model_name : r.model_name + " with " + held_text(held);
}

// `small` is `large` with more parameters held: the same model, the same
// parameters, and every parameter `large` holds held by `small` at the
// same value. Then the nesting is a fact, not an assumption.
bool held_within(const FitResult& small, const FitResult& large) {
    if (small.model_name != large.model_name || names_of(small) != names_of(large)) return false;
    const auto a = held_by(small), b = held_by(large);
    for (const auto& [name, value] : b)
        if (const auto it = a.find(name); it == a.end() || it->second != value) return false;
    return a.size() > b.size();
}

// 'y', 'z' (or that there is no outcome).
std::string quoted_list(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out.append(i ? ", '" : "'").append(items[i]).append("'");
    return out.empty() ? "no outcome (no '~' statement)" : out;
}

// Likelihoods compare only as densities of the same outcomes: a model of
// log(y) and one of y (or of another column) differ by more than fit. The
// outcomes' texts are compared in any order; model i's differing from the
// first model's is a model error naming both.
bool same_outcomes(const std::vector<FitResult>& fits, const std::vector<std::vector<std::string>>& outcomes,
                   Diagnostics& diagnostics) {
    auto sorted = [](std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    const std::vector<std::string> first = sorted(outcomes.front());
    for (std::size_t i = 1; i < fits.size(); ++i) {
        if (sorted(outcomes[i]) == first) continue;
        diagnostics.push_back(Diagnostic::error(
            Category::model, fits[i].model_name,
            "models " + quoted_list(outcomes[i]) + ", but " + fits.front().model_name + " models " +
                quoted_list(outcomes.front()) +
                ": likelihoods of different outcomes cannot be compared (and a density of a transformed outcome, "
                "as in log(y) ~ normal(...), lacks the log-Jacobian that would make it a density of y, as "
                "y ~ lognormal(...) is)"));
        return false;
    }
    return true;
}

// What makes models comparable by likelihood: at least two, with their
// outcomes, the same outcomes, the same rows. False after adding the error.
bool comparable(const std::vector<FitResult>& fits, const std::vector<std::vector<std::string>>& outcomes,
                Diagnostics& diagnostics) {
    if (fits.size() < 2) {
        diagnostics.push_back(Diagnostic::error(Category::usage, "", "compare needs at least two models"));
        return false;
    }
    if (outcomes.size() != fits.size()) {
        diagnostics.push_back(Diagnostic::error(Category::usage, "", "compare needs the outcomes of every model"));
        return false;
    }
    if (!same_outcomes(fits, outcomes, diagnostics)) return false;
    for (const FitResult& f : fits) {
        if (f.n_obs != fits.front().n_obs) {
            diagnostics.push_back(
                Diagnostic::error(Category::data, f.model_name,
                                  "uses " + std::to_string(f.n_obs) + " rows but " + fits.front().model_name +
                                      " uses " + std::to_string(fits.front().n_obs) +
                                      "; models compared by likelihood must be fitted to the same rows"));
            return false;
        }
        if (f.n_weighted != fits.front().n_weighted) {
            diagnostics.push_back(Diagnostic::error(Category::data, f.model_name,
                                                    "weighs its rows to " + report::format_short(f.n_weighted) +
                                                        " observations but " + fits.front().model_name + " to " +
                                                        report::format_short(fits.front().n_weighted) +
                                                        "; models compared by likelihood must weigh the rows alike"));
            return false;
        }
    }
    return true;
}

// A model's information criteria on n observations. A point on the way to
// infinity, or where the optimizer gave up, is no maximum: it has no
// criteria, no weight and no test.
ModelComparison::Row criteria(const FitResult& f, double n) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    ModelComparison::Row row;
    row.model = label(f);
    row.n_params = f.n_params;
    row.converged = f.converged;
    row.status = std::string(to_string(f.status));
    row.has_maximum = found_maximum(f);
    row.log_likelihood = row.has_maximum ? f.log_likelihood : nan;
    const double k = f.n_params;
    row.aic = 2 * k - 2 * row.log_likelihood;
    // AICc (Hurvich & Tsai, 1989); undefined when n <= k + 1.
    row.aicc = n - k - 1 > 0 ? row.aic + 2 * k * (k + 1) / (n - k - 1) : nan;
    row.bic = k * std::log(n) - 2 * row.log_likelihood;
    return row;
}

// Akaike weights: exp(-delta/2) normalized (Burnham & Anderson, 2002),
// over the models with a maximum.
void akaike_weights(std::vector<ModelComparison::Row>& rows) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    double best = std::numeric_limits<double>::infinity();
    for (const auto& r : rows)
        if (r.has_maximum) best = std::min(best, r.aic);
    double total = 0;
    for (auto& r : rows) {
        r.delta_aic = r.has_maximum ? r.aic - best : nan;
        if (r.has_maximum) total += std::exp(-r.delta_aic / 2);
    }
    for (auto& r : rows) r.akaike_weight = r.has_maximum ? std::exp(-r.delta_aic / 2) / total : nan;
}

// When the parameters `large` adds are random effects' SDs absent from
// `small` (so at their boundary 0 there, unless small holds them at a
// value): the boundary's null distribution (ModelComparison::LikelihoodRatio).
void boundary_test(const FitResult& small, const FitResult& large, ModelComparison::LikelihoodRatio& t) {
    const auto in_small = names_of(small);
    std::vector<std::string> extra;
    for (const ParameterEstimate& p : large.parameters) {
        if (p.fixed || in_small.count(p.name)) continue;
        if (!p.random_scale) return;
        extra.push_back(p.name);
    }
    if (extra.empty() || static_cast<int>(extra.size()) != t.df) return;
    if (extra.size() == 1) {
        t.p_value_boundary = t.statistic > 0 ? t.p_value / 2 : 1.0;
        t.boundary = extra[0] + " is a random effect's standard deviation, absent from (0 in) " + small.model_name +
                     ": 0 is on the boundary of its parameter space, so the statistic's null distribution is a 50:50 "
                     "mixture of chi-square(0) and chi-square(1) (Self & Liang 1987), whose p-value is " +
                     report::format_digits(*t.p_value_boundary, 4) + "; the chi-square(1) p-value is conservative";
        return;
    }
    std::string list;
    for (const std::string& name : extra) list.append(list.empty() ? "" : ", ").append(name);
    t.boundary = list + " are random effects' standard deviations, absent from (0 in) " + small.model_name +
                 ": 0 is on the boundary of their parameter space, so the chi-square(" + std::to_string(t.df) +
                 ") p-value is conservative (the null distribution is a mixture of chi-squares with weights that "
                 "depend on the information matrix; Self & Liang 1987)";
}

// The likelihood-ratio test of `small` within `large`, or (with nothing)
// a warning why there is none: when the smaller one's parameters are not
// all (by name) in the larger one.
void likelihood_ratio_test(const FitResult& small, const FitResult& large, ModelComparison& c) {
    const int df = large.n_params - small.n_params;
    const auto a = names_of(small), b = names_of(large);
    const bool subset = std::includes(b.begin(), b.end(), a.begin(), a.end());
    if (df <= 0 || !subset) {
        c.warnings.push_back("no likelihood-ratio test of " + label(small) + " against " + label(large) +
                             (df <= 0 ? ": they have the same number of parameters"
                                      : ": not every parameter of the smaller model is a parameter of the larger "
                                        "one, so they are not nested by name"));
        return;
    }
    ModelComparison::LikelihoodRatio t;
    t.smaller = label(small);
    t.larger = label(large);
    t.df = df;
    t.statistic = std::max(0.0, 2 * (large.log_likelihood - small.log_likelihood));
    t.p_value = boost::math::cdf(boost::math::complement(boost::math::chi_squared(df), t.statistic));
    if (held_within(small, large)) {
        std::map<std::string, double> held = held_by(small);
        for (const auto& [name, value] : held_by(large)) held.erase(name);
        const bool one = held.size() == 1;
        t.nesting = "established: both fits are of " + large.model_name + ", the smaller with " + held_text(held) +
                    " held (fixed at " + (one ? "a value" : "values") + " strictly inside the parameter" +
                    (one ? "'s" : "s'") + " bounds)";
    } else
        t.nesting = "assumed: every parameter of " + small.model_name + " is a parameter of " + large.model_name +
                    " (by name), so " + small.model_name + " is taken to be " + large.model_name + " with its " +
                    std::to_string(df) + " other parameter" + (df == 1 ? "" : "s") +
                    " fixed; the test is valid only if that holds and the fixed values are inside the parameter space";
    boundary_test(small, large, t);
    if (large.log_likelihood < small.log_likelihood - 1e-6 * std::max(1.0, std::abs(small.log_likelihood)))
        c.warnings.push_back(label(large) + " fits worse than the smaller " + label(small) +
                             ": the models are not nested, or a fit stopped at a local optimum (try --starts)");
    c.tests.push_back(t);
}

}  // namespace

std::optional<ModelComparison> compare(const std::vector<FitResult>& fits,
                                       const std::vector<std::vector<std::string>>& outcomes,
                                       Diagnostics& diagnostics) {
    if (!comparable(fits, outcomes, diagnostics)) return std::nullopt;
    ModelComparison c;
    c.n_obs = fits.front().n_obs;
    for (const FitResult& f : fits) {
        c.rows.push_back(criteria(f, fits.front().n_weighted));
        if (!c.rows.back().has_maximum)
            c.warnings.push_back(label(f) + " found no maximum (" + c.rows.back().status +
                                 "): it is left out of the Akaike weights and likelihood-ratio tests");
    }
    akaike_weights(c.rows);
    // Likelihood-ratio tests between models with a maximum ordered by
    // parameter count.
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < fits.size(); ++i)
        if (c.rows[i].has_maximum) order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return fits[a].n_params < fits[b].n_params; });
    for (std::size_t i = 0; i + 1 < order.size(); ++i) likelihood_ratio_test(fits[order[i]], fits[order[i + 1]], c);
    return c;
}

std::string text_report(const ModelComparison& c) {
    std::ostringstream o;
    o << "Comparison of " << c.rows.size() << " models on " << c.n_obs << " observations\n\n";
    std::vector<std::vector<std::string>> rows{
        {"model", "params", "log-lik", "AIC", "AICc", "BIC", "delta AIC", "weight"}};
    for (const auto& r : c.rows)
        rows.push_back({r.model + (r.has_maximum ? "" : " (" + r.status + ": left out)"), std::to_string(r.n_params),
                        report::format_digits(r.log_likelihood, 8), report::format_digits(r.aic, 8),
                        report::format_digits(r.aicc, 8), report::format_digits(r.bic, 8),
                        report::format_digits(r.delta_aic, 4), report::format_digits(r.akaike_weight, 4)});
    std::vector<std::size_t> width(rows[0].size(), 0);
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i)
            line += i == 0 ? row[i] + std::string(width[i] - row[i].size(), ' ')
                           : "  " + std::string(width[i] - row[i].size(), ' ') + row[i];
        o << line << "\n";
    }
    for (const auto& t : c.tests) {
        o << "\nlikelihood-ratio test, " << t.smaller << " within " << t.larger << ": statistic "
          << report::format_digits(t.statistic, 6) << ", df " << t.df << ", p-value "
          << report::format_digits(t.p_value, 4) << "\n  nesting " << t.nesting << "\n";
        if (!t.boundary.empty()) o << "  boundary: " << t.boundary << "\n";
    }
    if (!c.warnings.empty()) {
        o << "\nwarnings:\n";
        for (const auto& w : c.warnings) o << "  " << w << "\n";
    }
    return o.str();
}

std::string json_report(const ModelComparison& c) {
    std::ostringstream o;
    o << "{\n  \"n_obs\": " << c.n_obs << ",\n  \"models\": [";
    for (std::size_t i = 0; i < c.rows.size(); ++i) {
        const auto& r = c.rows[i];
        o << (i ? "," : "") << "\n    {\"model\": " << report::json_quote(r.model) << ", \"n_params\": " << r.n_params
          << ", \"converged\": " << (r.converged ? "true" : "false") << ", \"status\": " << report::json_quote(r.status)
          << ", \"has_maximum\": " << (r.has_maximum ? "true" : "false")
          << ", \"log_likelihood\": " << report::json_number(r.log_likelihood)
          << ", \"aic\": " << report::json_number(r.aic) << ", \"aicc\": " << report::json_number(r.aicc)
          << ", \"bic\": " << report::json_number(r.bic) << ", \"delta_aic\": " << report::json_number(r.delta_aic)
          << ", \"akaike_weight\": " << report::json_number(r.akaike_weight) << "}";
    }
    o << "\n  ],\n  \"likelihood_ratio_tests\": [";
    for (std::size_t i = 0; i < c.tests.size(); ++i) {
        const auto& t = c.tests[i];
        o << (i ? "," : "") << "\n    {\"smaller\": " << report::json_quote(t.smaller)
          << ", \"larger\": " << report::json_quote(t.larger) << ", \"statistic\": " << report::json_number(t.statistic)
          << ", \"df\": " << t.df << ", \"p_value\": " << report::json_number(t.p_value)
          << ", \"nesting\": " << report::json_quote(t.nesting)
          << ", \"p_value_boundary\": " << report::json_number(t.p_value_boundary)
          << ", \"boundary\": " << (t.boundary.empty() ? std::string("null") : report::json_quote(t.boundary)) << "}";
    }
    o << (c.tests.empty() ? "" : "\n  ") << "],\n  \"warnings\": [";
    for (std::size_t i = 0; i < c.warnings.size(); ++i) o << (i ? ", " : "") << report::json_quote(c.warnings[i]);
    o << "]\n}\n";
    return o.str();
}

}  // namespace mlec
