// A fit with no finite maximum: which parameters run off and where to, what
// the log-likelihood tends to, and, when it tends to a finite limit, the
// limit fit: the parameters that stay finite estimated with the others at
// their limit (for separated data, R's glm on the rows the separation does
// not decide), with standard errors and intervals conditional on it.
#include <cctype>
#include <cmath>
#include <limits>
#include <sstream>

#include "inference/fit_context.hpp"
#include "inference/fit_thresholds.hpp"
#include "inference/separation_report.hpp"
#include "optim/fixed_coordinates.hpp"
#include "report/number_format.hpp"

namespace mlec::inference {

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

// Where a parameter goes when its unconstrained coordinate runs to
// +-infinity in direction `sign`, in the user's terms: an infinity or the
// bound it approaches.
double limit_of(const rt::Bounds& b, int sign) {
    const double inf = std::numeric_limits<double>::infinity();
    if (b.has_lower() && b.has_upper()) return sign > 0 ? b.upper : b.lower;
    if (b.has_lower()) return sign > 0 ? inf : b.lower;
    if (b.has_upper()) return sign > 0 ? -inf : b.upper;
    return sign > 0 ? inf : -inf;
}

// The limit as the message names it: a bound says which it is.
std::string limit_with_bound(const rt::Bounds& b, int sign) {
    const double l = limit_of(b, sign);
    if (std::isinf(l)) return limit_text(l);
    const bool upper = b.has_lower() ? sign > 0 : sign < 0;
    return limit_text(l) + (upper ? " (its upper bound)" : " (its lower bound)");
}

int user_direction(const rt::Bounds& b, int sign) {
    if (b.has_upper() && !b.has_lower()) return -sign;
    return sign;
}

// The limit fit's answer: theta with the diverging coordinates far out and
// the others at their optimum there, and the covariance of the latter.
struct LimitFit {
    Eigen::VectorXd theta;
    double nll = 0;
    Eigen::MatrixXd covariance;  // k x k, zero in the diverging coordinates
    std::vector<int> free;       // the finite coordinates
    Eigen::VectorXd reduced;     // theta's free coordinates
};

// Fixes the diverging coordinates at theta + T ray for T = 32, 64, ... and
// optimizes the others, until doubling T changes neither the NLL beyond
// rounding nor the estimates beyond 1e-6 standard errors: then the
// likelihood has reached its limit along the ray, to working precision
// (FitThresholds::limit_settled).
std::optional<LimitFit> fit_limit(FitContext& c, const Eigen::VectorXd& ray, const std::vector<bool>& diverging) {
    std::optional<LimitFit> previous;
    Eigen::VectorXd from = c.theta;
    for (int doubling = FitThresholds::limit_first_doubling; doubling <= FitThresholds::limit_last_doubling;
         ++doubling) {
        Eigen::VectorXd far = from;
        const double t = std::ldexp(1.0, doubling);
        for (int i = 0; i < c.k; ++i)
            if (diverging[static_cast<std::size_t>(i)]) far[i] = c.theta[i] + t * ray[i];
        optim::FixedCoordinates reduced(c.objective, diverging, far);
        const optim::OptimizeResult opt = optim::minimize(reduced, reduced.reduce(far), c.optimize_options);
        if (opt.status != optim::OptimizeStatus::converged) return std::nullopt;
        Eigen::VectorXd g;
        Eigen::MatrixXd h;
        reduced.value_gradient_hessian(opt.x, g, h);
        const Eigen::VectorXd fallback =
            reduced.reduce(c.start_curvature).unaryExpr([](double d) { return d > 0 ? d : 1.0; });
        const optim::ScaledHessian curvature = optim::scale_hessian(h, optim::curvature_scale(h, fallback));
        if (!curvature.positive_definite()) return std::nullopt;
        LimitFit fit;
        fit.theta = reduced.expand(opt.x);
        fit.nll = opt.f;
        fit.free = reduced.free_coordinates();
        fit.reduced = opt.x;
        fit.covariance = Eigen::MatrixXd::Zero(c.k, c.k);
        const Eigen::MatrixXd inverse = curvature.inverse();
        for (std::size_t a = 0; a < fit.free.size(); ++a)
            for (std::size_t b = 0; b < fit.free.size(); ++b)
                fit.covariance(fit.free[a], fit.free[b]) =
                    inverse(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b));
        if (previous) {
            const Eigen::VectorXd moved = opt.x - previous->reduced;
            const bool settled = std::abs(opt.f - previous->nll) <= optim::rounding_level(opt.f) &&
                                 moved.dot(h * moved) <= FitThresholds::limit_settled;
            // Settled, unless the others run off too (an exact fit that
            // needs every parameter at infinity): then there is no limit
            // fit, only the divergence.
            if (settled) {
                const inference::ProbeSetup all = c.probe_setup();
                inference::ProbeSetup setup;
                setup.unit.resize(static_cast<Eigen::Index>(fit.free.size()));
                for (std::size_t a = 0; a < fit.free.size(); ++a) {
                    setup.unit[static_cast<Eigen::Index>(a)] = all.unit[fit.free[a]];
                    setup.bounded.push_back(all.bounded[static_cast<std::size_t>(fit.free[a])]);
                }
                if (inference::find_divergence(reduced, opt.x, reduced.reduce(c.theta), curvature, setup))
                    return std::nullopt;
                return fit;
            }
        }
        from = fit.theta;
        previous = std::move(fit);
    }
    return std::nullopt;
}

std::string divergence_message(FitContext& c, const inference::Divergence& divergence,
                               const std::vector<bool>& diverging) {
    std::ostringstream names;
    bool first = true;
    for (int i = 0; i < c.k; ++i) {
        if (!diverging[static_cast<std::size_t>(i)]) continue;
        const int sign = divergence.direction[i] > 0 ? 1 : -1;
        names << (first ? "" : ", ") << c.name(i) << " -> " << limit_with_bound(c.parameter(i).bounds, sign);
        first = false;
    }
    std::ostringstream m;
    m << "no finite maximum likelihood estimate: the log-likelihood keeps increasing as " << names.str();
    if (divergence.unbounded) {
        m << ", without bound";
    } else if (std::abs(divergence.limit) < FitThresholds::perfect_fit_limit) {
        // Near 0 the limit is taken as 0 exactly: the likelihood tends to 1
        // (the far probe only approaches it).
        m << ", towards 0: the likelihood tends to 1, the model reproducing every observation with certainty "
             "(as with perfectly separated data, or a rate of 0 for all-zero counts)";
    } else {
        m << ", towards " << report::format_digits(-divergence.limit, 8);
    }
    return m.str();
}

// A coordinate's name that --fix takes: a parameter or a vector's entry
// (an ordered vector's coordinates are named as differences, c[3]-c[2],
// which --fix does not take).
bool fixable(const std::string& name) {
    const std::size_t bracket = name.find('[');
    const std::string base = name.substr(0, bracket);
    if (base.empty() || std::isdigit(static_cast<unsigned char>(base[0]))) return false;
    for (char ch : base)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
    if (bracket == std::string::npos) return true;
    if (name.back() != ']' || name.size() < bracket + 3) return false;
    for (std::size_t i = bracket + 1; i + 1 < name.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
    return true;
}

// What a reader can do about a divergence that is not a binary outcome's
// separation (which says its own): whatever the distribution (a zero
// model's probability running to 0 or 1, a rate to 0, a cut-point past an
// empty category), the supremum is reached only at infinity because some
// rows are fitted with certainty along the ray.
std::string what_to_do(const std::vector<std::string>& names) {
    std::string m =
        ". The maximum lies at infinity, so no finite MLE exists: merge or drop the covariate levels or "
        "categories whose rows the model fits with certainty there, or add a penalty or prior (e.g. "
        "target += normal_lpdf(";
    if (names.empty()) return {};
    m.append(names.front()).append(" | 0, 10))");
    for (const std::string& name : names) {
        if (!fixable(name)) continue;
        m.append(", or hold ").append(name).append(" at a chosen value with --fix ").append(name).append("=VALUE");
        break;
    }
    return m;
}

// The diverging parameters have no estimate: their entries keep where the
// optimizer stopped as last_value, and say where they go. Without a limit
// fit neither have the others (what the optimizer stopped at on the way to
// infinity is no estimate of anything), and with one, every quantity that
// depends on a diverging parameter.
void mark_diverging(FitContext& c, const inference::Divergence& divergence, const std::vector<bool>& diverging,
                    const std::vector<double>& last_values, bool limit_fit) {
    for (std::size_t j = 0; j < c.estimands.size(); ++j) {
        const interp::Estimand& est = c.estimands[j];
        bool depends = !limit_fit;
        for (int i = 0; i < c.k; ++i)
            depends =
                depends || (diverging[static_cast<std::size_t>(i)] && c.jacobian(static_cast<Eigen::Index>(j), i) != 0);
        if (!depends) continue;
        ParameterEstimate& e = c.estimate_of(j);
        e.last_value = last_values[j];
        e.estimate = not_a_number;
        const int coordinate = c.coordinate_of(est);
        if (coordinate < 0 || !diverging[static_cast<std::size_t>(coordinate)]) continue;
        const int sign = divergence.direction[coordinate] > 0 ? 1 : -1;
        e.diverging = true;
        e.direction = user_direction(est.bounds, sign);
        e.diverges_to = limit_of(est.bounds, sign);
    }
}

void limit_fit_report(FitContext& c, const LimitFit& fit, const std::vector<bool>& diverging,
                      const std::vector<std::string>& names) {
    std::vector<bool> finite(c.estimands.size(), true);
    std::vector<std::string> estimated;
    for (std::size_t j = 0; j < c.estimands.size(); ++j) {
        for (int i = 0; i < c.k; ++i)
            if (diverging[static_cast<std::size_t>(i)] && c.jacobian(static_cast<Eigen::Index>(j), i) != 0)
                finite[j] = false;
        if (finite[j]) {
            c.estimate_of(j).conditional_on_limit = true;
            estimated.push_back(c.estimands[j].name);
        }
    }
    standard_errors(c, fit.covariance, finite);
    std::string list;
    for (std::size_t i = 0; i < estimated.size(); ++i) list += (i ? ", " : "") + estimated[i];
    std::string limit;
    for (std::size_t i = 0; i < names.size(); ++i) limit += (i ? ", " : "") + names[i];
    c.r.message += "; " + list + " are estimated by the limit fit (the model with " + limit +
                   " at the limit), and their estimates, standard errors and intervals are conditional on it";
    c.r.diagnostics.push_back(FitDiagnostic{
        .kind = DiagnosticKind::limit_fit,
        .message = "with " + limit + " at the limit, the likelihood has a regular maximum in " + list +
                   ": those estimates and standard errors are the limit fit's (for separated data, the fit to the rows "
                   "the separation does not decide), conditional on the limit",
        .parameters = estimated,
        .columns = {}});
}

}  // namespace

void report_divergence(FitContext& c, const inference::Divergence& divergence) {
    FitResult& r = c.r;
    const Eigen::VectorXd units = c.probe_units();
    const Eigen::VectorXd ray = (units.array() * divergence.direction.array()).matrix();
    std::vector<bool> diverging(static_cast<std::size_t>(c.k), false);
    std::vector<std::string> names;
    for (int i = 0; i < c.k; ++i) {
        if (std::abs(divergence.direction[i]) < FitThresholds::diverging_share) continue;
        diverging[static_cast<std::size_t>(i)] = true;
        names.push_back(c.name(i));
    }
    r.status = FitStatus::diverged;
    r.converged = false;
    r.message = divergence_message(c, divergence, diverging);
    r.aic = r.bic = not_a_number;
    if (!divergence.unbounded)
        r.log_likelihood_limit =
            std::abs(divergence.limit) < FitThresholds::perfect_fit_limit ? 0.0 : -divergence.limit;
    r.warnings.emplace_back(  // (not push_back: GCC 12's false out-of-bounds report, as in bootstrap.cpp)
        "the diverging parameters have no estimate and no standard error; the values where the "
        "optimizer stopped are not estimates");
    if (!separation_diagnostic(c.p, c.full(c.theta), c.full_direction(ray), names, r))
        r.diagnostics.push_back(FitDiagnostic{.kind = DiagnosticKind::divergence,
                                              .message = r.message + what_to_do(names),
                                              .parameters = names,
                                              .columns = {}});
    // A parameter running to a finite bound: the likelihood is largest on
    // the bound itself, where no Wald or profile interval applies.
    for (int i = 0; i < c.k; ++i) {
        if (!diverging[static_cast<std::size_t>(i)]) continue;
        const rt::Bounds& b = c.parameter(i).bounds;
        const double l = limit_of(b, divergence.direction[i] > 0 ? 1 : -1);
        if (std::isinf(l)) continue;
        r.diagnostics.push_back(FitDiagnostic{
            .kind = DiagnosticKind::on_bound,
            .message =
                c.name(i) + " is on its bound " + limit_text(l) +
                ": the likelihood is largest there, so the bound itself is the estimate and intervals built from "
                "curvature do not apply",
            .parameters = {c.name(i)},
            .columns = {}});
    }

    std::vector<double> last_values;
    for (std::size_t j = 0; j < c.estimands.size(); ++j) last_values.push_back(c.estimate_of(j).estimate);
    std::optional<LimitFit> limit;
    if (!divergence.unbounded && static_cast<int>(names.size()) < c.k) limit = fit_limit(c, ray, diverging);
    if (!limit) {
        mark_diverging(c, divergence, diverging, last_values, false);
        return;
    }
    c.theta = limit->theta;
    r.theta = c.full(limit->theta);
    r.log_likelihood_limit = -limit->nll;
    c.fill_estimates(c.theta);
    mark_diverging(c, divergence, diverging, last_values, true);
    limit_fit_report(c, *limit, diverging, names);
    if (c.options.ci == CiMethod::profile) {
        std::vector<bool> which(c.estimands.size());
        for (std::size_t j = 0; j < c.estimands.size(); ++j) which[j] = c.estimate_of(j).conditional_on_limit;
        optim::FixedCoordinates reduced(c.objective, diverging, limit->theta);
        profile_intervals(c, reduced, limit->reduced, limit->nll, limit->free, limit->covariance, which);
    }
}

}  // namespace mlec::inference
