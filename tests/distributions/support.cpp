#include "distributions/support.hpp"

#include <algorithm>

namespace mlec::test {
namespace {

struct Registered {
    Case expected;  // without its points
    PointsFunction points;
};

// Function-local: the test files register from their own initializers.
std::vector<Registered>& registry() {
    static std::vector<Registered> all;
    return all;
}

// Builds no graph: each node is its value, the op run on one row.
class ScalarMaker : public rt::NodeMaker {
public:
    int constant(double value) override {
        values_.push_back(value);
        return static_cast<int>(values_.size()) - 1;
    }
    int op(const rt::OpDef& op, std::vector<int> inputs) override {
        Row x;
        for (int i : inputs) x.push_back(values_[static_cast<std::size_t>(i)]);
        return constant(eval_block(op, {x}, Request::none()).front().value);
    }
    double value(int node) const { return values_[static_cast<std::size_t>(node)]; }

private:
    std::vector<double> values_;
};

}  // namespace

double mean_at(const rt::DistributionDef& d, const Row& args) {
    REQUIRE(d.mean != nullptr);
    ScalarMaker make;
    std::vector<int> nodes;
    for (double a : args) nodes.push_back(make.constant(a));
    return make.value(d.mean(make, nodes));
}

bool register_case(std::string name, bool discrete, rt::Domain outcome, std::string args, PointsFunction points) {
    registry().push_back({Case{std::move(name), discrete, outcome, std::move(args), {}}, points});
    return true;
}

const std::vector<Case>& registered_cases() {
    static const std::vector<Case> cases = [] {
        std::vector<Registered> all = registry();
        auto rank = [](const Registered& r) {
            const auto table = rt::all_distributions();
            const auto it = std::find_if(table.begin(), table.end(),
                                         [&](const rt::DistributionDef* d) { return d->name == r.expected.name; });
            return it - table.begin();
        };
        std::stable_sort(all.begin(), all.end(),
                         [&](const Registered& a, const Registered& b) { return rank(a) < rank(b); });
        std::vector<Case> out;
        for (const Registered& r : all) {
            out.push_back(r.expected);
            out.back().points = r.points();
        }
        return out;
    }();
    return cases;
}

namespace {

std::vector<std::pair<std::string, CdfPointsFunction>>& cdf_registry() {
    static std::vector<std::pair<std::string, CdfPointsFunction>> all;
    return all;
}

}  // namespace

bool register_cdf_case(std::string name, CdfPointsFunction points) {
    cdf_registry().emplace_back(std::move(name), points);
    return true;
}

const std::vector<std::pair<std::string, std::vector<CdfPoint>>>& registered_cdf_cases() {
    static const std::vector<std::pair<std::string, std::vector<CdfPoint>>> cases = [] {
        std::vector<std::pair<std::string, std::vector<CdfPoint>>> out;
        for (const auto& [name, points] : cdf_registry()) out.emplace_back(name, points());
        return out;
    }();
    return cases;
}

const rt::DistributionDef& dist(const std::string& name) {
    const rt::DistributionDef* d = rt::find_distribution(name);
    REQUIRE(d != nullptr);
    return *d;
}

Row steps_for(const rt::DistributionDef& d, const Point& p) {
    if (!p.step.empty()) return p.step;
    Row step;
    step.push_back(d.discrete ? 0.0 : default_step(d.outcome, p.x[0]));
    // a vector outcome's entries come first, half of the inputs (counts: no steps)
    const std::size_t first_argument = d.vector_outcome ? p.x.size() / 2 : 1;
    for (std::size_t i = 1; i < first_argument; ++i) step.push_back(0.0);
    // inputs past the last argument are the elements of a vector argument
    for (std::size_t i = first_argument; i < p.x.size(); ++i) {
        const rt::Domain dom = d.args[std::min(i - 1, d.args.size() - 1)].domain;
        step.push_back(default_step(dom, p.x[i]));
    }
    return step;
}

}  // namespace mlec::test
