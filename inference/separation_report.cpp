// Naming separation in a diverged binary fit: which statement, parameters,
// columns and rows.
#include "inference/separation_report.hpp"

#include <algorithm>
#include <bit>
#include <sstream>

#include "inference/separation.hpp"

namespace mlec {

namespace {

// The data columns below `node` in the graph (a linear predictor's
// covariates), in the file's order.
std::vector<std::string> columns_below(const Problem::Impl& p, int node) {
    const rt::Graph& g = p.model.graph;
    std::vector<bool> seen(g.nodes().size(), false);
    std::vector<int> stack{node};
    std::vector<const interp::ColumnInfo*> found;
    while (!stack.empty()) {
        const int id = stack.back();
        stack.pop_back();
        if (seen[static_cast<std::size_t>(id)]) continue;
        seen[static_cast<std::size_t>(id)] = true;
        const rt::Node& n = g.node(id);
        if (n.kind == rt::NodeKind::data) found.push_back(&p.model.columns[static_cast<std::size_t>(n.column)]);
        for (int in : n.inputs) stack.push_back(in);
    }
    std::sort(found.begin(), found.end(), [](auto* a, auto* b) { return a->csv_index < b->csv_index; });
    std::vector<std::string> names;
    for (auto* c : found)
        if (std::find(names.begin(), names.end(), c->name) == names.end()) names.push_back(c->name);
    return names;
}

// classify_separation over the rows of every rank: the scale is the largest
// of all ranks', and the rows decided are numbered among all rows (with the
// count of all; only the first few are named).
inference::SeparationCheck classify(const Problem::Impl& p, const Eigen::MatrixXd& X, const std::vector<double>& y,
                                    const Eigen::VectorXd& d) {
    if (!p.collective) return inference::classify_separation(X, y, d);
    rt::Collective& c = *p.collective;
    double scale = 0;
    for (std::uint64_t bits : rt::all_gather_u64(c, std::bit_cast<std::uint64_t>(inference::separation_scale(X, d))))
        scale = std::max(scale, std::bit_cast<double>(bits));
    const inference::SeparationCheck mine = inference::classify_separation(X, y, d, scale);
    const bool contradicted = !rt::all_true(c, !mine.contradicted);
    const std::vector<std::uint64_t> decided = rt::all_gather_u64(c, mine.decided_rows.size());
    inference::SeparationCheck out;
    if (contradicted) return out;
    std::size_t total = 0;
    for (std::uint64_t n : decided) total += n;
    // The first rows named, from the first ranks that have them.
    std::string first;
    for (std::size_t i = 0; i < mine.decided_rows.size() && i < 9; ++i)
        first += std::to_string(p.first_row + mine.decided_rows[i]) + ",";
    for (const std::string& rows : c.all_gather(first)) {
        std::size_t at = 0;
        for (std::size_t comma; (comma = rows.find(',', at)) != std::string::npos && out.decided_rows.size() < 9;
             at = comma + 1)
            out.decided_rows.push_back(std::stoull(rows.substr(at, comma - at)));
    }
    out.separated = total > 0;
    out.complete = total == p.total_rows;
    out.decided_total = total;
    return out;
}

}  // namespace

// When a divergence runs along a direction that separates a binary
// outcome, say so by name: which rows are decided, by which parameters and
// columns. Returns false when no bernoulli term is separated.
bool separation_diagnostic(const Problem::Impl& p, const Eigen::VectorXd& theta, const Eigen::VectorXd& direction,
                           const std::vector<std::string>& diverging, FitResult& r) {
    for (const interp::TermInfo& term : p.model.terms) {
        // A binary outcome whose argument is a linear predictor
        // (bernoulli_logit): the rows a direction of the predictor separates.
        const rt::DistributionDef* dist = term.distribution;
        if (!dist || dist->outcome != rt::Domain::binary || dist->linear_predictor < 0) continue;
        const int eta = term.input_nodes[static_cast<std::size_t>(dist->linear_predictor) + 1];
        const Eigen::MatrixXd X = p.evaluator().node_jacobian(theta, eta);
        const std::vector<double> y = p.evaluator().node_values(theta, term.input_nodes[0]);
        const inference::SeparationCheck check = classify(p, X, y, direction);
        if (!check.separated) continue;
        const std::vector<std::string> columns = columns_below(p, eta);
        std::ostringstream m;
        m << (check.complete ? "complete separation" : "quasi-complete separation") << " in '" << term.text
          << "': a combination of the covariates (columns ";
        for (std::size_t i = 0; i < columns.size(); ++i) m << (i ? ", " : "") << columns[i];
        m << ") puts every success on one side and every failure on the other";
        if (!check.complete) {
            m << "; " << check.decided_total << " of " << p.total_rows << " rows (";
            for (std::size_t i = 0; i < check.decided_rows.size() && i < 8; ++i)
                m << (i ? ", " : "") << check.decided_rows[i] + 1;
            m << (check.decided_total > 8 ? ", ..." : "") << ") lie strictly on their side";
        }
        m << ". Their fitted probabilities go to 0 and 1, so ";
        for (std::size_t i = 0; i < diverging.size(); ++i) m << (i ? ", " : "") << diverging[i];
        m << (diverging.size() == 1 ? " grows" : " grow")
          << " without bound and no finite MLE exists. Remove or merge the separating covariates, or use a "
             "penalized (e.g. Firth) fit";
        r.diagnostics.push_back(FitDiagnostic{
            .kind = DiagnosticKind::separation, .message = m.str(), .parameters = diverging, .columns = columns});
        return true;
    }
    return false;
}

}  // namespace mlec
