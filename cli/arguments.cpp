// The command line, read against a table of options: each option says
// whether it takes a value and how it sets the arguments, so that reading
// and checking an option sit together and nothing runs while parsing.
#include "cli/arguments.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <span>

#include "cli/commands.hpp"

namespace mlec::cli {

const char* const usage_text =
    "usage: mlec MODEL.mle DATA.csv [DATA2.csv ...] [options]\n"
    "       mlec compare MODEL1.mle MODEL2.mle [...] DATA.csv [options]\n"
    "       mlec simulate MODEL.mle DATA.csv [DATA2.csv ...] [--seed S] [options]\n"
    "       mlec predict MODEL.mle DATA.csv NEWDATA.csv [options]\n"
    "\n"
    "Fits the model to the data by maximum likelihood and reports the estimates;\n"
    "compare fits several models to the same data and compares them (AIC, AICc,\n"
    "BIC, Akaike weights, likelihood-ratio tests); simulate fits the model and prints\n"
    "the data with new outcomes drawn from the fit, as CSV; predict fits the model and\n"
    "prints, for each row of NEWDATA, the expected outcome (and linear predictor) with\n"
    "delta-method standard errors, as CSV.\n"
    "\n"
    "Several data files are one table, their rows one after another (every file must\n"
    "have the same header); a data argument with *, ? or [ is a pattern (quote it),\n"
    "its files taken in sorted order: mlec model.mle 'data/part-*.csv'.\n"
    "\n"
    "options:\n"
    "  --format text|json        report format (default: text)\n"
    "  --method auto|newton|lbfgs  optimizer (default: auto: Newton up to 50 parameters)\n"
    "  --max-iterations N        iteration limit (default: 3000; L-BFGS uses 10x)\n"
    "  --tolerance X             converged within X standard errors of the maximum\n"
    "                            (Newton decrement <= X^2; default: 1e-8)\n"
    "  --starts N                fit from N starting points: the given start values, then\n"
    "                            random ones (default: 1); the best optimum is reported\n"
    "  --seed S                  seed of the random starts (default: 1)\n"
    "  --fix NAME=VALUE          hold a parameter at VALUE (its own scale), not estimated;\n"
    "                            may be repeated (--fix sigma=1 --fix 'b[2]=0'); with compare\n"
    "                            and one model file: that model against itself with them held\n"
    "  --start NAME=VALUE        start the optimization of a parameter at VALUE, in place of\n"
    "                            the model's start value; may be repeated\n"
    "  --reml                    REML for a normal model: the fixed effects (the parameters\n"
    "                            entering the means linearly) are integrated out with the\n"
    "                            random effects, as lmer's REML = TRUE; for fit only\n"
    "  --na error|drop           a missing value (empty cell or NA) in a column the model\n"
    "                            uses is an error (default), or drops its row\n"
    "  --agq K                   integrate a model's random effects by adaptive Gauss-Hermite\n"
    "                            quadrature, K nodes per level (default 1: the Laplace\n"
    "                            approximation); for random effects on one grouping column\n"
    "  --bootstrap B             parametric bootstrap: B refits of data simulated from the\n"
    "                            fit, percentile intervals (with --seed)\n"
    "  --ci wald|profile         interval method (default: wald); profile re-optimizes\n"
    "                            the other parameters along each one\n"
    "  --output FILE             simulate, predict: write the CSV to FILE, not standard output\n"
    "                            (under mpirun each process writes its own rows into it)\n"
    "  --population              predict with random effects at 0 (the population level),\n"
    "                            not at the fitted levels' modes\n"
    "  --fitted-effects          simulate given the fitted levels' random effects (their\n"
    "                            modes), not new ones drawn for every level\n"
    "  --plot DIR                write SVG plots to DIR: convergence, and the profile\n"
    "                            likelihood of every parameter (implies --ci profile)\n"
    "  --threads N               threads evaluating the likelihood (default: all cores);\n"
    "                            results are identical for every N\n"
    "  --check-gradient          compare the exact gradient with finite differences at the\n"
    "                            start and at the estimate\n"
    "  --trace                   print one line per iteration on stderr\n"
    "  --timing                  print the time of each stage on stderr\n"
#ifdef MLEC_MPI
    "  --mpi-timeout S           under mpirun: seconds a rank waits for the others at one\n"
    "                            exchange before stopping the job (default: 600)\n"
#endif
    "  -h, --help                show this help\n"
    "\n"
    "exit codes: 0 success, 1 usage or file error, 2 model error, 3 data error,\n"
    "            4 the fit did not converge (or no finite maximum exists),\n"
    "            5 the fit found a maximum, but the data do not identify some parameters:\n"
    "              their standard errors are withheld (the report names the flat\n"
    "              direction; fix the model, add data or a bound)\n";

namespace {

bool parse_number(const char* text, double& out) {
    char* end = nullptr;
    out = std::strtod(text, &end);
    return end != text && *end == '\0';
}

// A whole number in [lo, hi] from an option's value (nullptr: missing).
std::optional<double> whole_number(const char* text, double lo, double hi) {
    double n = 0;
    if (!text || !parse_number(text, n) || n < lo || n > hi || n != std::floor(n)) return std::nullopt;
    return n;
}

std::optional<double> positive_number(const char* text) {
    double t = 0;
    if (!text || !parse_number(text, t) || !(t > 0) || !std::isfinite(t)) return std::nullopt;
    return t;
}

bool is(const char* v, const char* word) { return v && std::strcmp(v, word) == 0; }

using Error = std::optional<std::string>;

// One option: its name, whether a value follows it, and how it sets the
// arguments (`value` is nullptr when the line ends where it was expected).
struct Option {
    const char* name;
    bool takes_value;
    Error (*apply)(Arguments& a, const char* value);
};

Error set_format(Arguments& a, const char* v) {
    if (!is(v, "text") && !is(v, "json")) return "--format takes 'text' or 'json'";
    a.json = is(v, "json");
    return {};
}

Error set_method(Arguments& a, const char* v) {
    if (!v) return "--method takes 'auto', 'newton' or 'lbfgs'";
    if (is(v, "auto")) a.fit.method = Method::automatic;
    else if (is(v, "newton")) a.fit.method = Method::newton;
    else if (is(v, "lbfgs")) a.fit.method = Method::lbfgs;
    else return "--method takes 'auto', 'newton' or 'lbfgs', not '" + std::string(v) + "'";
    return {};
}

Error set_max_iterations(Arguments& a, const char* v) {
    const auto n = whole_number(v, 1, 1e9);
    if (!n) return "--max-iterations takes a positive whole number";
    a.fit.max_iterations = static_cast<int>(*n);
    return {};
}

Error set_tolerance(Arguments& a, const char* v) {
    const auto t = positive_number(v);
    if (!t) return "--tolerance takes a positive number";
    a.fit.tolerance = *t;
    return {};
}

Error set_starts(Arguments& a, const char* v) {
    const auto n = whole_number(v, 1, 1e6);
    if (!n) return "--starts takes a positive whole number";
    a.fit.starts = static_cast<int>(*n);
    return {};
}

Error set_seed(Arguments& a, const char* v) {
    const auto n = whole_number(v, 0, 9007199254740992.0);  // 2^53: every whole number below is a double
    if (!n) return "--seed takes a non-negative whole number";
    a.fit.seed = static_cast<std::uint64_t>(*n);
    return {};
}

// NAME=VALUE of --fix and --start (`option`), the value a number; the
// library checks the name and the value against the model.
Error add_parameter_value(std::vector<ParameterValue>& to, const char* option, const char* v) {
    const std::string usage = std::string(option) + " takes NAME=VALUE, as " + option + " sigma=1";
    if (!v) return usage;
    const std::string text = v;
    const std::size_t equals = text.rfind('=');
    if (equals == std::string::npos || equals == 0) return usage + ", not '" + text + "'";
    double value = 0;
    const std::string number = text.substr(equals + 1);
    if (!parse_number(number.c_str(), value))
        return std::string(option) + " " + text + ": '" + number + "' is not a number";
    to.push_back(ParameterValue{text.substr(0, equals), value});
    return {};
}

Error set_fix(Arguments& a, const char* v) { return add_parameter_value(a.fit.fixed, "--fix", v); }
Error set_start(Arguments& a, const char* v) { return add_parameter_value(a.fit.start, "--start", v); }

Error set_na(Arguments& a, const char* v) {
    if (!is(v, "error") && !is(v, "drop")) return "--na takes 'error' or 'drop'";
    a.bind.drop_missing = is(v, "drop");
    return {};
}

Error set_ci(Arguments& a, const char* v) {
    if (!is(v, "wald") && !is(v, "profile")) return "--ci takes 'wald' or 'profile'";
    a.fit.ci = is(v, "profile") ? CiMethod::profile : CiMethod::wald;
    return {};
}

Error set_bootstrap(Arguments& a, const char* v) {
    const auto n = whole_number(v, 0, 1e7);
    if (!n) return "--bootstrap takes a whole number of replicates";
    a.fit.bootstrap = static_cast<int>(*n);
    return {};
}

Error set_output(Arguments& a, const char* v) {
    if (!v) return "--output takes a file name";
    a.output_path = v;
    return {};
}

Error set_plot(Arguments& a, const char* v) {
    if (!v) return "--plot takes a directory";
    a.plot_dir = v;
    a.fit.ci = CiMethod::profile;  // the profile plots need the profiles
    return {};
}

Error set_threads(Arguments& a, const char* v) {
    const auto n = whole_number(v, 1, 1024);
    if (!n) return "--threads takes a positive whole number";
    a.bind.threads = static_cast<int>(*n);
    return {};
}

// (The most nodes binding accepts is the library's to say: BindOptions::agq_nodes.)
Error set_agq(Arguments& a, const char* v) {
    const auto n = whole_number(v, 1, 1e6);
    if (!n) return "--agq takes a positive whole number of nodes per level";
    a.bind.agq_nodes = static_cast<int>(*n);
    return {};
}

#ifdef MLEC_MPI
Error set_mpi_timeout(Arguments& a, const char* v) {
    const auto t = positive_number(v);
    if (!t) return "--mpi-timeout takes a positive number of seconds";
    a.mpi_timeout = *t;
    return {};
}
#endif

constexpr Option options[] = {
    {"--format", true, set_format},
    {"--method", true, set_method},
    {"--max-iterations", true, set_max_iterations},
    {"--tolerance", true, set_tolerance},
    {"--starts", true, set_starts},
    {"--seed", true, set_seed},
    {"--fix", true, set_fix},
    {"--start", true, set_start},
    {"--na", true, set_na},
    {"--ci", true, set_ci},
    {"--bootstrap", true, set_bootstrap},
    {"--output", true, set_output},
    {"--plot", true, set_plot},
    {"--threads", true, set_threads},
    {"--agq", true, set_agq},
    {"--check-gradient", false,
     [](Arguments& a, const char*) -> Error {
         a.fit.check_gradient = true;
         return {};
     }},
    {"--population", false,
     [](Arguments& a, const char*) -> Error {
         a.predict.population = true;
         return {};
     }},
    {"--fitted-effects", false,
     [](Arguments& a, const char*) -> Error {
         a.simulate.fitted_effects = true;
         return {};
     }},
    {"--reml", false,
     [](Arguments& a, const char*) -> Error {
         a.bind.reml = true;
         return {};
     }},
    {"--trace", false,
     [](Arguments& a, const char*) -> Error {
         a.trace = true;
         return {};
     }},
    {"--timing", false,
     [](Arguments& a, const char*) -> Error {
         a.timing = true;
         return {};
     }},
#ifdef MLEC_MPI
    // Under mpirun only: a build without MPI does not know the option.
    {"--mpi-timeout", true, set_mpi_timeout},
#endif
};

const Option* find_option(std::string_view name) {
    for (const Option& o : options)
        if (name == o.name) return &o;
    return nullptr;
}

CommandLine usage_error(std::string message) { return CommandLine{std::nullopt, false, std::move(message)}; }

// The command after the options: its keyword, the checks that need the
// whole line, and its files.
CommandLine take_command(Arguments a, std::vector<std::string> positional) {
    const Command* keyword = positional.empty() ? nullptr : find_command(positional.front());
    if (keyword) positional.erase(positional.begin());
    const Command& c = keyword ? *keyword : command(CommandKind::fit);
    a.command = c.kind;
    if (!a.output_path.empty() && !c.writes_csv)
        return usage_error("--output is for simulate and predict (a report goes to standard output)");
    if (a.predict.population && c.kind != CommandKind::predict) return usage_error("--population is for predict");
    if (a.simulate.fitted_effects && c.kind != CommandKind::simulate)
        return usage_error("--fitted-effects is for simulate");
    if (a.bind.reml && c.kind == CommandKind::compare)
        return usage_error(
            "--reml is not for compare: REML likelihoods of models with different fixed effects are not comparable; "
            "compare fits by maximum likelihood (as lme4's anova refits them)");
    if (a.bind.reml && c.writes_csv)
        return usage_error("--reml is for fit: " + std::string(c.keyword) +
                           " needs the fixed effects as parameters (fit by maximum likelihood)");
    if (a.json && c.writes_csv)
        return usage_error("--format json is not available for " + std::string(c.keyword) + ": it writes CSV");
    if (Error why = c.take_files(std::move(positional), a)) return usage_error(std::move(*why));
    return CommandLine{std::move(a), false, ""};
}

}  // namespace

CommandLine parse_command_line(int argc, char** argv) {
    Arguments a;
    std::vector<std::string> positional;
    const std::span<char*> words(argv + 1, static_cast<std::size_t>(argc > 0 ? argc - 1 : 0));
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string arg = words[i];
        if (arg == "-h" || arg == "--help") return CommandLine{std::nullopt, true, ""};
        if (const Option* o = find_option(arg)) {
            const char* value = nullptr;
            if (o->takes_value && i + 1 < words.size()) value = words[++i];
            if (Error why = o->apply(a, value)) return usage_error(std::move(*why));
        } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
            return usage_error("unknown option '" + arg + "'");
        } else {
            positional.push_back(arg);
        }
    }
    return take_command(std::move(a), std::move(positional));
}

double mpi_timeout_option(int argc, char** argv, double fallback) {
    double timeout = fallback;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--mpi-timeout") == 0)
            if (const auto t = positive_number(argv[i + 1])) timeout = *t;
    return timeout;
}

}  // namespace mlec::cli
