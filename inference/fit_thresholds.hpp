// The thresholds that decide a fit's status and diagnoses, in one place:
// each says what it decides, and where docs/cli.md states it ("Thresholds",
// "What the report can tell you"). The curvature thresholds on the scaled
// Hessian (a flat direction, clearly negative curvature, a nearly flat
// one, ill-conditioning) are optim's (optim/scaled_hessian.hpp:
// flat_eigenvalue, near_flat, ill_conditioned), which the optimizer uses
// too; the phases read them through optim::ScaledHessian.
#pragma once

namespace mlec::inference {

struct FitThresholds {
    // ---- the curvature at the estimate (fit_curvature.cpp) ---------------

    // A coordinate whose curvature fell below this fraction of what it was
    // at the start (in sqrt|H_ii|, so 1e-8 in H_ii) has flattened out the
    // way a parameter running off to infinity does (a logistic coefficient
    // of separated data, a rate running to 0): the fit probes for
    // divergence (docs/cli.md, Thresholds: "collapsed curvature").
    static constexpr double collapsed_curvature = 1e-4;
    // At a maximum with flat directions, an estimand keeps its standard
    // error when its gradient (scaled) has no more than this share along
    // the flat directions: the data identify it.
    static constexpr double identified_share = 1e-6;
    // A parameter takes part in a direction when its share of the scaled
    // unit direction is at least this: it is named in the direction's text
    // (describe_direction), and for a flat direction its standard error is
    // withheld.
    static constexpr double direction_share = 0.05;
    // The most Newton iterations polish_near_flat spends going on to the
    // NLL's rounding before a nearly flat direction is judged.
    static constexpr int polish_iterations = 20;
    // An exact fit (an exact_fit diagnostic): a scale parameter at most this
    // fraction of the outcome's largest magnitude, the rounding level of
    // data as written.
    static constexpr double exact_fit_scale = 1e-9;

    // ---- the optimization (fit_start.cpp, fit.cpp) -----------------------

    // Two starts found the same optimum when their log-likelihoods agree to
    // this, relative to max(1, |log-likelihood|) (FitResult::optima).
    static constexpr double same_optimum = 1e-6;
    // How many times a converged point that is flat along some direction
    // is walked out of along its flat directions (a degenerate saddle).
    static constexpr int flat_escapes = 5;
    // How many times fit() refits from a better point that profiling found.
    static constexpr int profile_restarts = 3;

    // ---- divergence and the limit fit (fit_divergence.cpp) ---------------

    // A coordinate takes part in a divergence (runs off, has no estimate)
    // when its share of the divergence's unit direction, in probe units, is
    // at least this.
    static constexpr double diverging_share = 0.01;
    // A log-likelihood limit within this of 0 is 0 exactly: the likelihood
    // tends to 1, the model reproducing every observation with certainty
    // (the far probe only approaches it).
    static constexpr double perfect_fit_limit = 1e-9;
    // The limit fit holds the diverging coordinates at T = 2^k probe units
    // along the ray, k from limit_first_doubling (T = 32) to
    // limit_last_doubling, until doubling T changes neither the NLL beyond
    // rounding nor the estimates by more than sqrt(limit_settled) = 1e-6
    // standard errors (their move m has m' H m at most limit_settled):
    // then the likelihood has reached its limit along the ray, to working
    // precision (docs/cli.md, "The limit fit").
    static constexpr int limit_first_doubling = 5;
    static constexpr int limit_last_doubling = 16;
    static constexpr double limit_settled = 1e-12;

    // ---- the probes along rays to infinity (divergence.cpp) --------------
    // (docs/cli.md, "No finite maximum")

    // A probe steps t = 2^k probe units from k = 0 (t = 1); it is judged
    // first at k = probe_first_judged (t = 32), and one that is then neither
    // a limit nor unbounded goes on doubling up to k = probe_last_step
    // (t = 4096). Looking back from the estimate, t goes from 1 to
    // 2^probe_first_judged = 32.
    static constexpr int probe_first_judged = 5;
    static constexpr int probe_last_step = 12;
    // A real decrease of f, not rounding: more than real_decrease relative
    // to max(1, |f|); for an f within near_zero_nll of 0 (a nearly perfect
    // fit, whose rounding is tinier still) more than near_zero_decrease of
    // f.
    static constexpr double real_decrease = 1e-13;
    // A ray level with f(x) ahead, rounding included, is a divergence only
    // when f rises behind x by more than clear_rise relative: an unidentified
    // direction (a + b with a and b carried 4096 units apart) also rises
    // behind, by the rounding of the parameters themselves (about 1e-12
    // relative there); a limit the optimizer ran past rises by far more.
    static constexpr double clear_rise = 1e-9;
    static constexpr double near_zero_nll = 1e-6;
    static constexpr double near_zero_decrease = 1e-3;
    // An approach to a limit at infinity: the last doubling gains at most
    // this fraction of what the first unit step did (the gains die out).
    // Looking back, a decrease that is not levelling off: the slope per
    // unit step near the estimate more than this fraction of the far one.
    static constexpr double dying_gain = 0.5;
    // A decrease without bound: gains that keep up and add up to more than
    // this, relative to max(1, |f|).
    static constexpr double unbounded_decrease = 1e-3;
    // Each coordinate is probed alone while there are at most this many.
    static constexpr int single_probe_parameters = 50;
    // On a bounded parameter's log or logit scale legitimate estimates stay
    // far below this (exp(300) is 1e130): beyond it the optimizer has run
    // to the edge of what doubles hold, and the probe looks back along the
    // drift instead.
    static constexpr double representable_edge = 300;
};

}  // namespace mlec::inference
