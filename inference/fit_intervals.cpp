// Profile-likelihood intervals of a fit (--ci profile), on the full NLL or
// on the limit fit's (inference/profile.hpp does the profiling).
#include <cmath>
#include <limits>

#include "inference/fit_context.hpp"
#include "inference/profile.hpp"

namespace mlec::inference {

std::optional<Eigen::VectorXd> profile_intervals(FitContext& c, optim::Objective& objective, const Eigen::VectorXd& at,
                                                 double nll, const std::vector<int>& coordinates,
                                                 const Eigen::MatrixXd& theta_covariance,
                                                 const std::vector<bool>& which) {
    c.r.ci_method = CiMethod::profile;
    inference::ProfileOptions po;
    po.level = c.options.confidence;
    const Eigen::MatrixXd cov = c.jacobian * theta_covariance * c.jacobian.transpose();
    // The estimated coordinates from the objective's: the others stay as in
    // c.theta.
    std::vector<int> position(static_cast<std::size_t>(c.k), -1);
    for (std::size_t a = 0; a < coordinates.size(); ++a)
        position[static_cast<std::size_t>(coordinates[a])] = static_cast<int>(a);
    Eigen::VectorXd full = c.theta;
    auto expand = [&](const Eigen::VectorXd& x) -> const Eigen::VectorXd& {
        for (std::size_t a = 0; a < coordinates.size(); ++a) full[coordinates[a]] = x[static_cast<Eigen::Index>(a)];
        return full;
    };
    Eigen::VectorXd full_gradient;
    for (std::size_t i = 0; i < c.estimands.size(); ++i) {
        ParameterEstimate& e = c.estimate_of(i);
        if (!which[i] || e.fixed) continue;
        const interp::Estimand& est = c.estimands[i];
        const auto row = static_cast<Eigen::Index>(i);
        const double node_se = std::sqrt(std::max(0.0, cov(row, row)));
        inference::Quantity quantity = [&, node = est.node](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
            const double q = c.p.evaluator().invariant_gradient(c.full(expand(x)), node, full_gradient);
            const Eigen::VectorXd reduced = c.objective.reduce(full_gradient);
            g.resize(static_cast<Eigen::Index>(coordinates.size()));
            for (std::size_t a = 0; a < coordinates.size(); ++a)
                g[static_cast<Eigen::Index>(a)] = reduced[coordinates[a]];
            return q;
        };
        inference::ProfileResult pr;
        const int estimated = c.coordinate_of(est);
        const int coordinate = estimated >= 0 ? position[static_cast<std::size_t>(estimated)] : -1;
        if (coordinate >= 0) {
            const rt::Bounds b = est.bounds;
            std::function<double(double)> to_user;
            if (!b.unbounded()) to_user = [b](double u) { return b.to_user(u); };
            pr = inference::profile(objective, at, nll, quantity, coordinate, to_user,
                                    std::sqrt(theta_covariance(estimated, estimated)), b.lower, b.upper, po);
        } else {
            // (an entry of several coordinates: a simplex weight in (0, 1), a
            // positive_ordered entry > 0; a report quantity is unbounded)
            pr = inference::profile(objective, at, nll, quantity, -1, {}, node_se, est.bounds.lower, est.bounds.upper,
                                    po);
        }
        if (pr.better) return expand(*pr.better);
        e.ci_lower = pr.lower.bound;
        e.ci_upper = pr.upper.bound;
        e.ci_lower_open = pr.lower.open;
        e.ci_upper_open = pr.upper.open;
        // A random effect's SD may be 0 (the effect drops out, and the
        // likelihood is continuous there): a profile that stays within the
        // cutoff down to 0 gives the closed interval [0, upper], as lme4's.
        if (e.random_scale && pr.lower.open && pr.lower.bound == 0) {
            e.ci_lower_open = false;
            c.r.notes.push_back(e.name +
                                ": the profile interval reaches 0, where the random effect drops out; 0 is "
                                "in the interval");
        } else if (pr.lower.open)
            c.r.notes.push_back(e.name + ": the profile interval is open below: " + pr.lower.reason);
        if (pr.upper.open) c.r.notes.push_back(e.name + ": the profile interval is open above: " + pr.upper.reason);
        e.profile = std::move(pr.curve);
        if (c.options.on_profile) c.options.on_profile(static_cast<int>(i) + 1, static_cast<int>(c.estimands.size()));
    }
    return std::nullopt;
}

}  // namespace mlec::inference
