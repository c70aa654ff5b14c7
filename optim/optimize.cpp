#include "optim/optimize.hpp"

#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "optim/lbfgs.hpp"
#include "optim/line_search.hpp"
#include "optim/newton.hpp"
#include "optim/scaled_hessian.hpp"

namespace mlec::optim {

std::string_view to_string(OptimizeStatus s) {
    switch (s) {
        case OptimizeStatus::converged: return "converged";
        case OptimizeStatus::max_iterations: return "max_iterations";
        case OptimizeStatus::line_search_failed: return "line_search_failed";
        case OptimizeStatus::non_finite_start: return "non_finite_start";
        case OptimizeStatus::cancelled: return "cancelled";
    }
    return "unknown";
}

namespace {

using detail::Iterate;

// Counts evaluations and remembers the lowest finite f seen at any point,
// trial points included, so the result is never worse than something seen.
class TrackingObjective final : public Objective {
public:
    explicit TrackingObjective(Objective& inner) : inner_(inner) {}

    int dimension() const override { return inner_.dimension(); }

    double value(const Eigen::VectorXd& x) override { return remember(x, inner_.value(x)); }

    double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override {
        return remember(x, inner_.value_gradient(x, g));
    }

    double value_gradient_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& g, Eigen::MatrixXd& h) override {
        return remember(x, inner_.value_gradient_hessian(x, g, h));
    }

    int evaluations() const { return evaluations_; }
    bool has_best() const { return best_f_.has_value(); }
    double best_f() const { return *best_f_; }
    const Eigen::VectorXd& best_x() const { return best_x_; }

private:
    double remember(const Eigen::VectorXd& x, double f) {
        ++evaluations_;
        if (std::isfinite(f) && !(best_f_ && f >= *best_f_)) {
            best_f_ = f;
            best_x_ = x;
        }
        return f;
    }

    Objective& inner_;
    int evaluations_ = 0;
    std::optional<double> best_f_;
    Eigen::VectorXd best_x_;
};

bool is_finite(const Iterate& it) { return std::isfinite(it.f) && it.g.allFinite(); }

double relative_gradient(const Iterate& it) {
    if (it.g.size() == 0) return 0;
    const Eigen::ArrayXd scaled = it.g.array().abs() * it.x.array().abs().max(1.0);
    return scaled.maxCoeff() / std::max(std::abs(it.f), 1.0);
}

// What run_iterations asks of a method besides stepping: has it converged
// at `it`, by the tolerance, or at rounding (asked only when no step helps).
struct NewtonTests {
    const detail::NewtonStepper& stepper;
    double tolerance;
    bool converged(const Iterate& it) const {
        return !stepper.negative_curvature() && stepper.decrement(it) <= tolerance * tolerance;
    }
    bool at_rounding(const Iterate& it) const {
        return !stepper.clearly_negative() &&
               (stepper.decrement(it) / 2 <= rounding_level(it.f) || stepper.noise_floor());
    }
    // (Newton takes steps while its decrement falls, f still or not)
    bool stops_when_f_is_still() const { return false; }
};

// L-BFGS has no Hessian to measure the distance to the optimum with; it
// stops on the relative gradient max_i |g_i| max(|x_i|, 1) / max(|f|, 1)
// (Dennis & Schnabel, 1996, sec. 7.2; OptimizeOptions::lbfgs_relative_gradient),
// or when f stops moving with the relative gradient below its square root
// (unless OptimizeOptions::lbfgs_past_rounding), and hands its point to
// Newton, which decides convergence with the exact Hessian.
struct LbfgsTests {
    double tolerance;
    bool past_rounding;
    bool converged(const Iterate& it) const { return relative_gradient(it) <= tolerance; }
    bool at_rounding(const Iterate& it) const { return relative_gradient(it) <= std::sqrt(tolerance); }
    bool stops_when_f_is_still() const { return !past_rounding; }
};

struct Run {
    OptimizeStatus status = OptimizeStatus::max_iterations;
    Iterate current;
    int iterations = 0;
    bool at_rounding = false;
};

template <class Stepper, class Tests>
Run run_iterations(Stepper& stepper, const Tests& tests, const Eigen::VectorXd& start, int max_iterations,
                   const IterationCallback& callback, int iteration_offset) {
    Run run;
    run.current = stepper.start(start);
    if (!is_finite(run.current)) {
        run.status = OptimizeStatus::non_finite_start;
        return run;
    }
    if (tests.converged(run.current)) run.status = OptimizeStatus::converged;
    while (run.status == OptimizeStatus::max_iterations && run.iterations < max_iterations) {
        const double f_before = run.current.f;
        const std::optional<double> step = stepper.advance(run.current);
        if (!step) {
            run.at_rounding = tests.at_rounding(run.current);
            run.status = run.at_rounding ? OptimizeStatus::converged : OptimizeStatus::line_search_failed;
            break;
        }
        ++run.iterations;
        if (tests.converged(run.current)) run.status = OptimizeStatus::converged;
        // A step that changes f only at rounding, where the tests allow it,
        // ends L-BFGS (Newton takes such steps while its decrement falls).
        else if (std::abs(f_before - run.current.f) <= rounding_level(run.current.f) && tests.stops_when_f_is_still() &&
                 tests.at_rounding(run.current))
            run.status = OptimizeStatus::converged;
        // Converged beats cancelled: the point is as good as it would get.
        if (callback) {
            const IterationInfo info{iteration_offset + run.iterations, run.current.f,
                                     run.current.g.lpNorm<Eigen::Infinity>(), *step};
            if (!callback(info) && run.status != OptimizeStatus::converged) run.status = OptimizeStatus::cancelled;
        }
    }
    return run;
}

// Accepted points only go down, but a rejected trial may still have had a
// lower f than the last accepted one. "Lower" means beyond a few times the
// rounding of f (as the closing Newton step allows, newton.cpp): near the
// optimum f differs between iterates only in its last bits, and there the
// later iterate, with the smaller gradient, is the better answer.
std::optional<Eigen::VectorXd> better_trial(const TrackingObjective& tracked, const Iterate& current) {
    if (tracked.has_best() && tracked.best_f() < current.f - 4 * rounding_level(current.f)) return tracked.best_x();
    return std::nullopt;
}

OptimizeResult finish(Run run, Method method, const TrackingObjective& tracked) {
    OptimizeResult result;
    result.status = run.status;
    result.method_used = method;
    result.iterations = run.iterations;
    result.at_rounding = run.at_rounding;
    result.x = std::move(run.current.x);
    // NaN is reported as +inf (outside the domain); the gradient is kept as
    // computed so the caller can tell which parameter is at fault.
    result.f = std::isnan(run.current.f) ? std::numeric_limits<double>::infinity() : run.current.f;
    result.gradient = std::move(run.current.g);
    result.evaluations = tracked.evaluations();
    return result;
}

// Newton from `start`; the decrement at the end is the final convergence
// measure. A better point seen among rejected trials is taken and its
// status re-judged there.
OptimizeResult newton(TrackingObjective& tracked, const Eigen::VectorXd& start, const OptimizeOptions& options,
                      const IterationCallback& callback, int iteration_offset) {
    detail::NewtonStepper stepper(tracked);
    const NewtonTests tests{stepper, options.tolerance};
    Run run = run_iterations(stepper, tests, start, options.max_iterations, callback, iteration_offset);
    if (run.status != OptimizeStatus::non_finite_start) {
        if (auto better = better_trial(tracked, run.current)) {
            Iterate there = stepper.start(*better);
            if (is_finite(there) && there.f < run.current.f) {
                run.current = std::move(there);
                if (run.status != OptimizeStatus::cancelled) {
                    run.at_rounding = !tests.converged(run.current) && tests.at_rounding(run.current);
                    run.status =
                        tests.converged(run.current) || run.at_rounding ? OptimizeStatus::converged : run.status;
                }
            }
        }
    }
    const double decrement = stepper.decrement(run.current);
    const bool edge = run.status == OptimizeStatus::line_search_failed && stepper.domain_edge();
    const bool negative = stepper.clearly_negative();
    OptimizeResult result = finish(std::move(run), Method::newton, tracked);
    result.decrement = decrement;
    result.at_domain_edge = edge;
    result.clearly_negative = negative;
    return result;
}

// Whether `a` is a better answer than `b`: a lower f beyond rounding, or
// the same f where a converged and b did not.
bool better_answer(const OptimizeResult& a, const OptimizeResult& b) {
    const double rounding = rounding_level(b.f);
    return std::isfinite(a.f) &&
           (a.f < b.f - rounding || (!(a.f > b.f + rounding) && a.status == OptimizeStatus::converged &&
                                     b.status != OptimizeStatus::converged));
}

// L-BFGS from `start`, its answer confirmed (or completed) by Newton with
// the exact Hessian, which also leaves a saddle point that L-BFGS, seeing a
// vanishing gradient, would have stopped on.
// The objective in the units u = d x (OptimizeOptions::lbfgs_scale): its
// gradient g / d and Hessian H / (d d').
class ScaledObjective final : public Objective {
public:
    ScaledObjective(Objective& inner, Eigen::VectorXd d) : inner_(inner), d_(std::move(d)) {}
    int dimension() const override { return inner_.dimension(); }
    double value(const Eigen::VectorXd& u) override { return inner_.value(x(u)); }
    double value_gradient(const Eigen::VectorXd& u, Eigen::VectorXd& g) override {
        const double f = inner_.value_gradient(x(u), g);
        g.array() /= d_.array();
        return f;
    }
    double value_gradient_hessian(const Eigen::VectorXd& u, Eigen::VectorXd& g, Eigen::MatrixXd& h) override {
        const double f = inner_.value_gradient_hessian(x(u), g, h);
        g.array() /= d_.array();
        h.array().colwise() /= d_.array();
        h.array().rowwise() /= d_.transpose().array();
        return f;
    }
    Eigen::VectorXd x(const Eigen::VectorXd& u) const { return u.cwiseQuotient(d_); }
    Eigen::VectorXd u(const Eigen::VectorXd& x) const { return x.cwiseProduct(d_); }
    const Eigen::VectorXd& d() const { return d_; }

private:
    Objective& inner_;
    Eigen::VectorXd d_;
};

// The units L-BFGS works in: OptimizeOptions::lbfgs_scale when it fits
// the dimension and is positive and finite, else 1.
bool has_lbfgs_units(const OptimizeOptions& options, Eigen::Index dimension) {
    const Eigen::VectorXd& d = options.lbfgs_scale;
    return d.size() == dimension && d.allFinite() && (d.array() > 0).all();
}

Eigen::VectorXd lbfgs_units(const OptimizeOptions& options, Eigen::Index dimension) {
    return has_lbfgs_units(options, dimension) ? options.lbfgs_scale : Eigen::VectorXd::Ones(dimension);
}

// L-BFGS alone, its run in the objective's units.
Run lbfgs(TrackingObjective& tracked, const Eigen::VectorXd& start, const OptimizeOptions& options,
          const IterationCallback& callback, int iteration_offset) {
    ScaledObjective scaled(tracked, lbfgs_units(options, start.size()));
    detail::LbfgsStepper stepper(scaled, options.lbfgs_memory, options.lbfgs_past_rounding,
                                 options.lbfgs_newton_first && has_lbfgs_units(options, start.size()));
    const LbfgsTests tests{options.lbfgs_relative_gradient, options.lbfgs_past_rounding};
    Run run = run_iterations(stepper, tests, scaled.u(start), 10 * options.max_iterations, callback, iteration_offset);
    if (auto better = better_trial(tracked, run.current)) {
        Iterate there = stepper.start(scaled.u(*better));
        if (is_finite(there) && there.f < run.current.f) run.current = std::move(there);
    }
    // (back to the objective's units; without a step, the start itself, not
    // its round trip through the units, so that an objective's cache of its
    // last point still serves)
    if (run.iterations == 0 && run.current.x == scaled.u(start)) run.current.x = start;
    else if (run.current.x.size() == scaled.d().size()) run.current.x = scaled.x(run.current.x);
    if (run.current.g.size() == scaled.d().size()) run.current.g.array() *= scaled.d().array();
    return run;
}

OptimizeResult lbfgs_then_newton(TrackingObjective& tracked, const Eigen::VectorXd& start,
                                 const OptimizeOptions& options, const IterationCallback& callback,
                                 int iteration_offset) {
    Run run = lbfgs(tracked, start, options, callback, iteration_offset);
    if (run.status == OptimizeStatus::non_finite_start || run.status == OptimizeStatus::cancelled) {
        OptimizeResult result = finish(std::move(run), Method::lbfgs, tracked);
        result.decrement = std::numeric_limits<double>::infinity();
        return result;
    }
    const int lbfgs_iterations = run.iterations;
    OptimizeResult result = newton(tracked, run.current.x, options, callback, iteration_offset + lbfgs_iterations);
    result.method_used = Method::lbfgs;
    result.polish_iterations = result.iterations;
    result.iterations += lbfgs_iterations;
    return result;
}

// L-BFGS, confirmed by Newton, stopped where the curvature is clearly
// negative. Either a saddle, which L-BFGS's always positive curvature
// cannot see, whose way down is along the most negative eigendirection of
// the Hessian (in scaled units, about a standard error each); or a plateau
// that the parameters of that direction ran out onto, where the likelihood
// no longer changes and the "curvature" is rounding: a random effect's scale
// on its log scale toward 0 (InstEval's department SD by REML), a
// correlation's coordinate toward +-1 (sleepstudy's), whose way back is
// toward where they started. The lowest of a few points of each kind, then
// L-BFGS again: cheaper than Newton from the start when a Hessian costs
// many gradients.
std::optional<OptimizeResult> escape_saddle(TrackingObjective& tracked, const OptimizeResult& at,
                                            const Eigen::VectorXd& start, const OptimizeOptions& options,
                                            const IterationCallback& callback) {
    Eigen::VectorXd g;
    Eigen::MatrixXd h;
    // (Newton's last point: the objective's cached Hessian)
    const double f = tracked.value_gradient_hessian(at.x, g, h);
    if (!std::isfinite(f) || !h.allFinite()) return std::nullopt;
    const ScaledHessian scaled = scale_hessian(h, curvature_scale(h, size_scale(at.x)));
    if (!scaled.clearly_negative()) return std::nullopt;
    const Eigen::VectorXd d = scaled.raw_direction(0);
    std::vector<Eigen::VectorXd> candidates;
    for (double t : {0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 4.0, -4.0}) candidates.emplace_back(at.x + t * d);
    // The coordinates on a plateau: the curvature leaves them undetermined
    // by a million times their own size, |x| / se < 1e-6 (a CPC's
    // coordinate at 48, where tanh is 1 to the last bit, has a curvature of
    // 1e-67), moved back together.
    std::vector<bool> flat(static_cast<std::size_t>(at.x.size()));
    for (Eigen::Index i = 0; i < at.x.size(); ++i)
        flat[static_cast<std::size_t>(i)] = !(std::sqrt(std::abs(h(i, i))) * std::max(1.0, std::abs(at.x[i])) > 1e-6);
    for (double back : {0.5, 0.75, 0.9, 1.0})
        for (const bool plateau : {false, true}) {
            Eigen::VectorXd x = at.x;
            for (Eigen::Index i = 0; i < x.size(); ++i)
                if (plateau ? flat[static_cast<std::size_t>(i)] : std::abs(scaled.eigenvectors(i, 0)) >= 0.5)
                    x[i] += back * (start[i] - x[i]);
            candidates.push_back(std::move(x));
        }
    Eigen::VectorXd best_x;
    double best = f - 4 * rounding_level(f);
    for (const Eigen::VectorXd& x : candidates) {
        const double fx = tracked.value(x);
        if (std::isfinite(fx) && fx < best) {
            best = fx;
            best_x = x;
        }
    }
    if (best_x.size() == 0) return std::nullopt;
    OptimizeResult escaped = lbfgs_then_newton(tracked, best_x, options, callback, at.iterations);
    escaped.iterations += at.iterations;
    escaped.saddle_f = at.f;
    return escaped;
}

}  // namespace

OptimizeResult minimize_lbfgs(Objective& objective, const Eigen::VectorXd& start, const OptimizeOptions& options,
                              const IterationCallback& callback) {
    TrackingObjective tracked(objective);
    OptimizeResult result = finish(lbfgs(tracked, start, options, callback, 0), Method::lbfgs, tracked);
    result.decrement = std::numeric_limits<double>::infinity();
    return result;
}

OptimizeResult minimize(Objective& objective, const Eigen::VectorXd& start, const OptimizeOptions& options,
                        const IterationCallback& callback) {
    TrackingObjective tracked(objective);
    Method method = options.method;
    if (method == Method::automatic)
        method =
            start.size() <= options.newton_max_dimension && !options.expensive_hessian ? Method::newton : Method::lbfgs;
    if (method == Method::newton) {
        OptimizeResult direct = newton(tracked, start, options, callback, 0);
        // Automatic: where Newton stops with no step that helps and clearly
        // negative curvature (a saddle, a kink, the edge of a jump in the
        // likelihood, reached by following negative curvature), L-BFGS from
        // the same start takes another path: its curvature is an
        // approximation that is always positive. The better of the two is
        // the answer, and says whose it is. (A stop with positive curvature,
        // a parameter run to the end of the doubles, is left to the
        // divergence probes.)
        if (options.method != Method::automatic || direct.status != OptimizeStatus::line_search_failed ||
            !direct.clearly_negative)
            return direct;
        OptimizeResult other = lbfgs_then_newton(tracked, start, options, callback, direct.iterations);
        if (!better_answer(other, direct)) {
            direct.evaluations = tracked.evaluations();
            return direct;
        }
        other.newton_f = direct.f;
        other.iterations += direct.iterations;
        other.evaluations = tracked.evaluations();
        return other;
    }

    OptimizeResult result = lbfgs_then_newton(tracked, start, options, callback, 0);
    const Eigen::VectorXd& origin = options.origin.size() == start.size() ? options.origin : start;
    // (an expensive Hessian: Newton from the start only when L-BFGS ended
    // at no regular maximum, such as a saddle on its way to a correlation
    // of 1, and a step down the saddle's negative curvature led to none)
    bool regular = result.status == OptimizeStatus::converged && !result.clearly_negative;
    if (options.expensive_hessian && result.clearly_negative && result.status != OptimizeStatus::non_finite_start &&
        result.status != OptimizeStatus::cancelled)
        if (auto escaped = escape_saddle(tracked, result, origin, options, callback);
            escaped && escaped->status == OptimizeStatus::converged && !escaped->clearly_negative &&
            better_answer(*escaped, result)) {
            result = std::move(*escaped);
            regular = true;
        }
    if (result.status == OptimizeStatus::non_finite_start || result.status == OptimizeStatus::cancelled ||
        start.size() > options.newton_max_dimension || (options.expensive_hessian && regular))
        return result;
    // Few parameters: Newton from the same start costs little, and L-BFGS,
    // following only an approximate curvature, can end in another basin
    // (a worse local maximum of a nonlinear model) where Newton does not.
    // The better of the two is the answer, and says whose it is.
    OptimizeResult direct = newton(tracked, origin, options, {}, 0);
    if (!better_answer(direct, result)) return result;
    direct.lbfgs_f = result.f;
    direct.iterations += result.iterations;
    direct.evaluations = tracked.evaluations();
    return direct;
}

}  // namespace mlec::optim
