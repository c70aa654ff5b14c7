// The distributions of the model language. Each one is a graph op whose
// inputs are (y, arg1, ..., argk) and whose value is log p(y | args) per row,
// with exact first and second partials in every input (Stan Math's order:
// argument checks, value, analytic partials).
#pragma once

#include <span>
#include <string_view>

#include "runtime/op.hpp"

namespace mlec::rt {

// The set of values an argument or outcome may take. Used to check data
// (a bernoulli outcome that is not 0/1 is a data error), to choose start
// values, and to give an implicit parameter an implied bound.
enum class Domain {
    real,              // (-inf, inf)
    positive,          // (0, inf)
    nonnegative,       // [0, inf)
    unit_open,         // (0, 1)
    unit_closed,       // [0, 1]
    binary,            // {0, 1}
    count,             // {0, 1, 2, ...}
    category,          // {1, 2, ..., K}: a category's number (K checked by the op)
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

struct DistributionDef {
    std::string_view name;          // "normal"
    bool discrete = false;          // pmf (y never differentiated) or pdf
    Domain outcome = Domain::real;  // support of y
    std::span<const DistArg> args;  // the parameters after y
    OpDef op;                       // arity 1 + args.size(), value = log density
    SampleFunction sample = nullptr;  // a draw from the distribution
    std::span<const OutcomeLimit> limits = {};  // the outcome's support set by arguments
};

// bernoulli bernoulli_logit binomial poisson poisson_log negbinomial
// geometric normal lognormal student_t cauchy laplace logistic exponential
// gamma weibull beta uniform categorical. nullptr for an unknown name.
const DistributionDef* find_distribution(std::string_view name);
std::span<const DistributionDef* const> all_distributions();

}  // namespace mlec::rt
