// What the curvature at the estimate says: the status of a fit that did not
// diverge, flat directions, conditioning, and the standard errors. Every
// decision is made on the Hessian equilibrated to unit diagonal
// (optim/scaled_hessian.hpp), so none depends on the units of a
// parameter or a data column.
#include <algorithm>
#include <bit>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <sstream>

#include "inference/fit_context.hpp"
#include "inference/fit_thresholds.hpp"
#include "report/number_format.hpp"

namespace mlec::inference {

namespace {

std::string standard_errors_text(double decrement) {
    return report::format_digits(std::sqrt(std::max(decrement, 0.0)), 2) + " standard errors";
}

std::string join(const std::vector<std::string>& items, const char* separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
    return out;
}

std::string iterations_text(int n) { return std::to_string(n) + (n == 1 ? " iteration" : " iterations"); }

// `what` is what was found ("converged", "a maximum").
std::string converged_message(const optim::OptimizeResult& opt, const char* what) {
    std::string m = std::string(what) + " after " + iterations_text(opt.iterations) + ": ";
    if (opt.at_rounding && opt.decrement / 2 <= optim::rounding_level(opt.f))
        return m + "no step lowers the NLL at working precision, and the Newton decrement " +
               report::format_digits(opt.decrement, 2) + " is at the rounding level of the log-likelihood (within " +
               standard_errors_text(opt.decrement) + " of the maximum)";
    if (opt.at_rounding)
        return m +
               "no step lowers the NLL at working precision, not even the full Newton step: the Newton "
               "decrement " +
               report::format_digits(opt.decrement, 2) +
               " that is left is the gradient's own rounding "
               "(within " +
               standard_errors_text(opt.decrement) + " of the maximum)";
    return m + "the estimate is within " + standard_errors_text(opt.decrement) + " of the maximum (Newton decrement " +
           report::format_digits(opt.decrement, 2) + ")";
}

// The flat directions of the scaled Hessian, named, and the parameters in
// them; the message ends with what to do.
struct FlatDirections {
    std::vector<std::string> combinations;
    std::vector<std::string> involved;
    std::vector<Eigen::Index> columns;  // eigenvector indices
};

FlatDirections flat_directions(const FitContext& c) {
    FlatDirections out;
    for (Eigen::Index j = 0; j < c.curvature.eigenvalues.size(); ++j) {
        if (!c.curvature.flat(j)) continue;
        out.columns.push_back(j);
        const Eigen::VectorXd v = c.curvature.eigenvectors.col(j);
        out.combinations.push_back(describe_direction(c, c.curvature.raw_direction(j), v));
        for (int i = 0; i < c.k; ++i)
            if (std::abs(v[i]) >= FitThresholds::direction_share &&
                std::find(out.involved.begin(), out.involved.end(), c.name(i)) == out.involved.end())
                out.involved.push_back(c.name(i));
    }
    return out;
}

void report_flat(FitContext& c, const FlatDirections& flat) {
    const Eigen::Index top = c.curvature.eigenvalues.size() - 1;
    // The steepest direction, when there is one that is not flat.
    const std::string identified =
        static_cast<Eigen::Index>(flat.columns.size()) < c.curvature.eigenvalues.size()
            ? "; " + describe_direction(c, c.curvature.raw_direction(top), c.curvature.eigenvectors.col(top)) +
                  " is identified"
            : "";
    c.r.diagnostics.push_back(FitDiagnostic{
        .kind = DiagnosticKind::flat_direction,
        .message = "the data do not identify " + join(flat.combinations, "; ") + " (the likelihood is flat along " +
                   (flat.combinations.size() == 1 ? "it" : "them") + ")" + identified + ". The standard errors of " +
                   join(flat.involved, ", ") +
                   " are withheld: their values along the flat direction are arbitrary. Fix one of them or "
                   "reparametrize (e.g. their sum), add data that separate them, or bound them; if this is a local "
                   "point of a nonlinear model, try other starts (--starts N)",
        .parameters = flat.involved,
        .columns = {}});
}

void report_saddle(FitContext& c) {
    const std::string along = describe_direction(c, c.curvature.raw_direction(0), c.curvature.eigenvectors.col(0));
    c.r.diagnostics.push_back(FitDiagnostic{
        .kind = DiagnosticKind::not_positive_definite,
        .message = "the Hessian of the NLL has negative curvature along " + along + " (smallest scaled eigenvalue " +
                   report::format_digits(c.curvature.eigenvalues[0], 3) +
                   "): this is not a regular maximum, and standard errors are not available. Try other start values "
                   "(--starts N) or bound the parameters involved",
        .parameters = {},
        .columns = {}});
}

// Which estimands a flat maximum still identifies, and the covariance that
// gives them: the pseudo-inverse over the identified directions.
std::pair<Eigen::MatrixXd, std::vector<bool>> identified_part(const FitContext& c, const FlatDirections& flat) {
    const optim::ScaledHessian& s = c.curvature;
    Eigen::VectorXd inverse_eigenvalues = Eigen::VectorXd::Zero(s.eigenvalues.size());
    for (Eigen::Index j = 0; j < s.eigenvalues.size(); ++j)
        if (!s.flat(j)) inverse_eigenvalues[j] = 1 / s.eigenvalues[j];
    const Eigen::VectorXd unscale = s.scale.cwiseInverse();
    const Eigen::MatrixXd pseudo = unscale.asDiagonal() * s.eigenvectors * inverse_eigenvalues.asDiagonal() *
                                   s.eigenvectors.transpose() * unscale.asDiagonal();
    std::vector<bool> identified(c.estimands.size(), true);
    for (std::size_t i = 0; i < c.estimands.size(); ++i) {
        const Eigen::VectorXd g =
            (c.jacobian.row(static_cast<Eigen::Index>(i)).transpose().array() / s.scale.array()).matrix();
        double along = 0;
        for (Eigen::Index j : flat.columns) along += std::pow(s.eigenvectors.col(j).dot(g), 2);
        identified[i] = std::sqrt(along) <= FitThresholds::identified_share * g.norm();
    }
    return {pseudo, identified};
}

}  // namespace

// Built with append: GCC 12 gives a false -Wrestrict on "literal" + string&&.
std::string describe_direction(const FitContext& c, const Eigen::VectorXd& raw, const Eigen::VectorXd& scaled) {
    double largest = 0;
    for (int i = 0; i < c.k; ++i)
        if (std::abs(scaled[i]) >= FitThresholds::direction_share) largest = std::max(largest, std::abs(raw[i]));
    std::ostringstream s;
    bool first = true;
    for (int i = 0; i < c.k; ++i) {
        if (std::abs(scaled[i]) < FitThresholds::direction_share || !(largest > 0)) continue;
        const double w = raw[i] / largest;
        s << (first ? (w < 0 ? "-" : "") : (w < 0 ? " - " : " + ")) << report::format_digits(std::abs(w), 2) << "*"
          << c.name(i);
        first = false;
    }
    return s.str();
}

void polish_near_flat(FitContext& c, optim::OptimizeResult& opt) {
    const optim::ScaledHessian& s = c.curvature;
    if (opt.status != optim::OptimizeStatus::converged || opt.at_rounding || !s.valid || s.eigenvalues.size() == 0)
        return;
    if (std::abs(s.eigenvalues[0]) > optim::near_flat * s.largest() || s.flat(0)) return;
    optim::OptimizeOptions polish = c.optimize_options;
    polish.method = optim::Method::newton;
    polish.tolerance = 0;  // on to rounding
    polish.max_iterations = FitThresholds::polish_iterations;
    const optim::OptimizeResult more = optim::minimize(c.objective, c.theta, polish);
    if (more.status != optim::OptimizeStatus::converged || !(more.f <= c.nll + optim::rounding_level(c.nll))) return;
    opt.x = more.x;
    opt.f = more.f;
    opt.gradient = more.gradient;
    opt.decrement = more.decrement;
    opt.iterations += more.iterations;
    opt.evaluations += more.evaluations;
    c.theta = more.x;
    c.r.theta = c.full(more.x);
    c.r.iterations = opt.iterations;
    c.r.evaluations = opt.evaluations;
    c.fill_estimates(c.theta);
    c.evaluate_at_estimate();
}

bool may_diverge(const FitContext& c, const optim::OptimizeResult& opt) {
    // Only where the optimizer could go no further: a point where it merely
    // ran out of iterations is no evidence that no finite maximum exists
    // (a nonlinear model has rays to infinity along which the likelihood
    // rises to a limit below its maximum).
    if (opt.status == optim::OptimizeStatus::max_iterations || opt.status == optim::OptimizeStatus::cancelled)
        return false;
    if (opt.status != optim::OptimizeStatus::converged || !c.curvature.positive_definite()) return true;
    for (int i = 0; i < c.k; ++i)
        if (std::sqrt(std::abs(c.hessian(i, i))) < FitThresholds::collapsed_curvature * c.start_curvature[i])
            return true;
    return false;
}

void decide_status(FitContext& c, const optim::OptimizeResult& opt) {
    FitResult& r = c.r;
    switch (opt.status) {
        case optim::OptimizeStatus::cancelled:
            r.status = FitStatus::cancelled;
            r.message = "cancelled by the caller";
            return;
        case optim::OptimizeStatus::max_iterations:
            r.status = FitStatus::max_iterations;
            r.message = "did not converge: stopped after " + iterations_text(opt.iterations) + ", the estimate still " +
                        standard_errors_text(opt.decrement) + " from the maximum (Newton decrement " +
                        report::format_digits(opt.decrement, 2) +
                        "); raise --max-iterations or give start values nearer the estimate";
            break;
        case optim::OptimizeStatus::line_search_failed:
            r.status = FitStatus::line_search_failed;
            r.message =
                "did not converge: no step lowers the NLL, yet the point is not a maximum to working "
                "precision (Newton decrement " +
                report::format_digits(opt.decrement, 2) +
                "); give other start values (--starts N) or bound the parameters";
            break;
        default: break;
    }
    if (opt.at_domain_edge) {
        r.message =
            "no maximum found inside the likelihood's domain: the optimizer stopped on its edge, where "
            "every step that would raise the likelihood leaves it";
        c.r.diagnostics.push_back(FitDiagnostic{
            .kind = DiagnosticKind::domain_edge,
            .message =
                "the likelihood rises towards the edge of its domain (an outcome at the end of a distribution's "
                "support that depends on a parameter, such as b = max(y) in uniform(0, b)) and the optimizer "
                "stopped there. If the maximum is on that edge, the likelihood is not smooth there: the estimate is "
                "the edge itself and curvature gives it no standard error (a non-regular problem); otherwise try "
                "other start values (--starts N)",
            .parameters = {},
            .columns = {}});
        return;
    }
    if (c.curvature.clearly_negative()) {
        if (opt.status == optim::OptimizeStatus::converged || opt.status == optim::OptimizeStatus::line_search_failed) {
            r.status = FitStatus::not_a_maximum;
            r.message =
                "not a regular maximum: the optimizer stopped where the Hessian has clearly negative "
                "curvature, yet no step raises the likelihood: a saddle point, or a kink where the likelihood "
                "is not smooth (|y - m| of a laplace at a data value: possibly the maximum, but curvature gives "
                "it no standard error); try other start values (--starts N)";
        }
        report_saddle(c);
        return;
    }
    const FlatDirections flat = flat_directions(c);
    if (opt.status == optim::OptimizeStatus::converged) {
        r.status = flat.columns.empty() ? FitStatus::converged : FitStatus::not_identified;
        r.message = converged_message(opt, flat.columns.empty() ? "converged" : "a maximum");
    }
    r.converged = r.status == FitStatus::converged;
    if (!flat.columns.empty()) {
        report_flat(c, flat);
        if (r.status == FitStatus::not_identified) {
            r.message += "; but the data do not identify " + join(flat.involved, ", ") +
                         " (a flat direction): their standard errors are withheld";
            const auto [pseudo, identified] = identified_part(c, flat);
            standard_errors(c, pseudo, identified);
        }
        return;
    }
    if (r.hessian_condition && *r.hessian_condition > optim::ill_conditioned)
        r.diagnostics.push_back(FitDiagnostic{
            .kind = DiagnosticKind::ill_conditioned,
            .message = "the Hessian at the estimate is ill-conditioned (condition number " +
                       report::format_digits(*r.hessian_condition, 3) +
                       " after scaling each parameter to unit curvature): standard errors may have lost digits to "
                       "rounding",
            .parameters = {},
            .columns = {}});
}

void standard_errors(FitContext& c, const Eigen::MatrixXd& theta_covariance, const std::vector<bool>& identified) {
    const boost::math::normal standard_normal;
    const double zq = boost::math::quantile(boost::math::complement(standard_normal, (1 - c.options.confidence) / 2));
    const Eigen::MatrixXd cov = c.jacobian * theta_covariance * c.jacobian.transpose();
    for (std::size_t i = 0; i < c.estimands.size(); ++i) {
        ParameterEstimate& e = c.estimate_of(i);
        if (!identified[i] || e.fixed) continue;
        const interp::Estimand& est = c.estimands[i];
        const auto row = static_cast<Eigen::Index>(i);
        const double se = std::sqrt(std::max(0.0, cov(row, row)));
        if (!std::isfinite(se)) continue;
        e.std_error = se;
        if (se > 0) {
            e.z = e.estimate / se;
            e.p_value = 2 * boost::math::cdf(boost::math::complement(standard_normal, std::abs(*e.z)));
        }
        // Intervals respect the bounds: for a bounded parameter the interval
        // is built on the optimizer's scale and mapped back; for an entry
        // computed from several coordinates (a simplex weight, a
        // positive_ordered entry) on the unconstrained scale of its bounds
        // (the logit of a weight, the log of a positive entry).
        double lo = e.estimate - zq * se, hi = e.estimate + zq * se;
        if (const int coordinate = c.coordinate_of(est); coordinate >= 0 && !est.bounds.unbounded()) {
            const double u = c.theta[coordinate];
            const double se_u = std::sqrt(theta_covariance(coordinate, coordinate));
            lo = est.bounds.to_user(u - zq * se_u);
            hi = est.bounds.to_user(u + zq * se_u);
        } else if (!est.bounds.unbounded() && est.bounds.contains(e.estimate)) {
            const double l = est.bounds.to_unconstrained(e.estimate);
            const double se_l = se / est.bounds.derivative(l);
            lo = est.bounds.to_user(l - zq * se_l);
            hi = est.bounds.to_user(l + zq * se_l);
        }
        e.ci_lower = std::min(lo, hi);
        e.ci_upper = std::max(lo, hi);
    }
    // The covariance of the parameter entries on the user's scale, when
    // every one has a standard error (a held one's row and column are 0).
    std::vector<Eigen::Index> rows;
    bool complete = true;
    for (std::size_t i = 0; i < c.estimands.size(); ++i) {
        if (c.estimands[i].derived) continue;
        rows.push_back(static_cast<Eigen::Index>(i));
        complete = complete && identified[i];
    }
    if (!complete) return;
    // Of theta, with 0 in the held coordinates' rows and columns.
    const std::vector<int>& free = c.objective.free_coordinates();
    c.r.theta_covariance = Eigen::MatrixXd::Zero(c.objective.full_dimension(), c.objective.full_dimension());
    for (std::size_t a = 0; a < free.size(); ++a)
        for (std::size_t b = 0; b < free.size(); ++b)
            c.r.theta_covariance(free[a], free[b]) =
                theta_covariance(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b));
    c.r.covariance.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.size()));
    for (std::size_t a = 0; a < rows.size(); ++a)
        for (std::size_t b = 0; b < rows.size(); ++b)
            c.r.covariance(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) = cov(rows[a], rows[b]);
}

void note_exact_fit(FitContext& c) {
    // A density whose scale (rt::DistributionDef::exact_fit_scale) is a
    // row-invariant parameter and has come out at the rounding level of the
    // outcomes: the model reproduces the data as exactly as they are written.
    for (const interp::TermInfo& term : c.p.model.terms) {
        const rt::DistributionDef* dist = term.distribution;
        if (!dist || dist->exact_fit_scale < 0) continue;
        const auto scale = static_cast<std::size_t>(dist->exact_fit_scale);
        const Eigen::VectorXd theta = c.full(c.theta);
        const std::vector<double> sigma = c.p.evaluator().node_values(theta, term.input_nodes[scale + 1]);
        if (sigma.size() != 1) continue;
        const std::vector<double> y = c.p.evaluator().node_values(theta, term.input_nodes[0]);
        double size = 0;
        for (double v : y) size = std::max(size, std::abs(v));
        if (c.p.collective)  // the largest over every rank's rows
            for (std::uint64_t bits : rt::all_gather_u64(*c.p.collective, std::bit_cast<std::uint64_t>(size)))
                size = std::max(size, std::bit_cast<double>(bits));
        if (!(sigma[0] <= FitThresholds::exact_fit_scale * size)) continue;
        c.r.diagnostics.push_back(FitDiagnostic{
            .kind = DiagnosticKind::exact_fit,
            .message = "'" + term.text + "' fits the data exactly: " + std::string(dist->args[scale].name) + " = " +
                       report::format_digits(sigma[0], 3) + " is " + report::format_digits(sigma[0] / size, 2) +
                       " of the outcome's size, the rounding level of the data as written. The estimates reproduce the "
                       "data to their printed digits; the standard errors measure only that rounding",
            .parameters = {},
            .columns = {}});
    }
}

}  // namespace mlec::inference
