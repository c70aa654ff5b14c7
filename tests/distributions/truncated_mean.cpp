#include "distributions/truncated_mean.hpp"

namespace mlec::test {
namespace {

// Builds no graph: each node is its value and its gradient in the seeds
// (the arguments, then the bounds), the op run on one row with its first
// partials, the chain rule applied forward. A zero gradient of an input
// contributes nothing, even where the op's partial in it is not finite.
class ForwardMaker : public rt::NodeMaker {
public:
    explicit ForwardMaker(std::size_t seeds) : seeds_(seeds) {}
    int constant(double value) override { return push(value, Row(seeds_, 0.0)); }
    int seed(double value, std::size_t k) {
        Row g(seeds_, 0.0);
        g[k] = 1;
        return push(value, std::move(g));
    }
    int op(const rt::OpDef& op, std::vector<int> inputs) override {
        Row x;
        for (int i : inputs) x.push_back(values_[static_cast<std::size_t>(i)]);
        const Evaluated e = eval_one(op, x);
        Row g(seeds_, 0.0);
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            const Row& gi = gradients_[static_cast<std::size_t>(inputs[i])];
            for (std::size_t k = 0; k < seeds_; ++k)
                if (gi[k] != 0) g[k] += e.d1[i] * gi[k];
        }
        return push(e.value, std::move(g));
    }
    double value(int node) const { return values_[static_cast<std::size_t>(node)]; }
    const Row& gradient(int node) const { return gradients_[static_cast<std::size_t>(node)]; }

private:
    int push(double value, Row gradient) {
        values_.push_back(value);
        gradients_.push_back(std::move(gradient));
        return static_cast<int>(values_.size()) - 1;
    }
    std::size_t seeds_;
    Row values_;
    std::vector<Row> gradients_;
};

}  // namespace

TruncatedMean truncated_mean_at(const rt::DistributionDef& d, const Row& args, Bounds b) {
    REQUIRE(d.truncated_mean != nullptr);
    ForwardMaker make(args.size() + 2);
    std::vector<int> nodes;
    for (std::size_t k = 0; k < args.size(); ++k) nodes.push_back(make.seed(args[k], k));
    rt::TruncationBounds bounds;
    if (std::isfinite(b.lo)) bounds.lower = make.seed(b.lo, args.size());
    if (std::isfinite(b.hi)) bounds.upper = make.seed(b.hi, args.size() + 1);
    const int mean = d.truncated_mean(make, nodes, bounds);
    return {make.value(mean), make.gradient(mean)};
}

void check_truncated_mean(const std::string& name, const Row& args, Bounds b, double expected, double rel,
                          Tolerance tol) {
    const rt::DistributionDef& d = dist(name);
    INFO(name << " at " << show(args) << ", bounds (" << b.lo << ", " << b.hi << ")");
    const TruncatedMean m = truncated_mean_at(d, args, b);
    CHECK(std::abs(m.value - expected) <= rel * std::abs(expected));
    // The point as one row of (args..., lo, hi), varied one entry at a time.
    Row x = args;
    x.push_back(b.lo);
    x.push_back(b.hi);
    for (std::size_t k = 0; k < x.size(); ++k) {
        if (!std::isfinite(x[k])) continue;
        if (d.discrete && k >= args.size()) continue;  // a count's bounds are whole numbers
        auto at = [&](double v) {
            Row moved = x;
            moved[k] = v;
            const Row moved_args(moved.begin(), moved.begin() + static_cast<std::ptrdiff_t>(args.size()));
            return truncated_mean_at(d, moved_args, {moved[args.size()], moved[args.size() + 1]}).value;
        };
        // The ops' first steps, keeping a positive argument positive and
        // the bounds apart.
        const rt::Domain domain = k < args.size() ? d.args[k].domain : rt::Domain::real;
        double h = default_step(domain, x[k]);
        if (std::isfinite(b.lo) && std::isfinite(b.hi)) h = std::min(h, 0.25 * (b.hi - b.lo));
        if (h <= 0) continue;
        const FdEstimate fd = ridders(at, x[k], h);
        INFO("entry " << k << ": analytic " << m.gradient[k] << ", differences " << fd.value << " (+- " << fd.error
                      << ")");
        CHECK(close_partial(m.gradient[k], fd.value, tol));
    }
}

}  // namespace mlec::test
