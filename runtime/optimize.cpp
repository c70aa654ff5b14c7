#include "runtime/optimize.hpp"

#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "runtime/lbfgs.hpp"
#include "runtime/line_search.hpp"
#include "runtime/newton.hpp"

namespace mlec::rt {

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

// When a step changes f by at most this much relative to max(|f|, 1), f has
// stopped moving at working precision; see stopping_test below.
constexpr double stalled_change = 1e-15;

// Counts evaluations and remembers the lowest finite f seen at any point,
// trial points included, so the result is never worse than something seen.
class TrackingObjective final : public Objective {
public:
    explicit TrackingObjective(Objective& inner) : inner_(inner) {}

    int dimension() const override { return inner_.dimension(); }

    double value(const Eigen::VectorXd& x) override {
        ++evaluations_;
        const double f = inner_.value(x);
        remember(x, f);
        return f;
    }

    double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override {
        ++evaluations_;
        const double f = inner_.value_gradient(x, g);
        remember(x, f);
        return f;
    }

    double value_gradient_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& g,
                                  Eigen::MatrixXd& h) override {
        ++evaluations_;
        const double f = inner_.value_gradient_hessian(x, g, h);
        remember(x, f);
        return f;
    }

    int evaluations() const { return evaluations_; }
    bool has_best() const { return best_f_.has_value(); }
    double best_f() const { return *best_f_; }
    const Eigen::VectorXd& best_x() const { return best_x_; }

private:
    void remember(const Eigen::VectorXd& x, double f) {
        if (!std::isfinite(f) || (best_f_ && f >= *best_f_)) return;
        best_f_ = f;
        best_x_ = x;
    }

    Objective& inner_;
    int evaluations_ = 0;
    std::optional<double> best_f_;
    Eigen::VectorXd best_x_;
};

// max_i |g_i| max(|x_i|, 1) / max(|f|, 1) (Dennis & Schnabel, 1996, sec. 7.2):
// invariant to the scale of f and of each x_i, so one tolerance fits
// likelihoods of any size.
double relative_gradient(const Iterate& it) {
    if (it.g.size() == 0) return 0;  // nothing to optimize
    const Eigen::ArrayXd scaled = it.g.array().abs() * it.x.array().abs().max(1.0);
    return scaled.maxCoeff() / std::max(std::abs(it.f), 1.0);
}

// Past the gradient test proper, a point also counts as converged when f has
// stopped moving: the last step changed f by at most stalled_change relative
// to max(|f|, 1) (or no step could decrease f at all), and the relative
// gradient is at most sqrt(gradient_tolerance). Rounding in f and its
// gradient can keep the strict test out of reach; the looser gradient bound
// keeps this from stopping early on a flat stretch far from the optimum.
bool stalled_at_optimum(double f_change, const Iterate& it, double relative_grad,
                        const OptimizeOptions& options) {
    return f_change <= stalled_change * std::max(std::abs(it.f), 1.0) &&
           relative_grad <= std::sqrt(options.gradient_tolerance);
}

bool is_finite(const Iterate& it) { return std::isfinite(it.f) && it.g.allFinite(); }

template <class Stepper>
OptimizeResult run_iterations(Stepper& stepper, TrackingObjective& objective,
                              const Eigen::VectorXd& start, int max_iterations,
                              const OptimizeOptions& options, const IterationCallback& callback) {
    OptimizeResult result;
    Iterate current = stepper.start(start);
    if (!is_finite(current)) {
        result.status = OptimizeStatus::non_finite_start;
        result.x = start;
        // NaN is reported as +inf (outside the domain); the gradient is kept
        // as computed so the caller can tell which parameter is at fault.
        result.f = std::isnan(current.f) ? std::numeric_limits<double>::infinity() : current.f;
        result.gradient = current.g;
        result.relative_gradient = std::numeric_limits<double>::infinity();
        result.evaluations = objective.evaluations();
        return result;
    }

    double relative_grad = relative_gradient(current);
    result.status = OptimizeStatus::max_iterations;
    if (relative_grad <= options.gradient_tolerance && !stepper.escape_saddle(current))
        result.status = OptimizeStatus::converged;
    relative_grad = relative_gradient(current);
    while (result.status == OptimizeStatus::max_iterations && result.iterations < max_iterations) {
        const double f_before = current.f;
        const std::optional<double> step = stepper.advance(current);
        if (!step) {
            result.status = stalled_at_optimum(0, current, relative_grad, options)
                                ? OptimizeStatus::converged
                                : OptimizeStatus::line_search_failed;
            break;
        }
        ++result.iterations;
        relative_grad = relative_gradient(current);
        if (relative_grad <= options.gradient_tolerance ||
            stalled_at_optimum(std::abs(f_before - current.f), current, relative_grad, options)) {
            result.status = OptimizeStatus::converged;
        }
        // A point that passes the gradient test may be a saddle: leave it
        // downhill along negative curvature and go on iterating.
        if (result.status == OptimizeStatus::converged && stepper.escape_saddle(current)) {
            result.status = OptimizeStatus::max_iterations;
            relative_grad = relative_gradient(current);
        }
        // Converged beats cancelled: the point is as good as it would get.
        if (callback) {
            const IterationInfo info{result.iterations, current.f,
                                     current.g.lpNorm<Eigen::Infinity>(), *step};
            if (!callback(info) && result.status != OptimizeStatus::converged) {
                result.status = OptimizeStatus::cancelled;
            }
        }
    }

    // Accepted points only go down, but a rejected trial may still have had a
    // lower f than the last accepted one; report it if its gradient is finite.
    // "Lower" means beyond rounding: near the optimum f differs between
    // iterates only in its last bits, and there the later iterate, with the
    // smaller gradient, is the better answer.
    const double rounding = 1e-12 * std::max(1.0, std::abs(current.f));
    if (objective.has_best() && objective.best_f() < current.f - rounding) {
        Iterate best;
        best.x = objective.best_x();
        best.g.resize(best.x.size());
        best.f = objective.value_gradient(best.x, best.g);
        if (is_finite(best) && best.f < current.f) {
            current = std::move(best);
            relative_grad = relative_gradient(current);
        }
    }

    result.x = std::move(current.x);
    result.f = current.f;
    result.gradient = std::move(current.g);
    result.relative_gradient = relative_grad;
    result.evaluations = objective.evaluations();
    return result;
}

}  // namespace

OptimizeResult minimize(Objective& objective, const Eigen::VectorXd& start,
                        const OptimizeOptions& options, const IterationCallback& callback) {
    TrackingObjective tracked(objective);
    Method method = options.method;
    if (method == Method::automatic) {
        method = start.size() <= options.newton_max_dimension ? Method::newton : Method::lbfgs;
    }
    OptimizeResult result;
    if (method == Method::newton) {
        detail::NewtonStepper stepper(tracked);
        result = run_iterations(stepper, tracked, start, options.max_iterations, options, callback);
    } else {
        detail::LbfgsStepper stepper(tracked, options.lbfgs_memory);
        result = run_iterations(stepper, tracked, start, 10 * options.max_iterations, options,
                                callback);
    }
    result.method_used = method;
    return result;
}

}  // namespace mlec::rt
