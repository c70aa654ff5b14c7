// The distributions of the model language. Each one is a graph op whose
// inputs are (y, arg1, ..., argk) and whose value is log p(y | args) per row,
// with exact first and second partials in every input: value and analytic
// partials over the whole block, then every row outside the domains set to
// log density -inf with zero partials (runtime/distributions/detail.hpp,
// finish_rows). Each distribution is one file under runtime/distributions/
// that describes it completely (the DistributionDef below);
// runtime/distributions/list.hpp names them all.
#pragma once

#include <span>
#include <string_view>

#include "runtime/node_maker.hpp"
#include "runtime/op.hpp"

namespace mlec::rt {

// The set of values an argument or outcome may take. Used to check data
// (a bernoulli outcome that is not 0/1 is a data error), to choose start
// values, and to give an implicit parameter an implied bound.
enum class Domain {
    real,         // (-inf, inf)
    positive,     // (0, inf)
    nonnegative,  // [0, inf)
    unit_open,    // (0, 1)
    unit_closed,  // [0, 1]
    binary,       // {0, 1}
    count,        // {0, 1, 2, ...}
    category,     // {1, 2, ..., K}: a category's number (K checked by the op)
};

bool in_domain(Domain d, double x);
// Describes the domain for an error message, e.g. "0 or 1", "a non-negative
// integer", "positive".
std::string_view domain_text(Domain d);

struct DistArg {
    std::string_view name;  // "sigma"
    Domain domain;
    // A vector argument (categorical's p) is passed to the op as its
    // elements, one input each: the op is then variadic (arity -1).
    bool vector = false;
};

// An outcome whose support another argument sets: binomial's y <= n,
// uniform's lo <= y <= hi. Data are checked against it before fitting
// wherever both the outcome and that argument are data or constants.
struct OutcomeLimit {
    int arg = 0;        // index into DistributionDef::args (a scalar argument)
    bool upper = true;  // y <= args[arg]; false: y >= args[arg]
};

class Rng;

// One draw of y given the arguments (args[i] for the i-th argument; a vector
// argument's entries follow in order).
using SampleFunction = double (*)(std::span<const double> args, Rng& rng);

// One draw of a vector outcome (DistributionDef::vector_outcome): `inputs`
// are the op's inputs on one row (the K observed outcome entries, then the
// arguments), `out` receives the K drawn entries.
using VectorSampleFunction = void (*)(std::span<const double> inputs, Rng& rng, std::span<double> out);

// E[y | args] as graph nodes, from the nodes of the arguments (args[i] for
// the i-th argument after y), for predictions.
using MeanFunction = int (*)(NodeMaker& make, std::span<const int> args);

// The bounds of a truncated outcome, `T[lo, hi]`, as nodes; -1 for a side
// left open. A continuous outcome lies in (lo, hi), a count in [lo, hi]
// (the checker's truncated term: F(hi) - F(lo) or F(hi) - F(lo - 1)).
struct TruncationBounds {
    int lower = -1;
    int upper = -1;
};

// E[y | y within the bounds, args] as graph nodes, from the nodes of the
// arguments (as MeanFunction) and of the bounds, for predictions from a
// truncated outcome. Built from ops with exact partials (the distribution
// functions among them), so that its delta-method SE is exact too.
using TruncatedMeanFunction = int (*)(NodeMaker& make, std::span<const int> args, TruncationBounds bounds);

// A distribution that stands for another one whose only argument is written
// as a link function of a linear predictor, and evaluates it without the
// link's overflow: bernoulli_logit(eta) is bernoulli(sigmoid(eta)). The
// interpreter rewrites `y ~ bernoulli(sigmoid(e))` to it by asking the table
// (find_stable_form), so a fit that pushes e to +-infinity (separation)
// keeps a finite log-likelihood.
struct StableForm {
    std::string_view replaces;                // "bernoulli"
    std::span<const std::string_view> links;  // the link's names as called: "sigmoid", "inv_logit"
};

struct DistributionDef {
    std::string_view name;                      // "normal"
    bool discrete = false;                      // pmf (y never differentiated) or pdf
    Domain outcome = Domain::real;              // support of y
    std::span<const DistArg> args;              // the parameters after y
    OpDef op;                                   // arity 1 + args.size(), value = log density
    SampleFunction sample = nullptr;            // a draw from the distribution
    std::span<const OutcomeLimit> limits = {};  // the outcome's support set by arguments
    // E[y | args] (`mlec predict`'s <outcome>_expected, with its
    // delta-method SE); nullptr where the mean does not exist (cauchy) or
    // is not a number (categorical).
    MeanFunction mean = nullptr;
    // E[y | lo < y < hi] of the outcome truncated by `T[lo, hi]` (the same
    // column with its SE); nullptr: `mlec predict` refuses a truncated
    // outcome of this distribution, naming those that have it.
    TruncatedMeanFunction truncated_mean = nullptr;
    // Set on a stable form (above): what it replaces.
    const StableForm* stable_form = nullptr;
    // The argument (index into args) that is a linear predictor on the
    // scale of a link (bernoulli_logit's eta, the log-odds), which
    // predictions report beside the mean; -1: none.
    int linear_predictor = -1;
    // The argument (index into args) that is a scale in y's units whose
    // estimate, when it collapses to the rounding level of the outcomes,
    // means the model reproduces the data exactly (inference's exact_fit
    // note); -1: no such note.
    int exact_fit_scale = -1;
    // The outcome's category numbers are ordered (ordered_logistic): text
    // outcomes are refused, as their numbers would follow first appearance
    // in the file, not an order the data say.
    bool ordinal = false;
    // An ordinal distribution's F^-1, the quantile function of its latent
    // noise (logit, probit): cut-points declared without a start value start
    // at F^-1 of the outcome's cumulative frequencies.
    double (*latent_quantile)(double p) = nullptr;
    // The distribution functions (docs/language.md, "Distribution
    // functions"): ops with the inputs of `op`, whose rows and partials
    // behave as a log density's (value per row, exact first and second
    // partials, -inf with zero partials outside the domains). A discrete
    // distribution's lccdf is log P(Y > y), Stan's convention.
    OpDef lcdf{};   // log P(Y <= y | args): inputs (y, args...) as `op`; eval == nullptr: none
    OpDef lccdf{};  // log P(Y > y | args)
    // Why lcdf and lccdf are absent (eval == nullptr), for the checker's
    // message: "'gamma_lcdf' is not available: <this>".
    std::string_view no_cdf = {};
    // A vector outcome (multinomial's K counts, written `[n1, n2, n3] ~
    // ...`): the op's inputs are the K outcome entries, each in `outcome`'s
    // domain, then the K entries of the one (vector) argument, so the op is
    // variadic with 2K inputs. Such a distribution draws with
    // `sample_vector`; `sample` and `mean` are nullptr (the checker builds
    // the expected entries from `expected_entry`).
    bool vector_outcome = false;
    VectorSampleFunction sample_vector = nullptr;
    // E[y_k] of a vector outcome's entry k from the node of the outcome's
    // total (sum of its entries) and of the argument's entry k.
    int (*expected_entry)(NodeMaker& make, int total, int argument) = nullptr;
};

// nullptr for an unknown name.
const DistributionDef* find_distribution(std::string_view name);
// Every distribution, in the order of runtime/distributions/list.hpp.
std::span<const DistributionDef* const> all_distributions();
// The stable form of `distribution(link(...))`, e.g. ("bernoulli",
// "sigmoid") -> bernoulli_logit; nullptr when there is none.
const DistributionDef* find_stable_form(std::string_view distribution, std::string_view link);

}  // namespace mlec::rt
