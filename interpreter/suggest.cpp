#include "interpreter/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "runtime/distributions.hpp"

namespace mlec::interp {

int edit_distance(std::string_view a, std::string_view b) {
    // Three rolling rows (the transposition looks two rows back).
    const std::size_t m = b.size();
    std::vector<int> two_back(m + 1), previous(m + 1), current(m + 1);
    for (std::size_t j = 0; j <= m; ++j) previous[j] = static_cast<int>(j);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = static_cast<int>(i);
        for (std::size_t j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                current[j] = std::min(current[j], two_back[j - 2] + 1);
        }
        std::swap(two_back, previous);
        std::swap(previous, current);
    }
    return previous[m];
}

std::optional<std::string> closest(std::string_view name, std::span<const std::string> candidates) {
    std::optional<std::string> best;
    int best_distance = name.size() <= 4 ? 1 : 2;
    for (const std::string& c : candidates) {
        // The distance is at least the difference in length: skip cheaply
        // (a 1 MB typo must not take seconds to answer).
        const auto gap = name.size() > c.size() ? name.size() - c.size() : c.size() - name.size();
        if (gap > static_cast<std::size_t>(best_distance)) continue;
        const int d = edit_distance(name, c);
        if (d <= best_distance && (!best || d < edit_distance(name, *best))) {
            best = c;
            best_distance = d;
        }
    }
    return best;
}

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Equal but for case and '_' (x_1, X1 and x1), compared without copying:
// looks_like_column runs for every free name against every column.
bool equal_folded(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    for (;; ++i, ++j) {
        while (i < a.size() && a[i] == '_') ++i;
        while (j < b.size() && b[j] == '_') ++j;
        if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
        if (lower(a[i]) != lower(b[j])) return false;
    }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A name split into its stem and its trailing digits (x_3 -> "x_", "3").
std::pair<std::string_view, std::string_view> stem_and_number(std::string_view name) {
    std::size_t end = name.size();
    while (end > 0 && is_digit(name[end - 1])) --end;
    return {name.substr(0, end), name.substr(end)};
}

// Rule 2 of looks_like_column: x3 beside x1.
bool same_stem_other_number(std::string_view name, std::string_view column) {
    const auto [stem, number] = stem_and_number(name);
    const auto [column_stem, column_number] = stem_and_number(column);
    if (number.empty() || column_number.empty() || number == column_number) return false;
    const bool only_underscores = stem.find_first_not_of('_') == std::string_view::npos;
    return !only_underscores && equal_folded(stem, column_stem);
}

// Rules 3 and 4 of looks_like_column: one edit that is a slip of the
// keyboard, not the naming of a coefficient after its column.
bool one_slip_apart(std::string_view name, std::string_view column) {
    const std::size_t shorter = std::min(name.size(), column.size());
    const std::size_t longer = std::max(name.size(), column.size());
    if (shorter < 2 || longer - shorter > 1 || edit_distance(name, column) != 1) return false;
    if (name.size() == column.size() + 1 && name.substr(1) == column && name[0] != column[0]) return false;
    if (name.size() != column.size()) return true;  // inserted or dropped
    for (std::size_t i = 0; i + 1 < name.size(); ++i) {
        if (name[i] == column[i]) continue;
        if (name[i] == column[i + 1] && name[i + 1] == column[i]) return true;  // swapped
        break;
    }
    return shorter >= 5;  // one replaced character
}

}  // namespace

std::optional<ColumnLikeness> looks_like_column(std::string_view name, std::span<const std::string> columns) {
    // Every rule needs lengths within one of each other, up to the '_' of
    // rule 1 and the numbers of rule 2: a far longer column (a 100 MB
    // header name) is skipped before any work proportional to its length.
    auto plausible = [&](const std::string& c) { return c != name && c.size() <= 2 * name.size() + 8; };
    for (const std::string& c : columns)
        if (plausible(c) && equal_folded(name, c)) return ColumnLikeness{{c}, false};
    ColumnLikeness family{{}, true};
    for (const std::string& c : columns)
        if (plausible(c) && same_stem_other_number(name, c)) family.columns.push_back(c);
    if (!family.columns.empty()) return family;
    for (const std::string& c : columns)
        if (plausible(c) && one_slip_apart(name, c)) return ColumnLikeness{{c}, false};
    return std::nullopt;
}

std::string describe(const ColumnLikeness& likeness) {
    constexpr std::size_t shown = 4;
    std::string out = likeness.columns.size() == 1 ? "column " : "columns ";
    for (std::size_t i = 0; i < likeness.columns.size() && i < shown; ++i)
        out += (i ? ", '" : "'") + likeness.columns[i] + "'";
    if (likeness.columns.size() > shown) out += ", ...";
    return out;
}

std::optional<std::string> not_a_constant(std::string_view name) {
    if (name == "e") return "write exp(1) for Euler's number";
    if (name == "inf" || name == "Inf" || name == "infinity")
        return "a parameter without an upper (or lower) bound is declared by leaving that bound out, as in "
               "'param s > 0'";
    if (name == "nan" || name == "NaN" || name == "NA")
        return "a missing value belongs in the data file, as an empty field or NA";
    if (name == "TRUE" || name == "FALSE" || name == "true" || name == "false")
        return "write 1 for true and 0 for false";
    return std::nullopt;
}

// R's density functions and families, Stan's other names: each maps to
// one of mlec's distributions (runtime/distributions/list.hpp).
std::optional<ForeignName> foreign_name(std::string_view name) {
    struct Entry {
        std::string_view foreign;
        ForeignName name;
    };
    static constexpr Entry table[] = {
        {"gaussian", {"normal"}},
        {"dnorm", {"normal", true}},
        {"dbinom", {"binomial", true}},
        {"dpois", {"poisson", true}},
        {"dgamma", {"gamma", true}},
        {"dbeta", {"beta", true}},
        {"dexp", {"exponential", true}},
        {"dlnorm", {"lognormal", true}},
        {"dnbinom", {"negbinomial", true}},
        {"dt", {"student_t", true}},
        {"dunif", {"uniform", true}},
        {"dweibull", {"weibull", true}},
        {"dlogis", {"logistic", true}},
        {"dcauchy", {"cauchy", true}},
        {"dgeom", {"geometric", true}},
        {"neg_binomial", {"negbinomial"}},
        {"neg_binomial_2", {"negbinomial"}},
        {"double_exponential", {"laplace"}},
        {"poisson_log_glm", {"poisson_log", false, true}},
        {"normal_id_glm", {"normal", false, true}},
        {"bernoulli_logit_glm", {"bernoulli_logit", false, true}},
        {"neg_binomial_2_log_glm", {"negbinomial", false, true}},
    };
    for (const Entry& e : table)
        if (e.foreign == name) return e.name;
    return std::nullopt;
}

std::string foreign_advice(std::string_view name, const ForeignName& f, bool sampling) {
    const std::string mlec(f.mlec);
    std::string out = "'";
    out.append(name);
    if (f.glm) {
        out.append("' is Stan's; in mlec write the linear predictor out, as in 'y ~ ");
        return out.append(mlec).append("(b0 + b1*x1 + b2*x2, ...)'");
    }
    if (f.r_density && !sampling) {
        const rt::DistributionDef* d = rt::find_distribution(mlec);
        out.append("' is R's; mlec's log density is ").append(mlec).append(d && d->discrete ? "_lpmf" : "_lpdf");
        out.append("(y | ...)");
        return out.append(" (or write 'y ~ ").append(mlec).append("(...)')");
    }
    out.append("' is mlec's '").append(mlec).append("', as in 'y ~ ");
    return out.append(mlec).append("(...)'");
}

}  // namespace mlec::interp
