// What the fuzz targets that take a model text (fuzz_model, fuzz_fit) do
// with one input, shared with tests/test_fuzz_corpus.cpp, which replays
// their corpora in the ordinary builds: the small fixed table every model is
// bound to, one evaluation at the start values, and the whole fit with its
// reports and the checks on them. The input's size chooses between
// variants (missing values dropped or not, the fit's options), so that the
// fuzzer reaches each of them and an input always does the same.
#pragma once

#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "mlec/mlec.hpp"

namespace mlec::fuzz {

// Every kind of column a model may ask for: real covariates (x, z), an
// outcome that suits normal, bernoulli and poisson alike (y), counts and
// trial numbers (k, n), a positive value (t), a proportion (p), and text
// and integer group columns (g, h).
inline constexpr const char* table_csv =
    "x,z,y,k,n,t,p,g,h\n"
    "0.5,1.5,1,3,5,0.7,0.2,a,1\n"
    "-1.2,0.3,0,1,4,2.5,0.9,b,2\n"
    "2.0,-0.7,1,4,6,1.1,0.5,a,3\n"
    "0.1,2.2,0,0,3,0.2,0.4,c,1\n"
    "-0.4,-1.9,1,2,2,3.4,0.6,b,2\n"
    "1.3,0.8,0,5,7,0.9,0.1,c,3\n";

inline const Data& table() {
    static const Data data = [] {
        Diagnostics ds;
        return std::move(*Data::from_csv_text(table_csv, "table.csv", ds));
    }();
    return data;
}

// `model` bound to the table on one thread (the Problem keeps a pointer to
// the Model, which must outlive it).
inline std::optional<Problem> bind_to_table(const Model& model, Diagnostics& ds, bool drop_missing) {
    BindOptions options;
    options.threads = 1;
    options.drop_missing = drop_missing;
    return Problem::bind(model, table(), ds, options);
}

// `text` parsed as a model and passed, if it binds, to use(problem). The
// messages are formatted either way: formatting must cope with whatever
// position and line came back.
template <class Use>
void with_problem(std::string_view text, Use use) {
    Diagnostics ds;
    if (auto model = Model::from_text(std::string(text), "fuzz.mle", ds)) {
        if (auto problem = bind_to_table(*model, ds, text.size() % 2 == 1)) use(*problem);
    }
    (void)format(ds);
}

// fuzz_model: the NLL with its derivatives, once, at the start values.
inline void evaluate_at_start(const Problem& problem) {
    const Eigen::VectorXd theta = problem.start();
    Eigen::VectorXd gradient(theta.size());
    (void)problem.nll(theta);
    // The Hessian is dimension^2: only for the sizes Newton's method uses.
    if (problem.dimension() <= 50) {
        Eigen::MatrixXd hessian(theta.size(), theta.size());
        (void)problem.nll_gradient_hessian(theta, gradient, hessian);
    } else if (problem.dimension() <= 100000) {
        (void)problem.nll_gradient(theta, gradient);
    }
    (void)problem.to_user_scale(theta);
    (void)format(problem.warnings());
}

// fuzz_model's work on one input; whether it bound.
inline bool evaluate_input(std::string_view text) {
    bool bound = false;
    with_problem(text, [&](const Problem& problem) {
        evaluate_at_start(problem);
        bound = true;
    });
    return bound;
}

// ---- fuzz_fit -------------------------------------------------------------

// Larger models are skipped, so that an input takes well under a second
// (fuzz_model evaluates them). The cost of a fit grows fast with its
// dimension where the likelihood is flat: the fit walks out of every flat
// direction (up to 20 points, each with a Hessian and its eigenvalues, and
// an optimization from any that is lower), and fuzzed models, full of
// names taken as parameters, are mostly flat. With 19 parameters one input
// took 12 s in the fuzz build.
inline constexpr int max_fit_dimension = 10;

// The options of one fit, chosen by `variant` (any number, taken from the
// input) so that the fuzzer reaches every stage: Wald intervals; profile
// intervals; a parametric bootstrap of three replicates with gradient
// checks; two starts with L-BFGS. At most 20 Newton iterations (200 for
// L-BFGS) per optimization. Profiles, refits and extra starts multiply the
// optimizations, so they are for small models only; larger ones get Wald
// intervals. A fit also walks out of every flat direction it meets, one
// optimization each, so the fit is cancelled after 300 iterations in all
// (a count, not a time, so that an input always does the same).
inline FitOptions fit_options(int dimension, std::size_t variant) {
    FitOptions options;
    options.max_iterations = 20;
    options.on_iteration = [iterations = 0](const IterationInfo&) mutable { return ++iterations <= 300; };
    switch (variant % 4) {
        case 1:
            if (dimension <= 2) options.ci = CiMethod::profile;
            break;
        case 2:
            if (dimension <= 5) options.bootstrap = 3;
            options.check_gradient = true;
            break;
        case 3:
            if (dimension <= 5) options.starts = 2;
            options.method = Method::lbfgs;
            break;
        default: break;
    }
    return options;
}

namespace detail {

// Whether `text` is one JSON value (RFC 8259) and nothing else. Numbers
// follow JSON's grammar, so nan, inf and the like are not numbers (the
// report writes null for them). Strings are not checked for UTF-8.
class JsonChecker {
public:
    explicit JsonChecker(std::string_view text) : s_(text) {}
    bool document() { return value(0) && (skip(), i_ == s_.size()); }

private:
    std::string_view s_;
    std::size_t i_ = 0;

    bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
    bool at_digit() const { return i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; }
    void skip() {
        while (at(' ') || at('\n') || at('\r') || at('\t')) ++i_;
    }
    bool eat(char c) {
        skip();
        if (!at(c)) return false;
        ++i_;
        return true;
    }
    bool word(std::string_view w) {
        if (s_.substr(i_, w.size()) != w) return false;
        i_ += w.size();
        return true;
    }
    bool value(int depth) {
        skip();
        if (depth > 64 || i_ >= s_.size()) return false;
        switch (s_[i_]) {
            case '{': return object(depth);
            case '[': return array(depth);
            case '"': return string();
            case 't': return word("true");
            case 'f': return word("false");
            case 'n': return word("null");
            default: return number();
        }
    }
    bool object(int depth) {
        ++i_;
        if (eat('}')) return true;
        do {
            skip();
            if (!string() || !eat(':') || !value(depth + 1)) return false;
        } while (eat(','));
        return eat('}');
    }
    bool array(int depth) {
        ++i_;
        if (eat(']')) return true;
        do {
            if (!value(depth + 1)) return false;
        } while (eat(','));
        return eat(']');
    }
    bool string() {
        if (!at('"')) return false;
        ++i_;
        while (i_ < s_.size()) {
            const auto c = static_cast<unsigned char>(s_[i_++]);
            if (c == '"') return true;
            if (c < 0x20) return false;
            if (c != '\\') continue;
            if (i_ >= s_.size()) return false;
            const char e = s_[i_++];
            if (e == 'u') {
                for (int k = 0; k < 4; ++k, ++i_) {
                    if (i_ >= s_.size() ||
                        std::string_view("0123456789abcdefABCDEF").find(s_[i_]) == std::string_view::npos)
                        return false;
                }
            } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
                return false;
            }
        }
        return false;
    }
    bool digits() {
        const std::size_t start = i_;
        while (at_digit()) ++i_;
        return i_ > start;
    }
    bool number() {
        if (at('-')) ++i_;
        if (at('0')) {
            ++i_;
        } else if (!digits()) {
            return false;
        }
        if (at('.')) {
            ++i_;
            if (!digits()) return false;
        }
        if (at('e') || at('E')) {
            ++i_;
            if (at('+') || at('-')) ++i_;
            if (!digits()) return false;
        }
        return true;
    }
};

}  // namespace detail

// The whole fit and everything made from it: the text and JSON reports and
// the plots. "" when the results keep their documented promises, else which
// one they broke:
//   - the exit code is 0, 4 or 5 (mlec::exit_code);
//   - the JSON report is well-formed JSON (a missing number is null, never
//     NaN or inf);
//   - a converged fit has a finite log-likelihood and a finite estimate
//     and standard error for every parameter.
inline std::string fit_and_check(const Problem& problem, const FitOptions& options) {
    const FitResult result = fit(problem, options);
    (void)text_report(result);
    (void)plot_files(result);
    const int code = exit_code(result);
    if (code != 0 && code != 4 && code != 5) return "exit code " + std::to_string(code);
    const std::string json = json_report(result);
    if (!detail::JsonChecker(json).document()) return "the JSON report is not well-formed JSON:\n" + json;
    if (result.status == FitStatus::converged) {
        if (!std::isfinite(result.log_likelihood)) return "converged with a non-finite log-likelihood";
        for (const ParameterEstimate& e : result.parameters) {
            if (!std::isfinite(e.estimate) || !e.std_error || !std::isfinite(*e.std_error))
                return "converged without a finite estimate and standard error for " + e.name;
        }
    }
    return "";
}

// fuzz_fit's work on one input: what fit_and_check found broken ("" when
// nothing, or when the input is no model of at most max_fit_dimension
// parameters that binds). `fitted` tells whether it was fitted.
inline std::string fit_input(std::string_view text, bool& fitted) {
    std::string broken;
    fitted = false;
    with_problem(text, [&](const Problem& problem) {
        if (problem.dimension() > max_fit_dimension) return;
        broken = fit_and_check(problem, fit_options(problem.dimension(), text.size() / 2));
        fitted = true;
    });
    return broken;
}

}  // namespace mlec::fuzz
