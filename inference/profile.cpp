#include "inference/profile.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "optim/fixed_coordinates.hpp"
#include "optim/optimize.hpp"
#include "report/number_format.hpp"

namespace mlec::inference {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

// An inner fit counts as a minimum when Newton converged, or stopped with a
// Newton decrement this small (within 1e-3 standard errors of the inner
// optimum: the profile value is then accurate to about 1e-6 / 2, far below
// what the statistic needs).
constexpr double accepted_decrement = 1e-6;

// The constraint q(theta) = c holds when |q - c| <= this * max(1, |c|).
constexpr double constraint_tolerance = 1e-10;

// The root in the statistic is accepted when |s - cutoff| <= this * cutoff,
// or when the bracket has shrunk to rounding in t.
constexpr double statistic_tolerance = 1e-10;
constexpr double bracket_tolerance = 1e-13;

optim::OptimizeOptions inner_options() {
    optim::OptimizeOptions options;
    options.method = optim::Method::newton;
    return options;
}

bool accepted(const optim::OptimizeResult& result) {
    return std::isfinite(result.f) &&
           (result.status == optim::OptimizeStatus::converged || result.decrement <= accepted_decrement);
}

// The augmented Lagrangian of min NLL s.t. q = c (Nocedal & Wright, 2006,
// eq. 17.36):  L(theta) = NLL - lambda (q - c) + mu/2 (q - c)^2.
// Its Hessian is H + mu grad q grad q^T + (mu (q - c) - lambda) hess q; the
// NLL's part is exact, q's Hessian comes from central differences of its
// exact gradient (q is a cheap expression; the NLL is never differenced).
// Where those differences are not finite the last term is left out (the
// Gauss-Newton approximation, which only slows Newton down).
class AugmentedLagrangian final : public optim::Objective {
public:
    AugmentedLagrangian(optim::Objective& nll, const Quantity& quantity, double target, double multiplier,
                        double penalty)
        : nll_(nll), quantity_(quantity), target_(target), multiplier_(multiplier), penalty_(penalty) {}

    int dimension() const override { return nll_.dimension(); }

    double value(const Eigen::VectorXd& x) override {
        q_gradient_.resize(x.size());
        return combine(nll_.value(x), quantity_(x, q_gradient_));
    }

    double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override {
        g.resize(x.size());
        q_gradient_.resize(x.size());
        const double f = nll_.value_gradient(x, g);
        const double r = quantity_(x, q_gradient_) - target_;
        g += (penalty_ * r - multiplier_) * q_gradient_;
        return combine(f, r + target_);
    }

    double value_gradient_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& g, Eigen::MatrixXd& h) override {
        const int n = static_cast<int>(x.size());
        g.resize(n);
        h.resize(n, n);
        q_gradient_.resize(n);
        const double f = nll_.value_gradient_hessian(x, g, h);
        const double r = quantity_(x, q_gradient_) - target_;
        const double weight = penalty_ * r - multiplier_;
        g += weight * q_gradient_;
        h += penalty_ * q_gradient_ * q_gradient_.transpose();
        if (weight != 0) {
            if (const auto curvature = quantity_hessian(x)) h += weight * *curvature;
        }
        return combine(f, r + target_);
    }

private:
    double combine(double f, double q) const {
        const double r = q - target_;
        return f - multiplier_ * r + 0.5 * penalty_ * r * r;
    }

    std::optional<Eigen::MatrixXd> quantity_hessian(const Eigen::VectorXd& x) const {
        const int n = static_cast<int>(x.size());
        Eigen::MatrixXd hessian(n, n);
        Eigen::VectorXd plus(n), minus(n);
        Eigen::VectorXd shifted = x;
        for (int j = 0; j < n; ++j) {
            const double step = 1e-5 * std::max(1.0, std::abs(x(j)));
            shifted(j) = x(j) + step;
            quantity_(shifted, plus);
            shifted(j) = x(j) - step;
            quantity_(shifted, minus);
            shifted(j) = x(j);
            hessian.col(j) = (plus - minus) / (2 * step);
        }
        if (!hessian.allFinite()) return std::nullopt;
        return Eigen::MatrixXd(0.5 * (hessian + hessian.transpose()));
    }

    optim::Objective& nll_;
    const Quantity& quantity_;
    double target_;
    double multiplier_;
    double penalty_;
    Eigen::VectorXd q_gradient_;
};

// One point of the profile: the minimizer theta of the NLL at t (the fixed
// coordinate, or the value c of the quantity), with its multiplier.
struct ProfilePoint {
    double t = 0;
    double statistic = 0;
    Eigen::VectorXd theta;
    double multiplier = 0;
};

enum class Outcome { found, failed, better };

class ProfileSearch {
public:
    ProfileSearch(optim::Objective& objective, const Eigen::VectorXd& theta_hat, double nll_hat,
                  const Quantity& quantity, int coordinate, const std::function<double(double)>& to_user, double level)
        : objective_(objective), theta_hat_(theta_hat), nll_hat_(nll_hat), quantity_(quantity), coordinate_(coordinate),
          to_user_(to_user) {
        const boost::math::chi_squared chi2(1);
        cutoff_ = boost::math::quantile(chi2, level);
        better_threshold_ = nll_hat - 1e-8 * std::max(1.0, std::abs(nll_hat));
        ProfilePoint estimate;
        estimate.t = estimate_t();
        estimate.theta = theta_hat;
        points_.push_back(std::move(estimate));
    }

    double cutoff() const { return cutoff_; }
    const std::optional<Eigen::VectorXd>& better() const { return better_; }
    const std::vector<ProfilePoint>& points() const { return points_; }

    double estimate_t() const {
        if (coordinate_ >= 0) return theta_hat_(coordinate_);
        Eigen::VectorXd gradient(theta_hat_.size());
        return quantity_(theta_hat_, gradient);
    }

    double user(double t) const { return coordinate_ >= 0 ? to_user_(t) : t; }

    // The Wald standard error of t from the Hessian at theta_hat, or 0 when
    // the Hessian is not positive definite there.
    double wald_se() const {
        const int n = static_cast<int>(theta_hat_.size());
        Eigen::VectorXd g(n);
        Eigen::MatrixXd h(n, n);
        objective_.value_gradient_hessian(theta_hat_, g, h);
        if (!h.allFinite()) return 0;
        const Eigen::LLT<Eigen::MatrixXd> llt(h);
        if (llt.info() != Eigen::Success) return 0;
        Eigen::VectorXd direction = Eigen::VectorXd::Zero(n);
        if (coordinate_ >= 0) {
            direction(coordinate_) = 1;
        } else {
            quantity_(theta_hat_, direction);
        }
        // var t = grad t^T H^-1 grad t (the delta method).
        const double variance = direction.dot(llt.solve(direction));
        return std::isfinite(variance) && variance > 0 ? std::sqrt(variance) : 0;
    }

    void set_penalty_scale(double se) {
        // The profile's curvature in c is about 1 / se^2: a penalty 100 times
        // that holds the constraint firmly without crushing the conditioning.
        penalty_ = se > 0 ? 100 / (se * se) : 100;
    }

    // Evaluates the profile at t, warm-started from the nearest point.
    Outcome evaluate(double t, ProfilePoint& point) {
        const ProfilePoint* nearest = &points_.front();
        for (const ProfilePoint& p : points_) {
            if (std::abs(p.t - t) < std::abs(nearest->t - t)) nearest = &p;
        }
        const Eigen::VectorXd start = nearest->theta;
        const double multiplier = nearest->multiplier;
        Outcome outcome = fit(t, start, multiplier, point);
        if (outcome == Outcome::failed && nearest != &points_.front()) {
            outcome = fit(t, theta_hat_, 0, point);
        }
        if (outcome == Outcome::found) points_.push_back(point);
        return outcome;
    }

private:
    bool check_better(const Eigen::VectorXd& theta, double nll) {
        if (!(nll < better_threshold_)) return false;
        better_ = theta;
        return true;
    }

    Outcome fit(double t, const Eigen::VectorXd& start, double multiplier, ProfilePoint& point) {
        point.t = t;
        if (coordinate_ >= 0) return fit_coordinate(t, start, point);
        return fit_quantity(t, start, multiplier, point);
    }

    Outcome fit_coordinate(double u, const Eigen::VectorXd& start, ProfilePoint& point) {
        std::vector<bool> fixed(static_cast<std::size_t>(start.size()), false);
        fixed[static_cast<std::size_t>(coordinate_)] = true;
        Eigen::VectorXd at = start;
        at(coordinate_) = u;
        optim::FixedCoordinates reduced(objective_, std::move(fixed), std::move(at));
        double nll = 0;
        if (reduced.dimension() == 0) {
            nll = objective_.value(reduced.expand(Eigen::VectorXd()));
            if (!std::isfinite(nll)) return Outcome::failed;
            point.theta = reduced.expand(Eigen::VectorXd());
        } else {
            const optim::OptimizeResult result = optim::minimize(reduced, reduced.reduce(start), inner_options());
            if (!std::isfinite(result.f)) return Outcome::failed;
            point.theta = reduced.expand(result.x);
            if (check_better(point.theta, result.f)) return Outcome::better;
            if (!accepted(result)) return Outcome::failed;
            nll = result.f;
        }
        if (check_better(point.theta, nll)) return Outcome::better;
        point.statistic = 2 * (nll - nll_hat_);
        point.multiplier = 0;
        return Outcome::found;
    }

    // The method of multipliers (Nocedal & Wright, 2006, alg. 17.4): minimize
    // the augmented Lagrangian, move lambda by -mu (q - c), and raise mu
    // tenfold whenever |q - c| did not shrink at least fourfold.
    Outcome fit_quantity(double c, const Eigen::VectorXd& start, double multiplier, ProfilePoint& point) {
        Eigen::VectorXd theta = start;
        double penalty = penalty_;
        double previous_violation = infinity;
        Eigen::VectorXd q_gradient(theta.size());
        for (int outer = 0; outer < 60; ++outer) {
            AugmentedLagrangian lagrangian(objective_, quantity_, c, multiplier, penalty);
            const optim::OptimizeResult result = optim::minimize(lagrangian, theta, inner_options());
            if (!std::isfinite(result.f) || !result.x.allFinite()) return Outcome::failed;
            theta = result.x;
            const double nll = objective_.value(theta);
            if (!std::isfinite(nll)) return Outcome::failed;
            if (check_better(theta, nll)) return Outcome::better;
            const double violation = quantity_(theta, q_gradient) - c;
            if (!std::isfinite(violation)) return Outcome::failed;
            if (std::abs(violation) <= constraint_tolerance * std::max(1.0, std::abs(c)) && accepted(result)) {
                point.theta = theta;
                point.statistic = 2 * (nll - nll_hat_);
                point.multiplier = multiplier - penalty * violation;
                return Outcome::found;
            }
            multiplier -= penalty * violation;
            if (std::abs(violation) > 0.25 * previous_violation) penalty *= 10;
            if (!std::isfinite(penalty) || penalty > 1e300) return Outcome::failed;
            previous_violation = std::abs(violation);
        }
        return Outcome::failed;
    }

    optim::Objective& objective_;
    const Eigen::VectorXd& theta_hat_;
    double nll_hat_;
    const Quantity& quantity_;
    int coordinate_;
    const std::function<double(double)>& to_user_;
    double cutoff_ = 0;
    double better_threshold_ = 0;
    double penalty_ = 100;
    std::vector<ProfilePoint> points_;
    std::optional<Eigen::VectorXd> better_;
};

struct SideSearch {
    double t_hat;
    double first_step;
    double reach;  // the farthest |t - t_hat| searched
    double limit;  // t's own bound on this side (+-inf when none)
    double user_limit;
    int direction;  // +1 upper, -1 lower
};

// Where the profile statistic crosses the cutoff: below it at t_in, at or
// above it at t_out.
struct Bracket {
    double t_in, s_in, t_out, s_out;
};

// Steps out from the estimate until the statistic passes the cutoff. When
// the search ends otherwise (the side is open: `result` says why; or a
// better optimum was met), returns nothing and that outcome in `ended`.
std::optional<Bracket> bracket_crossing(ProfileSearch& search, const SideSearch& side, int max_evaluations,
                                        int& evaluations, ProfileSide& result, Outcome& ended) {
    const double cutoff = search.cutoff();
    const double d = side.direction;
    double t_in = side.t_hat;  // statistic below the cutoff here
    double s_in = 0;
    double offset = side.first_step;
    ProfilePoint point;
    auto open = [&](std::string reason) {
        result.open = true;
        result.bound = side.user_limit;
        result.reason = std::move(reason);
        return Outcome::found;
    };
    auto flat_reason = [&]() {
        if (std::isfinite(side.user_limit)) {
            return "the profile likelihood stays above the cutoff up to the bound " +
                   report::format_short(side.user_limit);
        }
        return std::string(
            "the profile likelihood does not fall below the cutoff: the likelihood is flat in this direction");
    };

    int failures = 0;
    for (;;) {
        if (evaluations >= max_evaluations) {
            ended = open("the profile likelihood does not fall below the cutoff within " +
                         std::to_string(max_evaluations) + " profile points");
            return std::nullopt;
        }
        const double reached = std::abs(t_in - side.t_hat);
        if (reached >= side.reach) {
            ended = open(flat_reason());
            return std::nullopt;
        }
        double t = side.t_hat + d * std::min(offset, side.reach);
        if (std::isfinite(side.limit) && d * (t - side.limit) >= 0) {
            // Approach t's own bound geometrically: halve the remaining gap.
            const double gap = std::abs(side.limit - t_in);
            if (gap <= 1e-9 * std::max(1.0, std::abs(side.limit))) {
                ended = open(flat_reason());
                return std::nullopt;
            }
            t = t_in + 0.5 * (side.limit - t_in);
        }
        ++evaluations;
        const Outcome outcome = search.evaluate(t, point);
        if (outcome == Outcome::better) {
            ended = outcome;
            return std::nullopt;
        }
        if (outcome == Outcome::failed) {
            // Fall back towards the last good point before giving up: the
            // inner fit may only fail far out.
            if (++failures > 3 || std::abs(t - t_in) <= 1e-9 * std::max(1.0, std::abs(t))) {
                ended =
                    open("the profile likelihood does not fall below the cutoff before the constrained fit fails at " +
                         report::format_short(search.user(t)));
                return std::nullopt;
            }
            offset = std::abs(t_in - side.t_hat) + 0.25 * std::abs(t - t_in);
            continue;
        }
        if (point.statistic >= cutoff) return Bracket{t_in, s_in, t, point.statistic};
        // Where the profile is near-quadratic, s grows like offset^2: aim a
        // little past the predicted crossing, growing the step 1.5 to 4 fold.
        const double ratio = point.statistic > 0 ? 1.2 * std::sqrt(cutoff / point.statistic) : 4.0;
        offset = std::abs(t - side.t_hat) * std::clamp(ratio, 1.5, 4.0);
        t_in = t;
        s_in = point.statistic;
    }
}

// Solves s(t) = cutoff in the bracket by Brent's method (Brent, 1973,
// ch. 4); a better optimum met on the way ends the search.
Outcome solve_crossing(ProfileSearch& search, const Bracket& bracket, int max_evaluations, int& evaluations,
                       ProfileSide& result) {
    const double cutoff = search.cutoff();
    ProfilePoint point;
    // Brent's zero finder on phi(t) = s(t) - cutoff, phi(t_in) < 0 <= phi(t_out).
    double a = bracket.t_in, fa = bracket.s_in - cutoff;
    double b = bracket.t_out, fb = bracket.s_out - cutoff;
    double c = a, fc = fa;
    double e = b - a, step = e;
    for (;;) {
        if ((fb > 0) == (fc > 0)) {
            c = a;
            fc = fa;
            e = step = b - a;
        }
        if (std::abs(fc) < std::abs(fb)) {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        const double tolerance = bracket_tolerance * std::max(1.0, std::abs(b));
        const double middle = 0.5 * (c - b);
        if (std::abs(fb) <= statistic_tolerance * cutoff || std::abs(middle) <= tolerance || fb == 0 ||
            evaluations >= max_evaluations) {
            break;
        }
        if (std::abs(e) >= tolerance && std::abs(fa) > std::abs(fb)) {
            // Inverse quadratic interpolation, or the secant when a == c.
            double p, q;
            const double sb = fb / fa;
            if (a == c) {
                p = 2 * middle * sb;
                q = 1 - sb;
            } else {
                const double qa = fa / fc, rb = fb / fc;
                p = sb * (2 * middle * qa * (qa - rb) - (b - a) * (rb - 1));
                q = (qa - 1) * (rb - 1) * (sb - 1);
            }
            if (p > 0) {
                q = -q;
            } else {
                p = -p;
            }
            if (2 * p < std::min(3 * middle * q - std::abs(tolerance * q), std::abs(e * q))) {
                e = step;
                step = p / q;
            } else {
                step = middle;
                e = step;
            }
        } else {
            step = middle;
            e = step;
        }
        a = b;
        fa = fb;
        b += std::abs(step) > tolerance ? step : (middle > 0 ? tolerance : -tolerance);
        ++evaluations;
        const Outcome outcome = search.evaluate(b, point);
        if (outcome == Outcome::better) return outcome;
        // A failed fit inside the bracket: treat it as beyond the cutoff, so
        // the interval errs on the wide side.
        fb = outcome == Outcome::found ? point.statistic - cutoff : 1.0;
    }
    result.open = false;
    result.bound = search.user(b);
    result.reason.clear();
    return Outcome::found;
}

// Brackets the crossing of the cutoff on one side of the estimate, then
// solves for it.
Outcome search_side(ProfileSearch& search, const SideSearch& side, int max_evaluations, ProfileSide& result) {
    int evaluations = 0;
    Outcome ended = Outcome::found;
    const std::optional<Bracket> bracket = bracket_crossing(search, side, max_evaluations, evaluations, result, ended);
    if (!bracket) return ended;
    return solve_crossing(search, *bracket, max_evaluations, evaluations, result);
}

}  // namespace

ProfileResult profile(optim::Objective& objective, const Eigen::VectorXd& theta_hat, double nll_hat,
                      const Quantity& quantity, int coordinate, const std::function<double(double)>& to_user,
                      double wald_se, double lower_limit, double upper_limit, const ProfileOptions& options) {
    ProfileResult result;
    const auto unprofiled = [&](const std::string& reason) {
        for (auto [limit, side] : {std::pair{lower_limit, &result.lower}, std::pair{upper_limit, &result.upper}}) {
            side->open = true;
            side->bound = limit;
            side->reason = reason;
        }
        return result;
    };
    if (coordinate >= objective.dimension() || theta_hat.size() != objective.dimension()) {
        return unprofiled("nothing to profile: the coordinate is not one of the parameters");
    }
    if (coordinate < 0 && !quantity) return unprofiled("nothing to profile: no quantity was given");
    // An absent to_user means the optimizer's scale is the user's.
    const std::function<double(double)> user_scale = to_user ? to_user : [](double u) { return u; };
    ProfileSearch search(objective, theta_hat, nll_hat, quantity, coordinate, user_scale, options.level);
    const double t_hat = search.estimate_t();
    if (!std::isfinite(t_hat) || !std::isfinite(nll_hat)) {
        return unprofiled("nothing to profile: the estimate is not finite");
    }
    const double se = wald_se > 0 ? wald_se : search.wald_se();
    search.set_penalty_scale(se);

    SideSearch lower{t_hat, 0, 0, -infinity, lower_limit, -1};
    SideSearch upper{t_hat, 0, 0, infinity, upper_limit, +1};
    const double scale = std::max(1.0, std::abs(t_hat));
    double first_step = se > 0 ? 0.5 * se : 0.1 * scale;
    double reach = se > 0 ? options.max_standard_errors * se : 1e3 * scale;
    if (coordinate >= 0 && to_user) {
        // On a bounded parameter's own scale 50 units out (e^50 for a log
        // scale) is beyond any data's say.
        reach = std::min(reach, 50 * scale);
    } else {
        lower.limit = lower_limit;
        upper.limit = upper_limit;
    }
    first_step = std::min(first_step, reach);
    for (SideSearch* side : {&lower, &upper}) {
        side->first_step = first_step;
        side->reach = reach;
    }

    for (auto [side, out] : {std::pair{&lower, &result.lower}, std::pair{&upper, &result.upper}}) {
        if (search_side(search, *side, options.max_evaluations, *out) == Outcome::better) {
            unprofiled("profiling found parameters with a lower NLL than the estimate; refit from them");
            result.better = search.better();
            break;
        }
    }

    for (const ProfilePoint& point : search.points()) {
        result.curve.emplace_back(search.user(point.t), point.statistic);
    }
    std::sort(result.curve.begin(), result.curve.end());
    return result;
}

}  // namespace mlec::inference
