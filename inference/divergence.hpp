// Whether the point an optimizer stopped at is really a point the
// likelihood only approaches at infinity (separation, a perfect fit, a rate
// or a scale running to 0): probes along rays from it.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <vector>

#include "optim/objective.hpp"
#include "optim/scaled_hessian.hpp"

namespace mlec::inference {

struct Divergence {
    // Along which f keeps decreasing: a unit vector in probe units (below),
    // so its entries compare across parameters of any units; the raw ray
    // is x + t * (unit .* direction).
    Eigen::VectorXd direction;
    double limit = 0;        // f far along the direction (its infimum, when bounded)
    bool unbounded = false;  // f decreases without bound (-> -infinity)
};

// Probes rays from x: the drift direction x - start, each coordinate (up to
// 50 parameters), and the flat (or negative) directions of the scaled
// Hessian, both ways, at x + t * (unit .* d) for t = 1, 2, 4, ..., 32 (and on
// to 4096 while undecided). `unit` is each coordinate's probe unit on the
// optimizer's scale: 1 for a bounded parameter (its log or logit, where a
// unit is a factor of e), and for an unbounded one a change that moves the
// model by about one per-observation unit (the caller derives it from the
// curvature, so it follows the parameter's units and the probe's verdict
// does not depend on them). A ray diverges when f falls at the first step,
// never rises after, falls by more than rounding in all, and either its
// gains die out (a limit at infinity: separation, a rate to 0) or it keeps
// falling by a real amount (unbounded: sigma to 0). A bounded parameter's
// coordinate is its log or logit; past |x_i| = 300 on that scale (e^300 is
// 1e130) nothing representable lies ahead, and the probe looks back along
// the drift instead.
struct ProbeSetup {
    Eigen::VectorXd unit;       // probe unit of each coordinate
    std::vector<bool> bounded;  // coordinate i is a bounded parameter's log or logit
};

std::optional<Divergence> find_divergence(optim::Objective& f, const Eigen::VectorXd& x, const Eigen::VectorXd& start,
                                          const optim::ScaledHessian& curvature, const ProbeSetup& setup);

}  // namespace mlec::inference
