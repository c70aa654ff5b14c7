// The first phases of fit(): a start where the log-likelihood can be
// computed, and the optimization from it (and from random starts).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

#include "inference/fit_context.hpp"
#include "inference/fit_thresholds.hpp"
#include "inference/linear_profile.hpp"
#include "report/number_format.hpp"

namespace mlec::inference {

namespace {

// The message about this rank's first row (`bad`) whose log-likelihood is
// not finite, numbered among all ranks' rows.
std::string non_finite_row_message(const Problem::Impl& p, const Eigen::VectorXd& theta,
                                   const rt::Evaluator::NonFinite& bad) {
    const interp::TermInfo& term = p.model.terms[static_cast<std::size_t>(bad.term)];
    std::ostringstream s;
    s << "the log-likelihood is not finite at the start values: row " << p.first_row + bad.row + 1 << " of "
      << p.data_name << " gives log p = " << report::format_short(bad.value) << " in '" << term.text << "'";
    if (!term.input_nodes.empty()) {
        s << " (";
        for (std::size_t i = 0; i < term.input_nodes.size(); ++i) {
            const std::vector<double> v = p.evaluator().node_values(theta, term.input_nodes[i]);
            const double value = v.size() == 1 ? v[0] : v[bad.row];
            if (i) s << ", ";
            s << term.input_names[i] << " = " << report::format_short(value);
        }
        s << ")";
    }
    s << "; give start values with 'param name = value'";
    return s.str();
}

std::string non_finite_message(const Problem::Impl& p, const Eigen::VectorXd& theta) {
    auto bad = p.evaluator().find_non_finite(theta);
    std::string message = bad ? non_finite_row_message(p, theta, *bad) : std::string();
    // Distributed: the first rank that has such a row has the first row.
    if (p.collective)
        for (const std::string& m : p.collective->all_gather(message))
            if (!m.empty()) return m;
    return bad ? message : "the log-likelihood is not finite at the start values";
}

// Random starts, reproducible from the seed on any platform: each
// coordinate of the optimizer's vector uniform within 2 probe units of the
// given start (a bounded parameter's log or logit +-2; an unbounded one's
// +-2 per-observation units, so the starts follow the parameter's units).
// SplitMix64 (Steele, Lea and Flood, 2014) turns the seed into the stream;
// its top 53 bits give a double.
std::vector<Eigen::VectorXd> random_starts(const Eigen::VectorXd& start, const Eigen::VectorXd& unit, int count,
                                           std::uint64_t seed) {
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
        for (Eigen::Index i = 0; i < s.size(); ++i) s[i] += (4 * next_uniform() - 2) * unit[i];
        out.push_back(std::move(s));
    }
    return out;
}

// Final NLLs of several starts, grouped into distinct optima: two runs found
// the same optimum when their log-likelihoods agree (FitThresholds::same_optimum).
std::vector<Optimum> group_optima(std::vector<double> finals) {
    std::sort(finals.begin(), finals.end());
    std::vector<Optimum> out;
    for (double f : finals) {
        if (!std::isfinite(f)) continue;
        if (!out.empty() && std::abs(-f - out.back().log_likelihood) <=
                                FitThresholds::same_optimum * std::max(1.0, std::abs(out.back().log_likelihood))) {
            ++out.back().starts;
            continue;
        }
        out.push_back(Optimum{-f, 1});
    }
    return out;
}

// Of two runs, the better: a lower NLL, and among runs that stopped at the
// same NLL (to rounding) one that converged.
bool better_run(const optim::OptimizeResult& a, const optim::OptimizeResult& b) {
    if (!std::isfinite(a.f)) return false;
    if (!std::isfinite(b.f)) return true;
    if (std::abs(a.f - b.f) <= optim::rounding_level(b.f))
        return a.status == optim::OptimizeStatus::converged && b.status != optim::OptimizeStatus::converged;
    return a.f < b.f;
}

// Each coordinate's size, the unit of the escape moves below: an unbounded
// parameter's own magnitude (1 at 0), a bounded one's unit on its log or
// logit scale.
Eigen::VectorXd size_units(const FitContext& c, const Eigen::VectorXd& x) {
    Eigen::VectorXd u(x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i)
        u[i] = c.parameter(static_cast<int>(i)).bounds.unbounded() && x[i] != 0 ? std::abs(x[i]) : 1.0;
    return u;
}

// Along the raw direction d from x, at multiples of the parameters' own
// size (reach: d's largest share of a size), a point with a lower NLL or
// with negative curvature is a way out: the optimizer goes on from there,
// and its result is returned when it is better than `threshold`.
std::optional<optim::OptimizeResult> walk_out(FitContext& c, const Eigen::VectorXd& x, const Eigen::VectorXd& d,
                                              double reach, double threshold, const Eigen::VectorXd& fallback,
                                              const optim::IterationCallback& callback) {
    for (double size : {0.125, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0}) {
        for (double t : {size, -size}) {
            const Eigen::VectorXd y = x + (t / reach) * d;
            Eigen::VectorXd g;
            Eigen::MatrixXd h;
            const double f = c.objective.value_gradient_hessian(y, g, h);
            if (!std::isfinite(f) || !g.allFinite()) continue;
            const optim::ScaledHessian there = optim::scale_hessian(h, optim::curvature_scale(h, fallback));
            if (!(f < threshold) && !there.clearly_negative()) continue;
            optim::OptimizeResult next = optim::minimize(c.objective, y, c.optimize_options, callback);
            if (next.f < threshold) return next;
        }
    }
    return std::nullopt;
}

// A nonlinear model can stop on a degenerate saddle: a point flat along
// some direction where the likelihood falls only after a move along it
// (two exponentials of a sum merged into one, only their weights' sum
// identified: moving the weights apart along the flat direction uncovers
// negative curvature in the rates). The Hessian cannot see it, so the flat
// directions are walked (walk_out), up to FitThresholds::flat_escapes times.
optim::OptimizeResult escape_flat_directions(FitContext& c, optim::OptimizeResult opt,
                                             const optim::IterationCallback& callback) {
    const Eigen::VectorXd fallback = c.start_curvature.unaryExpr([](double d) { return d > 0 ? d : 1.0; });
    for (int escape = 0; escape < FitThresholds::flat_escapes && opt.status == optim::OptimizeStatus::converged;
         ++escape) {
        Eigen::VectorXd g;
        Eigen::MatrixXd h;
        c.objective.value_gradient_hessian(opt.x, g, h);
        const optim::ScaledHessian here = optim::scale_hessian(h, optim::curvature_scale(h, fallback));
        if (!here.valid || here.positive_definite() || here.clearly_negative()) return opt;
        const Eigen::VectorXd unit = size_units(c, opt.x);
        std::optional<optim::OptimizeResult> better;
        for (Eigen::Index j = 0; j < here.eigenvalues.size() && !better; ++j) {
            if (!here.flat(j)) continue;
            const Eigen::VectorXd d = here.raw_direction(j);
            const double reach = (d.array() / unit.array()).abs().maxCoeff();
            if (reach > 0 && std::isfinite(reach))
                better = walk_out(c, opt.x, d, reach, opt.f - optim::rounding_level(opt.f), fallback, callback);
        }
        if (!better) return opt;
        better->iterations += opt.iterations;
        better->evaluations += opt.evaluations;
        opt = std::move(*better);
    }
    return opt;
}

// Random effects enter the Laplace likelihood as s z with z symmetric about
// 0, so it is even in each scale s, and s = 0 is always stationary. On the
// log scale of `s > 0` that point is infinitely far and flat: an optimizer
// drawn toward it from a poor start (a residual scale started far below the
// data's) stops on the way, at a saddle where the likelihood would rise
// with s. A scale that fell by more than e^20 from its start starts again
// from there, the other coordinates from where they are, and the better run
// is kept (at a true optimum at s = 0 the two are the same). From a start
// far above the data's (a scale written 1000*s, s started at 1) the
// optimizer may also have passed a maximum at s > 0 whose likelihood is
// only a little above s = 0's, and return to it neither way: so the way
// back up is scanned too, log s in steps of 1 up to e^60 below the start
// (below that a scale is 0 to the data), the others where they are, and a
// point better than where the optimizer stopped is started from.
optim::OptimizeResult escape_zero_scales(FitContext& c, optim::OptimizeResult opt,
                                         const optim::IterationCallback& callback) {
    constexpr double fallen = 20;
    constexpr double scanned = 60;
    const auto run_from = [&](const Eigen::VectorXd& from) {
        optim::OptimizeResult again = optim::minimize(c.objective, from, c.optimize_options, callback);
        again.iterations += opt.iterations;
        again.evaluations += opt.evaluations;
        if (better_run(again, opt)) opt = std::move(again);
    };
    std::vector<int> scales = random_scale_coordinates(c);
    for (int k : block_scale_coordinates(c)) scales.push_back(k);
    for (int k : scales) {
        if (opt.x[k] < c.start[k] - fallen) {
            Eigen::VectorXd from = opt.x;
            from[k] = c.start[k];
            run_from(from);
        }
        if (!(opt.x[k] < c.start[k] - 1)) continue;
        double best = opt.f - optim::rounding_level(opt.f);
        std::optional<Eigen::VectorXd> from;
        Eigen::VectorXd probe = opt.x;
        for (double t = std::max(opt.x[k], c.start[k] - scanned) + 1; t < c.start[k]; t += 1) {
            probe[k] = t;
            const double f = c.objective.value(probe);
            if (f < best) {
                best = f;
                from = probe;
            }
        }
        if (from) run_from(*from);
    }
    return opt;
}

// The NLL, its gradient and its Hessian's diagonal at the start. From the
// Hessian (which the optimizer's first step then reads from the cache), or,
// with `cheap` where the linear profile applies, from the Laplace
// approximation's cheaper diagonal (its Hessian costs three gradients a
// coordinate; the profile's L-BFGS needs only the scales).
double start_curvature(FitContext& c, bool cheap, Eigen::VectorXd& gradient, Eigen::VectorXd& diagonal) {
    if (cheap && linear_profile_applies(c)) {
        Eigen::VectorXd full_gradient, full_diagonal;
        const double f = c.p.workspace.laplace->curvature_diagonal(c.full(c.start), full_gradient, full_diagonal);
        if (!std::isfinite(f)) return f;
        gradient = c.objective.reduce(full_gradient);
        diagonal = c.objective.reduce(full_diagonal);
        return f;
    }
    Eigen::MatrixXd h;
    const double f = c.objective.value_gradient_hessian(c.start, gradient, h);
    diagonal = h.diagonal();
    return f;
}

// Each coordinate's curvature scale at the start, sqrt|H_ii| (0 where none).
void set_start_curvature(FitContext& c, const Eigen::VectorXd& diagonal) {
    for (int i = 0; i < c.k; ++i) {
        const double d = std::sqrt(std::abs(diagonal[i]));
        c.start_curvature[i] = std::isfinite(d) ? d : 0.0;
    }
    // (L-BFGS in the units of each coordinate's curvature at the start, where
    // the Hessian costs many gradients and L-BFGS does the work: fit.cpp)
    if (c.optimize_options.expensive_hessian)
        c.optimize_options.lbfgs_scale = c.start_curvature.unaryExpr([](double d) { return d > 0 ? d : 1.0; });
}

// Whether the optimizer should go on from x, where the linear profile's
// L-BFGS ended: not when the Hessian there (which the optimizer's Newton
// step then reads from the cache) shows a saddle (clearly negative
// curvature, which L-BFGS cannot see), nor a random effect's SD on its way
// to 0 (near_boundary), where the likelihood may have other maxima; the
// optimizer from the start, whose escapes look back toward it, serves those.
bool regular_end(FitContext& c, const Eigen::VectorXd& x) {
    Eigen::VectorXd g;
    Eigen::MatrixXd h;
    if (!std::isfinite(c.objective.value_gradient_hessian(x, g, h)) || !h.allFinite()) return false;
    return !optim::scale_hessian(h, optim::curvature_scale(h, optim::size_scale(x))).clearly_negative() &&
           !near_boundary(c, x, h);
}

}  // namespace

std::optional<std::string> start_failure(FitContext& c) {
    Eigen::VectorXd g, diagonal;
    const double f = start_curvature(c, true, g, diagonal);
    if (!std::isfinite(f)) {
        if (auto why = laplace_failure(c.p)) return why;
        return non_finite_message(c.p, c.full(c.start));
    }
    if (!g.allFinite()) {
        std::string names;
        for (int i = 0; i < c.k; ++i)
            if (!std::isfinite(g[i])) names += (names.empty() ? "" : ", ") + c.name(i);
        return "the log-likelihood is finite at the start values but its gradient is not (in " + names +
               "): a value overflows; rescale the data or give other start values";
    }
    set_start_curvature(c, diagonal);
    return std::nullopt;
}

optim::OptimizeResult optimize(FitContext& c) {
    // The first start's iterations are kept for the convergence plot.
    bool first_run = true;
    const optim::IterationCallback callback = [&](const optim::IterationInfo& info) {
        const IterationInfo it{info.iteration, info.f, info.gradient_norm, info.step};
        if (first_run) c.r.trace.push_back(it);
        return c.options.on_iteration ? c.options.on_iteration(it) : true;
    };
    // The optimizer from `at`, which earlier iterations (`before` of them)
    // reached from `from`, and the escapes from where it stops.
    auto optimize_from = [&](const Eigen::VectorXd& at, const Eigen::VectorXd& from, int before) {
        const optim::IterationCallback after = [&](const optim::IterationInfo& info) {
            optim::IterationInfo shifted = info;
            shifted.iteration += before;
            return callback(shifted);
        };
        optim::OptimizeOptions options = c.optimize_options;
        options.origin = from;
        optim::OptimizeResult result = escape_zero_scales(
            c, escape_flat_directions(c, optim::minimize(c.objective, at, options, after), after), after);
        result.iterations += before;
        return result;
    };
    bool curvature_from_hessian = !linear_profile_applies(c);
    auto run_from = [&](const Eigen::VectorXd& from) {
        // A linear mixed model: first over the other parameters, its fixed
        // effects at their best, and the optimizer confirms from there.
        const std::optional<optim::OptimizeResult> approach = approach_by_linear_profile(c, from, callback);
        if (!approach) return optimize_from(from, from, 0);
        const bool regular = regular_end(c, approach->x);
        if (!regular) {
            // (with the start's scales from its Hessian and the modes from 0,
            // as without the profile: the same numbers as a fit that never
            // tried it)
            c.p.workspace.laplace->forget_modes();
            if (!curvature_from_hessian) {
                Eigen::VectorXd g, diagonal;
                if (std::isfinite(start_curvature(c, false, g, diagonal))) set_start_curvature(c, diagonal);
                curvature_from_hessian = true;
            }
        }
        optim::OptimizeResult result = optimize_from(regular ? approach->x : from, from, approach->iterations);
        result.evaluations += approach->evaluations;
        return result;
    };
    optim::OptimizeResult best = run_from(c.start);
    first_run = false;
    if (c.options.starts <= 1) return best;

    // Several starts: the given one, then random ones around it; the best
    // optimum is reported, with how many distinct optima the starts found.
    std::vector<double> finals{best.f};
    int iterations = best.iterations, evaluations = best.evaluations;
    for (const Eigen::VectorXd& s : random_starts(c.start, c.probe_units(), c.options.starts - 1, c.options.seed)) {
        if (!std::isfinite(c.objective.value(s))) {
            finals.push_back(std::numeric_limits<double>::infinity());
            continue;
        }
        optim::OptimizeResult other = run_from(s);
        iterations += other.iterations;
        evaluations += other.evaluations;
        finals.push_back(other.f);
        if (better_run(other, best)) best = std::move(other);
    }
    c.r.starts = c.options.starts;
    c.r.optima = group_optima(finals);
    best.iterations = iterations;
    best.evaluations = evaluations;
    return best;
}

}  // namespace mlec::inference
