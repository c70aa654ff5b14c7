// A singular fit: a variance component whose maximum likelihood estimate is
// on the boundary of its parameter space. Two kinds (docs/language.md,
// "Random effects"):
//  - a random effect's standard deviation at 0 (the levels differ by no
//    more than the rest of the model explains);
//  - the correlation matrix R of correlated random effects singular: a
//    canonical partial correlation (CPC) at +-1, so that one effect of the
//    block is a linear combination of the earlier ones (lme4: theta's
//    Cholesky factor singular). For K = 2, R[1,2] = +-1.
//
// The Laplace likelihood is even in each scale s (u = s z with z symmetric),
// continuous at s = 0, where the model is the one without the effect; and
// continuous in R up to its boundary, where L's diagonal entry is 0 and the
// effect is the combination. So a boundary point is a legitimate estimate,
// unlike a parameter running to infinity: the optimizer, on log s or on
// atanh(CPC), heads for it without end, and the fit then holds the
// coordinate where its transform gives the bound exactly and estimates the
// others there, as lme4 does (its theta at its bound 0). A boundary
// estimate has no standard error, since curvature at a boundary is not the
// estimate's precision; its interval is the profile's, one-sided: [0, s_u]
// or [r_l, 1] where the profile deviance 2 (NLL_p - NLL) reaches the
// chi-square(1) quantile, the cutoff lme4's confint uses (conservative: the
// deviance at a boundary is a 50:50 mixture of chi-square(0) and (1), Self &
// Liang 1987).
//
// Which coordinates the likelihood then no longer depends on, with L the
// Cholesky factor of R by CPCs (interpreter/check_correlation_matrix.cpp):
// L[i,j] = CPC_ij prod_{k<j} sech(x_ik), L[i,i] = prod_{k<i} sech(x_ik).
//  - An entry m of a block with SD 0 is 0 whatever its correlations: the
//    CPCs of row m and of column m are held at 0. That leaves R with m
//    independent of the others and, since sech(0) = 1, the other CPCs the
//    CPCs of R without row and column m: the model without effect m,
//    exactly. Its correlations R[m,.] are not identified: no estimate.
//  - CPC_ij = +-1 makes sech(x_ij) = 0: row i of L ends at column j, so
//    CPCs x_ik (j < k < i) act on nothing; and L[i,i] = 0, where the
//    Cholesky factor of the singular R has column i 0 below the diagonal
//    (the pivot is 0): the CPCs x_li (l > i) are held at 0, which loses no
//    matrix. For K = 3 with R[1,2] = 1 that holds x_32; with R[1,3] = 1,
//    nothing more; with the partial correlation of 3 and 2 given 1 at +-1
//    (effect 3 a combination of 1 and 2, no single correlation +-1),
//    nothing more either.
#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <functional>
#include <limits>

#include "inference/fit_context.hpp"
#include "inference/fit_thresholds.hpp"
#include "optim/fixed_coordinates.hpp"
#include "report/number_format.hpp"

namespace mlec::inference {

namespace {

// The unconstrained coordinate of a scale in (0, inf) or (0, hi) where the
// transform gives exactly 0: exp and the logistic underflow to 0.0.
constexpr double zero_coordinate = -1000;
// The coordinate x of a CPC = tanh(x) at +1 (and -x at -1): tanh(40)
// rounds to exactly 1, and sech(40) = 8.5e-18 leaves L's diagonal entry
// (and the CPCs after it in its row) below any effect on the likelihood,
// while cosh, sinh and every derivative stay finite (at x = 1000 sech
// would be 0 exactly but cosh infinite, its derivatives NaN).
constexpr double unit_coordinate = 40;
// Near 0 the NLL is NLL(0) + a s^2, so on t = log s its curvature is
// 4 a s^2: a scale on its way to 0 has almost none; near CPC = 1 it is
// NLL(1) + a (1 - CPC) = NLL(1) + 2a e^(-2x), curvature 8a e^(-2x) on x,
// likewise. One whose coordinate is not determined to within +-3 by the
// curvature (a factor e^3 = 20 in s) is compared with the boundary; a
// well-determined one is not.
constexpr double loose_curvature = 1.0 / 9;
// A CPC compared with +-1: beyond tanh(1.5) = 0.905.
constexpr double near_unit = 1.5;

// Every coordinate held except `free` (the fit's estimated ones).
std::vector<bool> held_except(int dimension, const std::vector<int>& free) {
    std::vector<bool> held(static_cast<std::size_t>(dimension), true);
    for (int i : free) held[static_cast<std::size_t>(i)] = false;
    return held;
}

// A block of correlated random effects (RandomEffect::block): theta's
// coordinates of its entries' SDs (-1: not a parameter with bound 0) and of
// its CPCs, cpc[i][j] for j < i, and the estimands of its correlations,
// corr[i][j] that of R[j+1, i+1].
struct Block {
    std::size_t first = 0;
    std::vector<int> sd;
    std::vector<std::vector<int>> cpc;
    std::vector<std::vector<int>> corr;
};

int coordinate_of_node(const FitContext& c, int node) {
    for (const interp::Estimand& est : c.estimands)
        if (!est.derived && est.node == node && node >= 0) return est.coordinate;
    return -1;
}

std::vector<Block> blocks_of(const FitContext& c) {
    std::vector<Block> out;
    const std::vector<interp::RandomEffect>& effects = c.p.model.random_effects;
    for (std::size_t i = 0; i < effects.size(); ++i) {
        if (effects[i].block != static_cast<int>(i)) continue;
        Block b;
        b.first = i;
        for (std::size_t m = i; m < effects.size() && effects[m].block == static_cast<int>(i); ++m) {
            b.sd.push_back(coordinate_of_node(c, effects[m].scale_parameter));
            b.cpc.push_back(effects[m].cpc_coordinates);
            b.corr.push_back(effects[m].correlation_estimands);
        }
        out.push_back(std::move(b));
    }
    return out;
}

// theta's coordinate -> the fit's estimated coordinate, or -1 (held).
std::vector<int> positions(const FitContext& c) {
    std::vector<int> out(static_cast<std::size_t>(c.p.model.parameters.size()), -1);
    const std::vector<int>& free = c.objective.free_coordinates();
    for (std::size_t i = 0; i < free.size(); ++i) out[static_cast<std::size_t>(free[i])] = static_cast<int>(i);
    return out;
}

void add_once(std::vector<int>& list, int value) {
    if (value >= 0 && std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

bool contains(const std::vector<int>& list, int value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// The CPCs the likelihood no longer depends on (or that lose nothing at 0)
// once entry m of `b` has SD 0: its row and its column.
void idle_for_zero_sd(const Block& b, std::size_t m, std::vector<int>& idle) {
    for (int x : b.cpc[m]) add_once(idle, x);
    for (std::size_t l = m + 1; l < b.cpc.size(); ++l) add_once(idle, b.cpc[l][m]);
}

// ... once CPC_ij of `b` is +-1: the rest of row i, and column i.
void idle_for_unit_cpc(const Block& b, std::size_t i, std::size_t j, std::vector<int>& idle) {
    for (std::size_t k = j + 1; k < i; ++k) add_once(idle, b.cpc[i][k]);
    for (std::size_t l = i + 1; l < b.cpc.size(); ++l) add_once(idle, b.cpc[l][i]);
}

// The CPCs `holds` holds idle only because of its hold of `coordinate`:
// free again when that leaves its boundary (in its profile).
// ", the other boundary estimates held at their bounds" when there are any:
// a profile that moves them too is to come.
std::string others_held(const SingularHolds& holds) {
    return holds.zero_scales.size() + holds.unit_cpcs.size() > 1
               ? " (the other boundary estimates held at their bounds)"
               : "";
}

std::vector<int> freed_by(const std::vector<Block>& blocks, const SingularHolds& holds, int coordinate) {
    std::vector<int> still;
    for (const Block& b : blocks) {
        for (std::size_t m = 0; m < b.sd.size(); ++m)
            if (b.sd[m] != coordinate && contains(holds.zero_scales, b.sd[m])) idle_for_zero_sd(b, m, still);
        for (std::size_t i = 1; i < b.cpc.size(); ++i)
            for (std::size_t j = 0; j < i; ++j)
                if (b.cpc[i][j] != coordinate && contains(holds.unit_cpcs, b.cpc[i][j]))
                    idle_for_unit_cpc(b, i, j, still);
    }
    std::vector<int> out;
    for (int x : holds.idle_cpcs)
        if (!contains(still, x)) out.push_back(x);
    return out;
}

// One boundary the first fit may have run to, with what it makes idle.
struct Candidate {
    bool scale = true;  // an SD at 0, or a CPC at sign
    int coordinate = -1;
    int sign = 1;
    std::vector<int> idle;
};

void add_to(SingularHolds& holds, const Candidate& k) {
    if (k.scale) add_once(holds.zero_scales, k.coordinate);
    else if (!contains(holds.unit_cpcs, k.coordinate)) {
        holds.unit_cpcs.push_back(k.coordinate);
        holds.signs.push_back(k.sign);
    }
    for (int x : k.idle) add_once(holds.idle_cpcs, x);
}

// The value of theta's coordinate `i` under `holds`, or NaN: not held.
double held_coordinate(const SingularHolds& holds, int i) {
    if (contains(holds.zero_scales, i)) return zero_coordinate;
    for (std::size_t a = 0; a < holds.unit_cpcs.size(); ++a)
        if (holds.unit_cpcs[a] == i) return holds.signs[a] * unit_coordinate;
    if (contains(holds.idle_cpcs, i)) return 0;
    return std::numeric_limits<double>::quiet_NaN();
}

// The likelihood with `holds` held, maximized over the others from `opt`,
// is at least as high as where the optimizer stopped on its way there (to
// rounding): then the boundary is the estimate.
bool fits_as_well(FitContext& c, const optim::OptimizeResult& opt, const SingularHolds& holds) {
    const std::vector<int> position = positions(c);
    Eigen::VectorXd at = opt.x;
    std::vector<bool> held(static_cast<std::size_t>(c.k), false);
    for (std::size_t i = 0; i < position.size(); ++i) {
        const double value = held_coordinate(holds, static_cast<int>(i));
        if (position[i] < 0 || std::isnan(value)) continue;
        at[position[i]] = value;
        held[static_cast<std::size_t>(position[i])] = true;
    }
    optim::FixedCoordinates there_objective(c.objective, held, at);
    const optim::OptimizeResult there =
        optim::minimize(there_objective, there_objective.reduce(at), c.optimize_options);
    return there.status == optim::OptimizeStatus::converged && there.f <= opt.f + optim::rounding_level(opt.f);
}

// The boundaries `opt` may be on its way to: SDs near 0 and CPCs near +-1
// whose coordinates the curvature leaves loose, in the model's order.
std::vector<Candidate> candidates(const FitContext& c, const Eigen::VectorXd& x, const Eigen::MatrixXd& hessian) {
    const std::vector<int> position = positions(c);
    const auto loose = [&](int theta_coordinate) {
        const int k = theta_coordinate >= 0 ? position[static_cast<std::size_t>(theta_coordinate)] : -1;
        return k >= 0 && hessian(k, k) < loose_curvature;
    };
    std::vector<Candidate> out;
    for (int k : random_scale_coordinates(c))
        if (hessian(k, k) < loose_curvature)
            out.push_back(Candidate{true, c.objective.free_coordinates()[static_cast<std::size_t>(k)], 1, {}});
    for (const Block& b : blocks_of(c)) {
        std::vector<int> idle;
        for (std::size_t m = 0; m < b.sd.size(); ++m) {
            if (!loose(b.sd[m])) continue;
            Candidate k{true, b.sd[m], 1, {}};
            idle_for_zero_sd(b, m, k.idle);
            for (int x : k.idle) add_once(idle, x);
            out.push_back(std::move(k));
        }
        for (std::size_t i = 1; i < b.cpc.size(); ++i)
            for (std::size_t j = 0; j < i; ++j) {
                const int cpc = b.cpc[i][j];
                if (contains(idle, cpc) || !loose(cpc)) continue;
                const double value = x[position[static_cast<std::size_t>(cpc)]];
                if (!(std::abs(value) > near_unit)) continue;
                Candidate k{false, cpc, value > 0 ? 1 : -1, {}};
                idle_for_unit_cpc(b, i, j, k.idle);
                for (int y : k.idle) add_once(idle, y);
                out.push_back(std::move(k));
            }
    }
    return out;
}

// The profile deviance with theta's coordinate `coordinate` at `value`, the
// fit's estimated coordinates and `freed` optimized from `theta` (updated
// to the optimum). NaN when the optimizer does not converge.
double deviance_at(FitContext& c, int coordinate, double value, const std::vector<int>& freed, Eigen::VectorXd& theta) {
    theta[coordinate] = value;
    std::vector<bool> held = held_except(static_cast<int>(theta.size()), c.objective.free_coordinates());
    for (int i : freed) held[static_cast<std::size_t>(i)] = false;
    held[static_cast<std::size_t>(coordinate)] = true;
    optim::FixedCoordinates profile(c.full_objective, held, theta);
    const optim::OptimizeResult opt = optim::minimize(profile, profile.reduce(theta), c.optimize_options);
    if (opt.status != optim::OptimizeStatus::converged) return std::numeric_limits<double>::quiet_NaN();
    theta = profile.full(opt.x);
    return 2 * (opt.f - c.nll);
}

struct UpperEnd {
    std::optional<double> bound;                   // none: not found
    std::string reason;                            // why not
    std::optional<Eigen::VectorXd> better;         // theta where the likelihood is above the fit's
    std::vector<std::pair<double, double>> curve;  // (distance from the boundary, deviance)
};

// The distance d > 0 from the boundary where the profile deviance reaches
// `cutoff`, with `coordinate` at to_coordinate(d) and `freed` estimated as
// well: bracketed by doubling or halving from `from`, then bisection on
// log d to a relative 1e-7. d is s for an SD; 1 - |r| for a correlation r,
// which ends at `limit` = 2 (r at the other bound): `limit` when the
// deviance stays below the cutoff there.
UpperEnd upper_end(FitContext& c, int coordinate, const std::function<double(double)>& to_coordinate,
                   const std::vector<int>& freed, double from, double limit, double cutoff) {
    UpperEnd out;
    Eigen::VectorXd x = c.full(c.theta);
    auto deviance = [&](double d) {
        const double dev = deviance_at(c, coordinate, to_coordinate(d), freed, x);
        if (std::isfinite(dev)) out.curve.emplace_back(d, dev);
        // (better by more than rounding: then the boundary was not the maximum)
        if (dev < -2 * optim::rounding_level(c.nll)) out.better = x;
        return dev;
    };
    // Closer to the boundary than the search went, a maximum above the
    // boundary's may hide (a dip of the deviance below 0 between 0 and the
    // cutoff, such as a correlation at 1 beside an SD's 0): 8 halvings of
    // the nearest point looked at.
    const auto look_closer = [&] {
        double nearest = limit;
        for (const auto& [at, dev] : out.curve) nearest = std::min(nearest, at);
        for (int i = 0; i < 8 && !out.better && nearest < limit; ++i) deviance(nearest /= 2);
    };
    double below = 0, above = std::min(from, limit / 2);
    double d = deviance(above);
    for (int i = 0; i < 64 && std::isfinite(d) && !out.better && d < cutoff; ++i) {
        if (above == limit) {
            // (within the cutoff over the whole range: the interval is it)
            look_closer();
            if (!out.better) out.bound = limit;
            std::sort(out.curve.begin(), out.curve.end());
            return out;
        }
        below = above;
        above = std::min(2 * above, limit);
        d = deviance(above);
    }
    if (std::isfinite(d) && !out.better && d < cutoff) {
        out.reason = "the likelihood stays within the cutoff up to " + report::format_digits(above, 3);
        return out;
    }
    for (int i = 0; i < 200 && below == 0 && std::isfinite(d) && !out.better; ++i) {
        const double half = above / 2;
        d = deviance(half);
        if (d < cutoff) below = half;
        else above = half;
    }
    while (std::isfinite(d) && !out.better && below > 0 && above / below - 1 > 1e-7) {
        const double middle = std::sqrt(below * above);
        d = deviance(middle);
        (d < cutoff ? below : above) = middle;
    }
    if (!std::isfinite(d)) out.reason = "the profile's optimizer did not converge";
    else if (!out.better) look_closer();
    if (std::isfinite(d) && !out.better) out.bound = below == 0 ? 0.0 : std::sqrt(below * above);
    std::sort(out.curve.begin(), out.curve.end());
    return out;
}

// No standard error, interval, profile or bootstrap: a boundary entry's.
void clear_errors(ParameterEstimate& e) {
    e.std_error.reset();
    e.z.reset();
    e.p_value.reset();
    e.ci_lower.reset();
    e.ci_upper.reset();
    e.ci_lower_open = e.ci_upper_open = false;
    e.profile.clear();
    e.boot_lower.reset();
    e.boot_upper.reset();
    e.boot_se.reset();
}

// The `report` quantities that depend on `coordinate` lose their standard
// errors and intervals: the delta method held it at its bound, as if known,
// and at a boundary it does not apply. Returns "; the report quantities
// that depend on it (a, b) have none either" or "".
std::string drop_dependent_errors(FitContext& c, int coordinate) {
    std::vector<std::string> names;
    for (std::size_t j = 0; j < c.estimands.size(); ++j) {
        const interp::Estimand& est = c.estimands[j];
        const std::vector<int>& deps = c.p.model.graph.node(est.node).deps;
        if (!est.derived || !std::binary_search(deps.begin(), deps.end(), coordinate)) continue;
        clear_errors(c.estimate_of(j));
        names.push_back(est.name);
    }
    if (names.empty()) return {};
    std::string list;
    for (const std::string& name : names) list.append(list.empty() ? "" : ", ").append(name);
    return "; the report quantities that depend on it (" + list + ") have none either";
}

// "random effect 'u[g]'", or for a block "random effects '(a, b)[g]'".
std::string term_of(const FitContext& c, std::size_t first) {
    const std::vector<interp::RandomEffect>& effects = c.p.model.random_effects;
    const interp::RandomEffect& e = effects[first];
    if (e.block < 0) return "random effect '" + e.name + "[" + e.column + "]'";
    std::string names;
    for (std::size_t m = first; m < effects.size() && effects[m].block == e.block; ++m)
        names.append(names.empty() ? "" : ", ").append(effects[m].name);
    return "random effects '(" + names + ")[" + e.column + "]'";
}

// The effect whose scale is the estimand node `node`: its index.
std::optional<std::size_t> effect_with_scale(const FitContext& c, int node) {
    const std::vector<interp::RandomEffect>& effects = c.p.model.random_effects;
    for (std::size_t i = 0; i < effects.size(); ++i)
        if (effects[i].scale_parameter == node) return i;
    return std::nullopt;
}

std::string list_text(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i)
        out.append(i == 0 ? "" : i + 1 == names.size() ? " and " : ", ").append(names[i]);
    return out;
}

// Where theta's coordinate `x` is in the blocks: block, row i, column j.
struct CpcPlace {
    const Block* block = nullptr;
    std::size_t i = 0, j = 0;
};

CpcPlace place_of(const std::vector<Block>& blocks, int x) {
    for (const Block& b : blocks)
        for (std::size_t i = 1; i < b.cpc.size(); ++i)
            for (std::size_t j = 0; j < i; ++j)
                if (b.cpc[i][j] == x) return CpcPlace{&b, i, j};
    return {};
}

// The estimands a singular fit leaves without an estimate (`not_identified`:
// a correlation of an entry with SD 0) or at +-1 (`at_unit`: a
// correlation of a block with a CPC at +-1 whose value is +-1): neither has
// the delta method's standard error or interval.
struct BoundaryEntries {
    std::vector<std::size_t> not_identified;
    std::vector<std::size_t> at_unit;
};

BoundaryEntries boundary_entries(FitContext& c, const SingularHolds& holds) {
    BoundaryEntries out;
    if (holds.empty()) return out;
    for (const Block& b : blocks_of(c)) {
        std::vector<bool> zero(b.sd.size(), false);
        for (std::size_t m = 0; m < b.sd.size(); ++m) zero[m] = contains(holds.zero_scales, b.sd[m]);
        bool unit = false;
        for (const auto& row : b.cpc)
            for (int x : row) unit = unit || contains(holds.unit_cpcs, x);
        for (std::size_t i = 1; i < b.corr.size(); ++i)
            for (std::size_t j = 0; j < i; ++j) {
                const auto est = static_cast<std::size_t>(b.corr[i][j]);
                // (R[1,i] is CPC_i1 itself)
                const bool held = j == 0 && contains(holds.unit_cpcs, b.cpc[i][0]);
                if (zero[i] || zero[j]) out.not_identified.push_back(est);
                else if (held || (unit && std::abs(c.estimate_of(est).estimate) == 1)) out.at_unit.push_back(est);
            }
    }
    return out;
}

}  // namespace

std::vector<int> random_scale_coordinates(const FitContext& c) {
    std::vector<int> out;
    // (not a correlated block's SD: the likelihood is even in it only
    // together with the block's correlations)
    for (const interp::RandomEffect& e : c.p.model.random_effects)
        for (const interp::Estimand& est : c.estimands) {
            if (e.block >= 0 || est.derived || e.scale_parameter < 0 || est.node != e.scale_parameter) continue;
            const int k = c.coordinate_of(est);
            if (k >= 0 && est.bounds.lower == 0 && std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
        }
    return out;
}

std::vector<int> block_scale_coordinates(const FitContext& c) {
    const std::vector<int> position = positions(c);
    std::vector<int> out;
    for (const Block& b : blocks_of(c))
        for (int sd : b.sd)
            if (sd >= 0 && position[static_cast<std::size_t>(sd)] >= 0)
                add_once(out, position[static_cast<std::size_t>(sd)]);
    return out;
}

bool near_boundary(const FitContext& c, const Eigen::VectorXd& x, const Eigen::MatrixXd& hessian) {
    return !candidates(c, x, hessian).empty();
}

SingularHolds singular_holds(FitContext& c, const optim::OptimizeResult& opt) {
    const std::vector<Candidate> found = candidates(c, opt.x, c.hessian);
    SingularHolds all;
    for (const Candidate& k : found) add_to(all, k);
    if (found.empty() || fits_as_well(c, opt, all)) return all;
    // One of them is no boundary estimate: the others one at a time, each
    // kept when it fits as well with those kept before it.
    SingularHolds kept;
    for (const Candidate& k : found) {
        SingularHolds with = kept;
        add_to(with, k);
        if (fits_as_well(c, opt, with)) kept = std::move(with);
    }
    return kept;
}

SingularHolds boundary_divergence(FitContext& c, const optim::OptimizeResult& opt, const Eigen::VectorXd& direction) {
    // (a coordinate whose share of the direction is below 5% is along for
    // the ride, FitThresholds::direction_share)
    const double largest = direction.cwiseAbs().maxCoeff();
    const auto moves = [&](int k) { return std::abs(direction[k]) >= FitThresholds::direction_share * largest; };
    const std::vector<int> position = positions(c);
    const auto at = [&](int theta_coordinate) {
        return theta_coordinate >= 0 ? position[static_cast<std::size_t>(theta_coordinate)] : -1;
    };
    std::vector<bool> explained(static_cast<std::size_t>(c.k), false);
    SingularHolds holds;
    for (int k : random_scale_coordinates(c))
        if (moves(k) && direction[k] < 0) {
            add_to(holds, Candidate{true, c.objective.free_coordinates()[static_cast<std::size_t>(k)], 1, {}});
            explained[static_cast<std::size_t>(k)] = true;
        }
    for (const Block& b : blocks_of(c)) {
        for (std::size_t m = 0; m < b.sd.size(); ++m) {
            const int k = at(b.sd[m]);
            if (k < 0 || !moves(k) || direction[k] > 0) continue;
            Candidate zero{true, b.sd[m], 1, {}};
            idle_for_zero_sd(b, m, zero.idle);
            add_to(holds, zero);
            explained[static_cast<std::size_t>(k)] = true;
        }
        for (std::size_t i = 1; i < b.cpc.size(); ++i)
            for (std::size_t j = 0; j < i; ++j) {
                const int k = at(b.cpc[i][j]);
                if (k < 0 || !moves(k)) continue;
                // (a CPC made idle by another boundary moves for nothing)
                explained[static_cast<std::size_t>(k)] = true;
                if (contains(holds.idle_cpcs, b.cpc[i][j])) continue;
                Candidate unit{false, b.cpc[i][j], direction[k] > 0 ? 1 : -1, {}};
                idle_for_unit_cpc(b, i, j, unit.idle);
                add_to(holds, unit);
            }
    }
    for (int k = 0; k < c.k; ++k)
        if (moves(k) && !explained[static_cast<std::size_t>(k)]) return {};
    if (holds.empty() || !fits_as_well(c, opt, holds)) return {};
    return holds;
}

void hold_on_boundary(ParameterValues& values, const SingularHolds& holds) {
    for (std::size_t i = 0; i < values.held.size(); ++i) {
        const double value = held_coordinate(holds, static_cast<int>(i));
        if (std::isnan(value)) continue;
        values.held[i] = true;
        values.start[static_cast<Eigen::Index>(i)] = value;
        // (a CPC's coordinate is no estimand: only an SD's value is shown)
        values.value[i] = contains(holds.zero_scales, static_cast<int>(i)) ? 0.0 : value;
    }
}

std::vector<bool> off_boundary(FitContext& c, const SingularHolds& holds) {
    std::vector<bool> out(c.estimands.size(), true);
    const BoundaryEntries entries = boundary_entries(c, holds);
    for (std::size_t i : entries.not_identified) out[i] = false;
    for (std::size_t i : entries.at_unit) out[i] = false;
    return out;
}

namespace {

// An SD held at 0: its entry, interval and diagnostic. Returns theta when
// the profile met a better point.
std::optional<Eigen::VectorXd> report_zero_scale(FitContext& c, const SingularHolds& holds, std::size_t j,
                                                 const Eigen::VectorXd& model_start, double cutoff) {
    const interp::Estimand& est = c.estimands[j];
    ParameterEstimate& e = c.estimate_of(j);
    e.fixed = false;
    e.at_zero = e.at_boundary = true;
    e.estimate = 0;
    const std::optional<std::size_t> effect = effect_with_scale(c, est.node);
    const std::vector<interp::RandomEffect>& effects = c.p.model.random_effects;
    // An entry of a block: its correlations are free again away from 0.
    const std::vector<int> freed = freed_by(blocks_of(c), holds, est.coordinate);
    std::vector<std::string> unidentified;
    if (effect && effects[*effect].block >= 0)
        for (const Block& b : blocks_of(c)) {
            if (b.first != static_cast<std::size_t>(effects[*effect].block)) continue;
            const std::size_t m = *effect - b.first;
            for (std::size_t i = 1; i < b.corr.size(); ++i)
                for (std::size_t k = 0; k < i; ++k)
                    if (i == m || k == m)
                        unidentified.push_back(c.estimands[static_cast<std::size_t>(b.corr[i][k])].name);
        }
    std::string interval;
    // (the fit was not a maximum: no interval, as for any estimate)
    if (std::isfinite(c.nll) && c.r.status == FitStatus::converged) {
        const rt::Bounds bounds = c.p.model.parameters[static_cast<std::size_t>(est.coordinate)].bounds;
        UpperEnd upper = upper_end(
            c, est.coordinate, [bounds](double s) { return bounds.to_unconstrained(s); }, freed,
            est.bounds.to_user(model_start[est.coordinate]), std::numeric_limits<double>::infinity(), cutoff);
        if (upper.better) return upper.better;
        e.profile = std::move(upper.curve);
        if (upper.bound) {
            e.ci_lower = 0;
            e.ci_upper = *upper.bound;
            interval = ", and its profile interval is one-sided, [0, " + report::format_digits(*upper.bound, 4) + "]" +
                       others_held(holds);
        } else {
            interval = ", and it has no profile interval: " + upper.reason;
        }
    }
    const std::string of = effect ? term_of(c, *effect) : "a random effect";
    std::string message = "the standard deviation " + est.name + " of " +
                          (effect && effects[*effect].block >= 0
                               ? "random effect '" + effects[*effect].name + "[" + effects[*effect].column + "]' of " +
                                     term_of(c, static_cast<std::size_t>(effects[*effect].block))
                               : of) +
                          " is estimated at 0 (a singular fit): the levels differ by no more than the rest of the "
                          "model explains, and the fit is the model's without that effect; " +
                          est.name + " has no standard error on its boundary" + interval +
                          drop_dependent_errors(c, est.coordinate);
    if (!unidentified.empty())
        message.append("; ")
            .append(unidentified.size() == 1 ? "its correlation " : "its correlations ")
            .append(list_text(unidentified))
            .append(" with the other effects ")
            .append(unidentified.size() == 1 ? "is" : "are")
            .append(" not identified (the likelihood does not depend on ")
            .append(unidentified.size() == 1 ? "it" : "them")
            .append(" when the effect is 0): no estimate");
    std::vector<std::string> parameters{est.name};
    parameters.insert(parameters.end(), unidentified.begin(), unidentified.end());
    c.r.diagnostics.push_back(FitDiagnostic{.kind = DiagnosticKind::singular_fit,
                                            .message = std::move(message),
                                            .parameters = std::move(parameters),
                                            .columns = {}});
    return std::nullopt;
}

// A CPC held at +-1: the correlation it is (R[1,i] for a CPC of column 1)
// with its one-sided interval, and the diagnostic. Returns theta when the
// profile met a better point.
std::optional<Eigen::VectorXd> report_unit_cpc(FitContext& c, const SingularHolds& holds, const CpcPlace& at, int sign,
                                               bool first_in_block, double cutoff) {
    const Block& b = *at.block;
    const std::vector<interp::RandomEffect>& effects = c.p.model.random_effects;
    const std::size_t own = static_cast<std::size_t>(b.corr[at.i][at.j]);
    const std::string& effect_i = effects[b.first + at.i].name;
    const std::string& column = effects[b.first].column;
    const int x = b.cpc[at.i][at.j];
    std::string earlier;
    for (std::size_t m = 0; m <= at.j; ++m)
        earlier.append(m == 0 ? "" : m == at.j ? " and " : ", ").append(effects[b.first + m].name + "[" + column + "]");
    const std::string bound = sign > 0 ? "1" : "-1";
    std::string message;
    std::vector<std::string> parameters;
    if (at.j == 0) {
        // R[1,i] is CPC_i1 itself: its profile, one-sided from the bound.
        ParameterEstimate& e = c.estimate_of(own);
        e.estimate = sign;
        const std::string& name = c.estimands[own].name;
        parameters.push_back(name);
        std::string interval;
        if (std::isfinite(c.nll) && c.r.status == FitStatus::converged) {
            const std::vector<int> freed = freed_by(blocks_of(c), holds, x);
            UpperEnd upper = upper_end(
                c, x,
                [sign](double d) {
                    // (at d = 2, the other bound, where its coordinate is +-40 too)
                    return std::clamp(sign * std::atanh(1 - d), -unit_coordinate, unit_coordinate);
                },
                freed, 0.05, 2.0, cutoff);
            if (upper.better) return upper.better;
            for (auto& [d, deviance] : upper.curve) d = sign * (1 - d);
            std::sort(upper.curve.begin(), upper.curve.end());
            e.profile = std::move(upper.curve);
            if (upper.bound && *upper.bound >= 2) {
                e.ci_lower = -1;
                e.ci_upper = 1;
                interval =
                    ", and its profile interval is the whole [-1, 1]: the likelihood stays within the cutoff "
                    "up to the other bound" +
                    others_held(holds);
            } else if (upper.bound) {
                const double end = sign * (1 - *upper.bound);
                (sign > 0 ? e.ci_lower : e.ci_upper) = end;
                (sign > 0 ? e.ci_upper : e.ci_lower) = sign;
                interval = ", and its profile interval is one-sided, " +
                           (sign > 0 ? "[" + report::format_digits(end, 4) + ", 1]"
                                     : "[-1, " + report::format_digits(end, 4) + "]") +
                           others_held(holds);
            } else {
                interval = ", and it has no profile interval: " + upper.reason;
            }
        }
        message = "the correlation " + name + " of " + term_of(c, b.first) + " is estimated at " + bound +
                  " (a singular fit): " + effect_i + "[" + column + "] is " + (sign > 0 ? "a positive" : "a negative") +
                  " multiple of " + earlier + ", and the fit is the model's with that constraint; " + name +
                  " has no standard error on its boundary" + interval;
    } else {
        std::string given;
        for (std::size_t m = 0; m < at.j; ++m)
            given.append(m == 0 ? "" : m + 1 == at.j ? " and " : ", ").append(effects[b.first + m].name);
        message = "the correlation matrix of " + term_of(c, b.first) +
                  " is estimated singular (a singular fit): the partial correlation of " + effect_i + " and " +
                  effects[b.first + at.j].name + " given " + given + " is " + bound + ", so " + effect_i + "[" +
                  column + "] is a linear combination of " + earlier +
                  ", and the fit is the model's with that constraint; no correlation is +-1 itself, and their "
                  "standard errors hold with that constraint";
    }
    // Correlations the constraint puts at +-1 with it (R[2,3] = R[1,2] R[1,3]
    // when both are +-1) are on the boundary too, determined by the others.
    std::vector<std::string> also;
    for (std::size_t i = 1; i < b.corr.size(); ++i)
        for (std::size_t j = 0; j < i; ++j) {
            const auto est = static_cast<std::size_t>(b.corr[i][j]);
            // (an R[1,i] held at +-1 has a message of its own)
            const bool held_own = j == 0 && contains(holds.unit_cpcs, b.cpc[i][0]);
            if (!first_in_block || held_own || !(std::abs(c.estimate_of(est).estimate) == 1)) continue;
            also.push_back(c.estimands[est].name);
        }
    if (!also.empty())
        message.append("; ")
            .append(list_text(also))
            .append(also.size() == 1 ? " is " : " are ")
            .append("then +-1 too, determined by the others, without a standard error or interval");
    parameters.insert(parameters.end(), also.begin(), also.end());
    message.append(drop_dependent_errors(c, x));
    c.r.diagnostics.push_back(FitDiagnostic{.kind = DiagnosticKind::singular_fit,
                                            .message = std::move(message),
                                            .parameters = std::move(parameters),
                                            .columns = {}});
    return std::nullopt;
}

}  // namespace

std::optional<Eigen::VectorXd> report_singular(FitContext& c, const SingularHolds& holds) {
    if (holds.empty()) return std::nullopt;
    const double cutoff = boost::math::quantile(boost::math::chi_squared(1), c.options.confidence);
    const Eigen::VectorXd model_start = c.problem.start();
    // Every held coordinate counts, as lmer's and glmmTMB's df count every
    // covariance parameter: those estimated on their boundary and the CPCs
    // held because they no longer act (an SD at 0's correlations, those a
    // unit CPC leaves), so that AIC, BIC and a likelihood-ratio test's df
    // are theirs.
    const auto boundary =
        static_cast<double>(holds.zero_scales.size() + holds.unit_cpcs.size() + holds.idle_cpcs.size());
    c.r.n_params += static_cast<int>(boundary);
    c.r.aic += 2.0 * boundary;
    c.r.bic += boundary * std::log(std::max(c.r.n_weighted, 1.0));
    const BoundaryEntries entries = boundary_entries(c, holds);
    for (std::size_t i : entries.not_identified) {
        ParameterEstimate& e = c.estimate_of(i);
        e.not_identified = true;
        e.estimate = std::numeric_limits<double>::quiet_NaN();
        clear_errors(e);
    }
    for (std::size_t i : entries.at_unit) {
        ParameterEstimate& e = c.estimate_of(i);
        e.at_boundary = true;
        clear_errors(e);
    }
    for (std::size_t j = 0; j < c.estimands.size(); ++j) {
        const interp::Estimand& est = c.estimands[j];
        if (est.derived || !contains(holds.zero_scales, est.coordinate)) continue;
        if (auto better = report_zero_scale(c, holds, j, model_start, cutoff)) return better;
    }
    const std::vector<Block> blocks = blocks_of(c);
    std::vector<const Block*> reported;
    for (std::size_t a = 0; a < holds.unit_cpcs.size(); ++a) {
        const CpcPlace at = place_of(blocks, holds.unit_cpcs[a]);
        if (!at.block) continue;
        const bool first = std::find(reported.begin(), reported.end(), at.block) == reported.end();
        reported.push_back(at.block);
        if (auto better = report_unit_cpc(c, holds, at, holds.signs[a], first, cutoff)) return better;
    }
    return std::nullopt;
}

}  // namespace mlec::inference
