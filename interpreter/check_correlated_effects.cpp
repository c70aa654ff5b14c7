// Correlated random effects (checker.hpp; docs/language.md, "Random
// effects"): `random (a, b)[g] ~ multi_normal(0, [sa, sb], R)` declares K
// effects per level of column g, (a, b)[g] ~ N(0, diag(sd) R diag(sd)),
// with R a `param R corr[K]`. Lowered in the spherical form, as the
// independent ones are (check_random_effects.cpp; Bates et al. 2015,
// "Fitting linear mixed-effects models using lme4", section 2.1, with
// Lambda = diag(sd) L): K graph effects z_1..z_K ~ N(0, 1) on column g, one
// per name, and
//     (a, b, ...)[g] = diag(sd) L z,   u_m = sum_{j<=m} (sd_m L[m,j]) z_j,
// with L the Cholesky factor of R (check_correlation_matrix.cpp): since
// L L' = R, Cov(u) = diag(sd) R diag(sd). Everything is ordinary graph
// nodes, the coefficients sd_m L[m,j] row-invariant, so the joint sweep,
// the Laplace approximation and its exact gradient need nothing new.
#include "interpreter/checker.hpp"
#include "runtime/functions.hpp"

namespace mlec::interp::check {

namespace {

const char* const correlated_example = "as in 'random (a, b)[g] ~ multi_normal(0, [sa, sb], R)' with 'param R corr[2]'";

// "(a, b)"
std::string names_of(const ast::Random& r) {
    std::string out = "(";
    for (std::size_t i = 0; i < r.names.size(); ++i) out.append(i ? ", " : "").append(r.names[i].name);
    return out.append(")");
}

}  // namespace

void Checker::correlated_random(const ast::Statement& s, const ast::Random& r) {
    const auto& call = std::get<ast::Call>(r.distribution.node);
    if (call.callee != "multi_normal" || call.conditional)
        fail(call.callee_span,
             "correlated random effects are multi_normal with mean 0, their standard deviations and a correlation "
             "matrix, " +
                 std::string(correlated_example) + "; '" + call.callee + "' is not available");
    if (call.args.size() != 3)
        fail(r.distribution.span,
             "multi_normal takes 3 arguments (0, the standard deviations, the correlation matrix), " +
                 std::string(correlated_example) + "; " + std::to_string(call.args.size()) +
                 (call.args.size() == 1 ? " was" : " were") + " given");
    const ast::Expr& mean = call.args[0];
    if (const auto* zero = std::get_if<ast::Number>(&mean.node); !zero || zero->value != 0)
        fail(mean.span,
             "random effects here have mean 0; put a mean into the model's expression instead, as in "
             "'y ~ normal(m + " +
                 r.names[0].name + "[" + r.column.name + "], sigma)'");
    const std::vector<int> sd = correlated_scales(r, call.args[1]);
    const ParamEntry& corr = correlation_of(r, call.args[2]);
    const std::vector<int>& l = corr.cholesky;
    const std::size_t k = r.names.size();
    std::vector<int> z;
    const int block = static_cast<int>(out_.random_effects.size());
    for (std::size_t m = 0; m < k; ++m) z.push_back(new_effect(s, r, m, sd[m], block));
    for (std::size_t m = 0; m < k; ++m) {
        // u_m = sum_{j<=m} (sd_m L[m,j]) z_j; L[1,1] = 1, so u_1 = sd_1 z_1
        // (the node of an independent effect's s * z).
        std::vector<int> terms, coefficients;
        for (std::size_t j = 0; j <= m; ++j) {
            coefficients.push_back(m == 0 ? sd[0] : build_.op(rt::op_mul(), {sd[m], l[m * k + j]}));
            terms.push_back(build_.op(rt::op_mul(), {coefficients.back(), z[j]}));
        }
        randoms_[r.names[m].name].node = build_.sum(terms);
        RandomEffect& entry = out_.random_effects[static_cast<std::size_t>(block) + m];
        entry.coefficients = std::move(coefficients);
        for (std::size_t j = 0; j < m; ++j) {
            entry.cpc_coordinates.push_back(corr.cpc_coordinates[m * k + j]);
            entry.correlation_estimands.push_back(corr.correlation_estimands[m * k + j]);
        }
    }
}

// sd of multi_normal(0, sd, R): a vector of one standard deviation per
// name, each of parameters and constants only.
std::vector<int> Checker::correlated_scales(const ast::Random& r, const ast::Expr& sd) {
    const std::size_t k = r.names.size();
    if (auto other = random_use(sd))
        fail(other->second, "the standard deviations of random effects " + names_of(r) +
                                " cannot depend on a random effect ('" + other->first +
                                "'); write them with parameters and constants");
    const Value v = expression(sd);
    if (v.shape != Shape::vector || v.nodes.size() != k)
        fail(sd.span, "the standard deviations of random effects " + names_of(r) + " are a vector of " +
                          std::to_string(k) + ", one per effect, " + correlated_example + "; this is " + describe(v));
    const auto* literal = std::get_if<ast::VectorLiteral>(&sd.node);
    for (std::size_t m = 0; m < k; ++m)
        check_random_scale(v.nodes[m], literal ? literal->elements[m].span : sd.span, r.names[m].name,
                           correlated_example);
    return v.nodes;
}

// R of multi_normal(0, sd, R): a parameter declared corr[K], K the number
// of names.
const Checker::ParamEntry& Checker::correlation_of(const ast::Random& r, const ast::Expr& corr) {
    const std::string k = std::to_string(r.names.size());
    const auto* name = std::get_if<ast::Name>(&corr.node);
    const auto declared = name ? declared_.find(name->name) : declared_.end();
    if (declared == declared_.end() || !declared->second->corr || locals_.definition(name->name))
        fail(corr.span, "the correlation matrix of random effects " + names_of(r) +
                            " is the name of a parameter declared 'param R corr[" + k + "]', " + correlated_example);
    const ParamEntry& entry = parameter_entry(name->name, corr.span);
    if (static_cast<std::size_t>(entry.value.rows) != r.names.size())
        fail(corr.span, "'" + name->name + "' is a " + std::to_string(entry.value.rows) + "x" +
                            std::to_string(entry.value.rows) + " correlation matrix, but " + names_of(r) + " are " + k +
                            " random effects; declare it 'param " + name->name + " corr[" + k + "]'");
    return entry;
}

}  // namespace mlec::interp::check
