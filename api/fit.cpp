// fit(): minimize the NLL, then read the curvature at the optimum — standard
// errors, intervals, and the diagnoses (divergence, a singular Hessian) that
// decide whether the numbers may be called estimates at all.
#include <boost/math/distributions/normal.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <sstream>

#include "api/impl.hpp"
#include "api/bootstrap.hpp"
#include "api/separation_report.hpp"
#include "api/number_format.hpp"
#include "runtime/inference.hpp"
#include "runtime/optimize.hpp"
#include "runtime/profile.hpp"
#include "runtime/separation.hpp"

namespace mlec {

namespace {

class ProblemObjective final : public rt::Objective {
public:
    explicit ProblemObjective(const Problem& p) : p_(p) {}
    int dimension() const override { return p_.dimension(); }
    double value(const Eigen::VectorXd& x) override { return p_.nll(x); }
    double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override { return p_.nll_gradient(x, g); }
    double value_gradient_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& g, Eigen::MatrixXd& h) override {
        return p_.nll_gradient_hessian(x, g, h);
    }

private:
    const Problem& p_;
};

// Built with append: GCC 12 gives a false -Wrestrict on "literal" + string&&.
std::string bounds_label(const rt::Bounds& b) {
    std::string s;
    if (b.has_lower() && b.has_upper())
        s.append("(").append(format_short(b.lower)).append(", ").append(format_short(b.upper)).append(")");
    else if (b.has_lower())
        s.append("> ").append(format_short(b.lower));
    else if (b.has_upper())
        s.append("< ").append(format_short(b.upper));
    return s;
}

// Where a parameter goes when its unconstrained coordinate runs to
// +-infinity in direction `sign`, in the user's terms: an infinity or the
// bound it approaches.
std::string limit_value(const rt::Bounds& b, int sign) {
    if (b.has_lower() && b.has_upper()) return format_short(sign > 0 ? b.upper : b.lower);
    if (b.has_lower()) return sign > 0 ? "+inf" : format_short(b.lower);
    if (b.has_upper()) return sign > 0 ? "-inf" : format_short(b.upper);
    return sign > 0 ? "+inf" : "-inf";
}

std::string limit_text(const rt::Bounds& b, int sign) {
    std::string s = limit_value(b, sign);
    if (s.back() == 'f') return s;  // an infinity
    const bool upper = b.has_lower() ? sign > 0 : sign < 0;
    s.append(upper ? " (its upper bound)" : " (its lower bound)");
    return s;
}

int user_direction(const rt::Bounds& b, int sign) {
    if (b.has_upper() && !b.has_lower()) return -sign;
    return sign;
}

// The message about this rank's first row (`bad`) whose log-likelihood is
// not finite, numbered among all ranks' rows.
std::string non_finite_row_message(Problem::Impl& p, const Eigen::VectorXd& theta,
                                   const rt::Evaluator::NonFinite* bad) {
    const interp::TermInfo& term = p.model.terms[static_cast<std::size_t>(bad->term)];
    std::ostringstream s;
    s << "the log-likelihood is not finite at the start values: row " << p.first_row + bad->row + 1 << " of " << p.data_name
      << " gives log p = " << format_short(bad->value) << " in '" << term.text << "'";
    if (!term.input_nodes.empty()) {
        s << " (";
        for (std::size_t i = 0; i < term.input_nodes.size(); ++i) {
            const std::vector<double> v = p.evaluator->node_values(theta, term.input_nodes[i]);
            const double value = v.size() == 1 ? v[0] : v[bad->row];
            if (i) s << ", ";
            s << term.input_names[i] << " = "
              << format_short(value);
        }
        s << ")";
    }
    s << "; give start values with 'param name = value'";
    return s.str();
}

std::string non_finite_message(Problem::Impl& p, const Eigen::VectorXd& theta) {
    auto bad = p.evaluator->find_non_finite(theta);
    std::string message = bad ? non_finite_row_message(p, theta, &*bad) : std::string();
    // Distributed: the first rank that has such a row has the first row.
    if (p.collective)
        for (const std::string& m : p.collective->all_gather(message))
            if (!m.empty()) return m;
    return bad ? message : "the log-likelihood is not finite at the start values";
}

std::string describe_direction(const std::vector<interp::ParameterInfo>& params, const Eigen::VectorXd& v) {
    std::ostringstream s;
    bool first = true;
    for (Eigen::Index i = 0; i < v.size(); ++i) {
        if (std::abs(v[i]) < 0.05) continue;
        s << (first ? (v[i] < 0 ? "-" : "") : (v[i] < 0 ? " - " : " + ")) << format_digits(std::abs(v[i]), 2) << "*"
          << params[static_cast<std::size_t>(i)].name;
        first = false;
    }
    return s.str();
}

// Random starts, reproducible from the seed on any platform: each
// coordinate of the optimizer's (unconstrained) vector uniform on
// (u0 - 2, u0 + 2) around the given start u0. SplitMix64 (Steele, Lea and
// Flood, 2014) turns the seed into the stream; its top 53 bits give a double.
std::vector<Eigen::VectorXd> random_starts(const Eigen::VectorXd& start, int count, std::uint64_t seed) {
    std::uint64_t state = seed;
    auto next_uniform = [&state]() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        return static_cast<double>(z >> 11) * 0x1.0p-53;
    };
    std::vector<Eigen::VectorXd> out;
    for (int k = 0; k < count; ++k) {
        Eigen::VectorXd s = start;
        for (Eigen::Index i = 0; i < s.size(); ++i) s[i] += 4 * next_uniform() - 2;
        out.push_back(std::move(s));
    }
    return out;
}

// Final NLLs of several starts, grouped into distinct optima: two runs found
// the same optimum when their log-likelihoods agree to 1e-6 relative.
std::vector<Optimum> group_optima(std::vector<double> finals) {
    std::sort(finals.begin(), finals.end());
    std::vector<Optimum> out;
    for (double f : finals) {
        if (!std::isfinite(f)) continue;
        if (!out.empty() && std::abs(-f - out.back().log_likelihood) <=
                                1e-6 * std::max(1.0, std::abs(out.back().log_likelihood))) {
            ++out.back().starts;
            continue;
        }
        out.push_back(Optimum{-f, 1});
    }
    return out;
}

}  // namespace

std::string_view to_string(FitStatus status) {
    switch (status) {
        case FitStatus::converged: return "converged";
        case FitStatus::not_identified: return "not_identified";
        case FitStatus::not_a_maximum: return "not_a_maximum";
        case FitStatus::diverged: return "diverged";
        case FitStatus::max_iterations: return "max_iterations";
        case FitStatus::line_search_failed: return "line_search_failed";
        case FitStatus::non_finite_start: return "non_finite_start";
        case FitStatus::cancelled: return "cancelled";
        case FitStatus::invalid_options: return "invalid_options";
    }
    return "unknown";
}

bool FitOptions::is_valid(std::string* why) const {
    auto bad = [&](const char* text) {
        if (why) *why = text;
        return false;
    };
    if (max_iterations < 1) return bad("max_iterations must be at least 1");
    if (!(gradient_tolerance > 0) || !std::isfinite(gradient_tolerance))
        return bad("gradient_tolerance must be a positive number");
    if (!(confidence > 0 && confidence < 1)) return bad("confidence must be between 0 and 1");
    if (starts < 1) return bad("starts must be at least 1");
    if (bootstrap < 0) return bad("bootstrap must not be negative");
    return true;
}

namespace {

// One fit from `start_at` (the model's start values when empty). With
// profile intervals, a better optimum met while profiling comes back in
// `better` for the caller to refit from.
FitResult fit_from(const Problem& problem, const FitOptions& options, const Eigen::VectorXd* start_at,
                   std::optional<Eigen::VectorXd>& better) {
    Problem::Impl& p = problem.impl();
    const auto& params = p.model.parameters;
    const int k = problem.dimension();

    FitResult r;
    r.model_name = p.model_name;
    r.data_name = p.data_name;
    r.data_columns = problem.data_columns();
    r.n_obs = p.total_rows;
    r.rows_dropped = p.rows_dropped;
    r.n_params = k;
    r.confidence = options.confidence;
    for (const Diagnostic& w : p.model.warnings) r.warnings.push_back(w.message);
    r.notes = p.model.notes;
    if (p.rows_dropped > 0)
        r.notes.push_back(std::to_string(p.rows_dropped) + " of " + std::to_string(p.total_rows + p.rows_dropped) +
                          " rows were dropped for a missing value in a column the model uses (--na drop)");
    std::string why;
    if (!options.is_valid(&why)) {
        r.status = FitStatus::invalid_options;
        r.log_likelihood = r.aic = r.bic = std::numeric_limits<double>::quiet_NaN();
        r.message = "invalid fit options: " + why;
        return r;
    }

    ProblemObjective objective(problem);
    const Eigen::VectorXd start = start_at ? *start_at : problem.start();
    rt::OptimizeOptions oo;
    oo.method = options.method == Method::newton  ? rt::Method::newton
                : options.method == Method::lbfgs ? rt::Method::lbfgs
                                                  : rt::Method::automatic;
    oo.max_iterations = options.max_iterations;
    oo.gradient_tolerance = options.gradient_tolerance;
    // The first start's iterations are kept for the convergence plot.
    bool first_run = true;
    rt::IterationCallback callback = [&](const rt::IterationInfo& info) {
        const IterationInfo it{info.iteration, info.f, info.gradient_norm, info.step};
        if (first_run) r.trace.push_back(it);
        return options.on_iteration ? options.on_iteration(it) : true;
    };

    // Every reported quantity (parameter entries, then `report`s) with its
    // gradient in theta, the delta method's input: row e of `jacobian`.
    const auto& estimands = p.model.estimands;
    Eigen::MatrixXd jacobian(static_cast<Eigen::Index>(estimands.size()), k);
    auto fill_parameters = [&](const Eigen::VectorXd& theta) {
        r.parameters.clear();
        r.derived.clear();
        Eigen::VectorXd grad;
        for (std::size_t i = 0; i < estimands.size(); ++i) {
            const interp::Estimand& est = estimands[i];
            ParameterEstimate e;
            e.name = est.name;
            e.estimate = p.evaluator->invariant_gradient(theta, est.node, grad);
            jacobian.row(static_cast<Eigen::Index>(i)) = grad.transpose();
            e.implicit = est.implicit;
            e.bounds = est.simplex ? "simplex" : bounds_label(est.bounds);
            (est.derived ? r.derived : r.parameters).push_back(e);
        }
    };
    // The ParameterEstimate of estimand i.
    // Where estimand i lands: its index in r.derived or r.parameters.
    std::vector<std::size_t> slot(estimands.size());
    for (std::size_t i = 0, parameters = 0, derived = 0; i < estimands.size(); ++i)
        slot[i] = estimands[i].derived ? derived++ : parameters++;
    auto estimate_of = [&](std::size_t i) -> ParameterEstimate& {
        return estimands[i].derived ? r.derived[slot[i]] : r.parameters[slot[i]];
    };

    // Nothing was fitted: no log-likelihood, AIC or BIC to show (NaN is
    // printed as n/a and written as null, never as a number).
    auto not_fitted = [&](std::string message) {
        r.status = FitStatus::non_finite_start;
        r.message = std::move(message);
        r.log_likelihood = r.aic = r.bic = std::numeric_limits<double>::quiet_NaN();
        r.gradient_norm = r.relative_gradient = std::numeric_limits<double>::quiet_NaN();
        fill_parameters(start);
        return r;
    };
    if (!std::isfinite(problem.nll(start))) return not_fitted(non_finite_message(p, start));
    {
        Eigen::VectorXd g;
        problem.nll_gradient(start, g);
        if (!g.allFinite()) {
            std::string names;
            for (int i = 0; i < k; ++i)
                if (!std::isfinite(g[i])) names += (names.empty() ? "" : ", ") + params[static_cast<std::size_t>(i)].name;
            return not_fitted("the log-likelihood is finite at the start values but its gradient is not (in " + names +
                              "): a value overflows; rescale the data or give other start values");
        }
    }

    // Several starts: the given one, then random ones around it; the best
    // optimum is reported, with how many distinct optima the starts found.
    if (options.check_gradient) r.gradient_checks.push_back(check_gradient(problem, start, "start"));

    // L-BFGS, having no Hessian, can stop on a saddle point (where the
    // gradient vanishes too): leave it along negative curvature and go on.
    auto optimize_from = [&](const Eigen::VectorXd& from) {
        rt::OptimizeResult result = rt::minimize(objective, from, oo, callback);
        for (int escapes = 0; escapes < 10 && result.status == rt::OptimizeStatus::converged; ++escapes) {
            Eigen::VectorXd g;
            Eigen::MatrixXd h;
            if (!std::isfinite(problem.nll_gradient_hessian(result.x, g, h))) break;
            auto escaped = rt::descend_negative_curvature(objective, result.x, result.f, h);
            if (!escaped) break;
            rt::OptimizeResult next = rt::minimize(objective, escaped->first, oo, callback);
            next.iterations += result.iterations;
            next.evaluations += result.evaluations;
            if (!(next.f < result.f)) break;
            result = std::move(next);
        }
        return result;
    };
    rt::OptimizeResult opt = optimize_from(start);
    first_run = false;
    if (options.starts > 1) {
        std::vector<double> finals{opt.f};
        int total_iterations = opt.iterations, total_evaluations = opt.evaluations;
        for (const Eigen::VectorXd& s : random_starts(start, options.starts - 1, options.seed)) {
            if (!std::isfinite(problem.nll(s))) {
                finals.push_back(std::numeric_limits<double>::infinity());
                continue;
            }
            rt::OptimizeResult other = optimize_from(s);
            total_iterations += other.iterations;
            total_evaluations += other.evaluations;
            finals.push_back(other.f);
            if (std::isfinite(other.f) && !(opt.f <= other.f)) opt = std::move(other);
        }
        r.starts = options.starts;
        r.optima = group_optima(finals);
        opt.iterations = total_iterations;
        opt.evaluations = total_evaluations;
    }
    const Eigen::VectorXd& theta = opt.x;
    r.iterations = opt.iterations;
    r.evaluations = opt.evaluations;
    r.method = opt.method_used == rt::Method::lbfgs ? "lbfgs" : "newton";
    r.relative_gradient = opt.relative_gradient;
    r.theta = theta;
    r.seed = options.seed;
    fill_parameters(theta);
    if (options.check_gradient) {
        r.gradient_checks.push_back(check_gradient(problem, theta, "estimate"));
        for (const GradientCheck& c : r.gradient_checks)
            r.diagnostics.push_back(FitDiagnostic{
                "gradient_check",
                "gradient check at the " + c.where + ": largest difference between the exact gradient and finite "
                "differences " + format_digits(c.max_abs_error, 3) + " (relative " + format_digits(c.max_rel_error, 3) +
                    (c.parameter.empty() ? "" : ", in " + c.parameter) + ")",
                c.parameter.empty() ? std::vector<std::string>{} : std::vector<std::string>{c.parameter},
                {}});
    }

    Eigen::VectorXd g;
    Eigen::MatrixXd h;
    const double f = problem.nll_gradient_hessian(theta, g, h);
    r.log_likelihood = -f;
    r.gradient_norm = k > 0 ? g.cwiseAbs().maxCoeff() : 0.0;
    r.aic = 2.0 * k + 2.0 * f;
    r.bic = k * std::log(static_cast<double>(std::max<std::size_t>(r.n_obs, 1))) + 2.0 * f;

    const rt::Curvature curvature = rt::analyze_hessian(h);
    r.hessian_condition = curvature.condition;

    // Is this a maximum at all, or a point on the way to infinity? Probe
    // when the optimizer did not converge, or the curvature is suspicious
    // (not positive definite, or standard errors huge next to the values).
    bool suspicious = opt.status != rt::OptimizeStatus::converged || !curvature.positive_definite ||
                      (curvature.condition && *curvature.condition > 1e12);
    // (A quasi-separated logistic fit stops with standard errors a few
    // hundred times its estimates; probing costs a few evaluations and
    // finds nothing at a true maximum, where every direction goes uphill.)
    if (curvature.positive_definite)
        for (int i = 0; i < k; ++i)
            if (std::sqrt(curvature.covariance(i, i)) > 1e2 * std::max(1.0, std::abs(theta[i]))) suspicious = true;
    std::optional<rt::Divergence> divergence;
    if (suspicious && opt.status != rt::OptimizeStatus::cancelled)
        divergence = rt::find_divergence(objective, theta, start, curvature);

    if (divergence) {
        r.status = FitStatus::diverged;
        r.converged = false;
        r.aic = r.bic = std::numeric_limits<double>::quiet_NaN();  // no maximum, no criterion
        std::ostringstream names;
        bool first = true;
        for (int i = 0; i < k; ++i) {
            const double d = divergence->direction[i];
            if (std::abs(d) < 0.01) continue;
            const int sign = d > 0 ? 1 : -1;
            const auto& info = params[static_cast<std::size_t>(i)];
            for (std::size_t j = 0; j < estimands.size(); ++j) {
                if (estimands[j].coordinate != i) continue;
                auto& e = estimate_of(j);
                e.diverging = true;
                // Where the optimizer stopped is no estimate.
                e.last_value = e.estimate;
                e.estimate = std::numeric_limits<double>::quiet_NaN();
                e.direction = user_direction(info.bounds, sign);
                e.diverges_to = limit_value(info.bounds, sign);
            }
            names << (first ? "" : ", ") << info.name << " -> " << limit_text(info.bounds, sign);
            first = false;
        }
        std::ostringstream m;
        m << "no finite maximum likelihood estimate: the log-likelihood keeps increasing as " << names.str();
        if (divergence->unbounded) {
            m << ", without bound";
        } else {
            // Within 1e-9 of 0 the limit is taken as 0 exactly: the
            // likelihood tends to 1 (the far probe only approaches it).
            const bool to_zero = std::abs(divergence->limit) < 1e-9;
            r.log_likelihood_limit = to_zero ? 0.0 : -divergence->limit;
            if (to_zero)
                m << ", towards 0: the likelihood tends to 1, the model reproducing every observation with "
                     "certainty (as with perfectly separated data, or a rate of 0 for all-zero counts)";
            else
                m << ", towards " << format_digits(-divergence->limit, 8);
        }
        r.message = m.str();
        r.warnings.push_back("the values shown for diverging parameters are where the optimizer stopped, not "
                             "estimates; they have no standard errors");
        std::vector<std::string> diverging;
        for (int i = 0; i < k; ++i)
            if (std::abs(divergence->direction[i]) >= 0.01) diverging.push_back(params[static_cast<std::size_t>(i)].name);
        if (!separation_diagnostic(p, theta, divergence->direction, diverging, r))
            r.diagnostics.push_back(FitDiagnostic{"divergence", r.message, diverging, {}});
        // A parameter running to a finite bound: the likelihood is largest
        // on the bound itself, where no Wald or profile interval applies.
        for (int i = 0; i < k; ++i) {
            const double d = divergence->direction[i];
            if (std::abs(d) < 0.01) continue;
            const auto& info = params[static_cast<std::size_t>(i)];
            const std::string limit = limit_value(info.bounds, d > 0 ? 1 : -1);
            if (limit.back() == 'f') continue;  // an infinity, not a bound
            r.diagnostics.push_back(FitDiagnostic{
                "on_bound",
                info.name + " is on its bound " + limit + ": the likelihood is largest there, so the bound itself is "
                "the estimate and intervals built from curvature do not apply",
                {info.name},
                {}});
        }
        return r;
    }

    switch (opt.status) {
        case rt::OptimizeStatus::converged: r.status = FitStatus::converged; break;
        case rt::OptimizeStatus::max_iterations: r.status = FitStatus::max_iterations; break;
        case rt::OptimizeStatus::line_search_failed: r.status = FitStatus::line_search_failed; break;
        case rt::OptimizeStatus::non_finite_start: r.status = FitStatus::non_finite_start; break;
        case rt::OptimizeStatus::cancelled: r.status = FitStatus::cancelled; break;
    }
    r.converged = r.status == FitStatus::converged;
    // Only a maximum has an information criterion.
    if (r.status != FitStatus::converged && r.status != FitStatus::not_identified)
        r.aic = r.bic = std::numeric_limits<double>::quiet_NaN();
    switch (r.status) {
        case FitStatus::converged:
            r.message = "relative gradient " + format_digits(opt.relative_gradient, 2) +
                        (opt.relative_gradient <= options.gradient_tolerance
                             ? " <= tolerance " + format_digits(options.gradient_tolerance, 2)
                             : " (the NLL stopped changing at working precision; accepted below sqrt(tolerance))") +
                        " after " + std::to_string(opt.iterations) + " iterations";
            break;
        case FitStatus::max_iterations:
            r.message = "did not converge: stopped after " + std::to_string(opt.iterations) +
                        " iterations with relative gradient " + format_digits(opt.relative_gradient, 2);
            break;
        case FitStatus::line_search_failed:
            r.message = "did not converge: no step along the search direction lowered the NLL (relative "
                        "gradient " + format_digits(opt.relative_gradient, 2) + ")";
            break;
        case FitStatus::cancelled: r.message = "cancelled by the caller"; break;
        default: r.message = "the log-likelihood is not finite at the start values"; break;
    }

    if (!curvature.positive_definite) {
        std::string text = "the Hessian of the NLL at the estimate is not positive definite";
        if (curvature.eigenvalues.size() == k && k > 0) {
            const double largest = std::max(1.0, curvature.eigenvalues.cwiseAbs().maxCoeff());
            // Flat directions: eigenvalues that vanish next to the largest.
            // Named in parameters, with an identified combination beside
            // them (the steepest direction), e.g. "a + b is identified,
            // a - b is not".
            std::vector<std::string> flat;
            std::vector<std::string> involved;
            for (Eigen::Index j = 0; j < curvature.eigenvalues.size(); ++j) {
                if (curvature.eigenvalues[j] > 1e-8 * largest) break;
                const Eigen::VectorXd v = curvature.eigenvectors.col(j);
                flat.push_back(describe_direction(params, v));
                for (int i = 0; i < k; ++i)
                    if (std::abs(v[i]) >= 0.05 &&
                        std::find(involved.begin(), involved.end(), params[static_cast<std::size_t>(i)].name) ==
                            involved.end())
                        involved.push_back(params[static_cast<std::size_t>(i)].name);
            }
            if (!flat.empty()) {
                std::string list;
                for (std::size_t j = 0; j < flat.size(); ++j) list += (j ? "; " : "") + flat[j];
                const std::string identified = describe_direction(params, curvature.eigenvectors.col(k - 1));
                const std::string message = "the data do not identify " + list + " (the likelihood is flat along " +
                                            (flat.size() == 1 ? "it" : "them") + "); " + identified +
                                            " is identified. Standard errors are not available";
                r.diagnostics.push_back(FitDiagnostic{"flat_direction", message, involved, {}});
                return r;
            } else {
                text += " (smallest eigenvalue " + format_digits(curvature.eigenvalues[0], 3) +
                        "): this is not a minimum; standard errors are not available";
                r.diagnostics.push_back(FitDiagnostic{"not_positive_definite", text, {}, {}});
                return r;
            }
        }
        r.warnings.push_back(text);
        return r;
    }

    // Standard errors by the delta method: Var(e) = grad_e' Cov(theta) grad_e.
    const boost::math::normal standard_normal;
    const double zq = boost::math::quantile(boost::math::complement(standard_normal, (1 - options.confidence) / 2));
    const Eigen::MatrixXd cov = jacobian * curvature.covariance * jacobian.transpose();
    for (std::size_t i = 0; i < estimands.size(); ++i) {
        const interp::Estimand& est = estimands[i];
        auto& e = estimate_of(i);
        const auto row = static_cast<Eigen::Index>(i);
        const double se = std::sqrt(std::max(0.0, cov(row, row)));
        if (!std::isfinite(se)) continue;
        e.std_error = se;
        if (se > 0) {
            e.z = e.estimate / se;
            e.p_value = 2 * boost::math::cdf(boost::math::complement(standard_normal, std::abs(*e.z)));
        }
        // Intervals respect the bounds: for a bounded parameter the interval
        // is built on the optimizer's scale and mapped back; for a simplex
        // weight on the logit scale.
        double lo = e.estimate - zq * se, hi = e.estimate + zq * se;
        if (est.coordinate >= 0 && !est.bounds.unbounded()) {
            const double u = theta[est.coordinate];
            const double se_u = std::sqrt(curvature.covariance(est.coordinate, est.coordinate));
            lo = est.bounds.to_user(u - zq * se_u);
            hi = est.bounds.to_user(u + zq * se_u);
        } else if (est.simplex && e.estimate > 0 && e.estimate < 1) {
            const double w = e.estimate;
            const double l = std::log(w / (1 - w)), se_l = se / (w * (1 - w));
            lo = 1 / (1 + std::exp(-(l - zq * se_l)));
            hi = 1 / (1 + std::exp(-(l + zq * se_l)));
        }
        e.ci_lower = std::min(lo, hi);
        e.ci_upper = std::max(lo, hi);
    }
    // The covariance of the parameter entries on the user's scale.
    std::vector<Eigen::Index> rows;
    for (std::size_t i = 0; i < estimands.size(); ++i)
        if (!estimands[i].derived) rows.push_back(static_cast<Eigen::Index>(i));
    r.theta_covariance = curvature.covariance;
    r.covariance.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.size()));
    for (std::size_t a = 0; a < rows.size(); ++a)
        for (std::size_t b = 0; b < rows.size(); ++b)
            r.covariance(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) = cov(rows[a], rows[b]);
    if (r.hessian_condition && *r.hessian_condition > 1e10) {
        const std::string text = "the Hessian at the estimate is ill-conditioned (condition number " +
                                 format_digits(*r.hessian_condition, 3) + "): standard errors may be inaccurate";
        r.diagnostics.push_back(FitDiagnostic{"ill_conditioned", text, {}, {}});
    }
    if (options.bootstrap > 0 && r.converged) {
        std::vector<ParameterEstimate*> targets;
        for (std::size_t i = 0; i < estimands.size(); ++i) targets.push_back(&estimate_of(i));
        parametric_bootstrap(p, options, theta, oo, targets, r);
    }
    r.ci_method = "wald";
    if (options.ci == CiMethod::profile) {
        r.ci_method = "profile";
        rt::ProfileOptions po;
        po.level = options.confidence;
        for (std::size_t i = 0; i < estimands.size(); ++i) {
            const interp::Estimand& est = estimands[i];
            auto& e = estimate_of(i);
            const auto row = static_cast<Eigen::Index>(i);
            const double node_se = std::sqrt(std::max(0.0, cov(row, row)));
            rt::Quantity quantity = [&p, node = est.node](const Eigen::VectorXd& t, Eigen::VectorXd& g) {
                return p.evaluator->invariant_gradient(t, node, g);
            };
            rt::ProfileResult pr;
            if (est.coordinate >= 0) {
                const rt::Bounds b = est.bounds;
                pr = rt::profile(objective, theta, f, quantity, est.coordinate,
                                 [b](double u) { return b.to_user(u); },
                                 std::sqrt(curvature.covariance(est.coordinate, est.coordinate)), b.lower, b.upper, po);
            } else {
                const double lo = est.simplex ? 0.0 : -std::numeric_limits<double>::infinity();
                const double hi = est.simplex ? 1.0 : std::numeric_limits<double>::infinity();
                pr = rt::profile(objective, theta, f, quantity, -1, {}, node_se, lo, hi, po);
            }
            if (pr.better) {
                better = std::move(pr.better);
                return r;
            }
            e.ci_lower = pr.lower.bound;
            e.ci_upper = pr.upper.bound;
            e.ci_lower_open = pr.lower.open;
            e.ci_upper_open = pr.upper.open;
            if (pr.lower.open) r.notes.push_back(e.name + ": the profile interval is open below: " + pr.lower.reason);
            if (pr.upper.open) r.notes.push_back(e.name + ": the profile interval is open above: " + pr.upper.reason);
            e.profile = std::move(pr.curve);
            if (options.on_profile) options.on_profile(static_cast<int>(i) + 1, static_cast<int>(estimands.size()));
        }
    }
    return r;
}

}  // namespace

FitResult fit(const Problem& problem, const FitOptions& options) {
    std::optional<Eigen::VectorXd> better;
    FitResult r = fit_from(problem, options, nullptr, better);
    // Profiling can find a point better than the optimizer's: refit from
    // there (a few times at most) and say so.
    for (int restart = 0; restart < 3 && better; ++restart) {
        const double before = r.log_likelihood;
        const Eigen::VectorXd from = *better;
        better.reset();
        r = fit_from(problem, options, &from, better);
        r.notes.push_back("profiling found a better optimum than the first fit (log-likelihood " +
                          format_digits(before, 10) + "); the fit was restarted from it");
    }
    return r;
}

}  // namespace mlec
