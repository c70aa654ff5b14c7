#include "runtime/bounds.hpp"

namespace mlec::rt {

namespace {

double sigmoid(double u) { return u >= 0 ? 1.0 / (1.0 + std::exp(-u)) : std::exp(u) / (1.0 + std::exp(u)); }

}  // namespace

double Bounds::to_user(double u) const {
    if (has_lower() && has_upper()) return lower + (upper - lower) * sigmoid(u);
    if (has_lower()) return lower + std::exp(u);
    if (has_upper()) return upper - std::exp(u);
    return u;
}

double Bounds::to_unconstrained(double x) const {
    if (has_lower() && has_upper()) {
        const double p = (x - lower) / (upper - lower);
        return std::log(p) - std::log1p(-p);
    }
    if (has_lower()) return std::log(x - lower);
    if (has_upper()) return std::log(upper - x);
    return x;
}

double Bounds::derivative(double u) const {
    if (has_lower() && has_upper()) {
        const double s = sigmoid(u);
        return (upper - lower) * s * (1.0 - s);
    }
    if (has_lower()) return std::exp(u);
    if (has_upper()) return -std::exp(u);
    return 1.0;
}

}  // namespace mlec::rt
