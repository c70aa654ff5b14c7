// The mlec command: parse arguments, call the public library, print, and
// choose the exit code. Everything else lives in the library.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <glob.h>
#include <iostream>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#include "mlec/diagnostic.hpp"
#include "mlec/exit_codes.h"
#include "mlec/mlec.hpp"
#ifdef MLEC_MPI
#include "mlec/distributed.hpp"
#endif

namespace {

// Exit codes (mlec/exit_codes.h, the one table): a script can tell what
// went wrong without parsing the messages. An error's code follows its
// category (mlec::exit_code): 2 model, 3 data.
constexpr int exit_ok = MLEC_OK;
constexpr int exit_usage = MLEC_ERROR_USAGE;
constexpr int exit_not_converged = MLEC_ERROR_FIT;

constexpr const char* usage_text =
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
    "  --na error|drop           a missing value (empty cell or NA) in a column the model\n"
    "                            uses is an error (default), or drops its row\n"
    "  --bootstrap B             parametric bootstrap: B refits of data simulated from the\n"
    "                            fit, percentile intervals (with --seed)\n"
    "  --ci wald|profile         interval method (default: wald); profile re-optimizes\n"
    "                            the other parameters along each one\n"
    "  --output FILE             simulate, predict: write the CSV to FILE, not standard output\n"
    "                            (under mpirun each process writes its own rows into it)\n"
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

// Where the run's messages go: only rank 0 of a distributed run prints
// (every rank has the same diagnostics and results).
struct Output {
    bool speaks = true;
    std::ostream& out() { return speaks ? std::cout : null_; }
    std::ostream& err() { return speaks ? std::cerr : null_; }
    std::ostream null_{nullptr};
};
Output io;

int usage_error(const std::string& message) {
    io.err() << "mlec: error: " << message << "\n\n" << usage_text;
    return exit_usage;
}

int exit_code_for(const mlec::Diagnostics& ds) { return mlec::exit_code(ds); }

// simulate and predict refuse a fit without an estimate to work from (a fit
// error): the exit code is then the fit's own (4, or 5 without standard
// errors). Any other refusal (a model that cannot be simulated: 2; bad new
// data: 3) has its own category's code.
int refusal_exit_code(const mlec::Diagnostics& ds, const mlec::FitResult& fit) {
    const int code = exit_code_for(ds);
    return code == exit_not_converged && mlec::exit_code(fit) != exit_ok ? mlec::exit_code(fit) : code;
}

// The files that data arguments name: a path as given, or for an argument
// with a wildcard (*, ? or [) the files glob() matches, sorted (glob's own
// order), so that a quoted pattern works as the shell's would. A pattern
// that matches nothing but names a file as written is that file. The first
// element is an error ("" when none), the rest the files: one list of
// strings, for rank 0 to send to the others under MPI.
std::vector<std::string> expand_data_arguments(const std::vector<std::string>& arguments) {
    std::vector<std::string> out{""};
    for (const std::string& arg : arguments) {
        // A file of exactly that name is that file, wildcards or not.
        std::error_code exists_ec;
        if (arg.find_first_of("*?[") == std::string::npos || std::filesystem::exists(arg, exists_ec)) {
            out.push_back(arg);
            continue;
        }
        glob_t matches{};
        const int rc = glob(arg.c_str(), 0, nullptr, &matches);
        if (rc == 0)
            for (std::size_t k = 0; k < matches.gl_pathc; ++k) out.emplace_back(matches.gl_pathv[k]);
        globfree(&matches);
        if (rc == 0) continue;
        std::error_code ec;
        if (rc == GLOB_NOMATCH && std::filesystem::is_regular_file(arg, ec)) {
            out.push_back(arg);
            continue;
        }
        return {rc == GLOB_NOMATCH ? "no file matches '" + arg + "'" : "cannot list the files of '" + arg + "'"};
    }
    return out;
}

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

#ifdef MLEC_MPI
// Started by mpirun (Open MPI sets OMPI_COMM_WORLD_SIZE, PMIx launchers
// PMIX_RANK)? Then the run is distributed; otherwise MPI is never started,
// so a plain run costs nothing extra.
bool launched_by_mpirun() {
    return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr ||
           std::getenv("PMI_RANK") != nullptr;
}
#else
struct Cluster;  // (never made without MPI)
#endif

#ifdef MLEC_MPI
using ClusterPtr = mlec::Cluster*;
#else
using ClusterPtr = Cluster*;
#endif

int run(int argc, char** argv, [[maybe_unused]] ClusterPtr cluster, [[maybe_unused]] double& mpi_timeout) {
    std::string format = "text";
    std::vector<std::string> positional;
    bool trace = false;
    bool timing = false;
    std::string plot_dir;
    std::string output_path;  // simulate, predict: the CSV's file (default: standard output)
    mlec::FitOptions options;
    mlec::BindOptions bind_options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        // The value after an option, or nullptr at the end of the line.
        auto value = [&](const char*) -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (arg == "-h" || arg == "--help") {
            io.out() << usage_text;
            return exit_ok;
        } else if (arg == "--format") {
            const char* v = value("--format");
            if (!v || (std::strcmp(v, "text") != 0 && std::strcmp(v, "json") != 0))
                return usage_error("--format takes 'text' or 'json'");
            format = v;
        } else if (arg == "--method") {
            const char* v = value("--method");
            if (!v) return usage_error("--method takes 'auto', 'newton' or 'lbfgs'");
            const std::string m = v;
            if (m == "auto") options.method = mlec::Method::automatic;
            else if (m == "newton") options.method = mlec::Method::newton;
            else if (m == "lbfgs") options.method = mlec::Method::lbfgs;
            else return usage_error("--method takes 'auto', 'newton' or 'lbfgs', not '" + m + "'");
        } else if (arg == "--max-iterations") {
            const auto n = whole_number(value("--max-iterations"), 1, 1e9);
            if (!n) return usage_error("--max-iterations takes a positive whole number");
            options.max_iterations = static_cast<int>(*n);
        } else if (arg == "--tolerance") {
            const char* v = value("--tolerance");
            double t = 0;
            if (!v || !parse_number(v, t) || !(t > 0) || !std::isfinite(t))
                return usage_error("--tolerance takes a positive number");
            options.tolerance = t;
        } else if (arg == "--starts") {
            const auto n = whole_number(value("--starts"), 1, 1e6);
            if (!n) return usage_error("--starts takes a positive whole number");
            options.starts = static_cast<int>(*n);
        } else if (arg == "--seed") {
            const auto n = whole_number(value("--seed"), 0, 9007199254740992.0);
            if (!n) return usage_error("--seed takes a non-negative whole number");
            options.seed = static_cast<std::uint64_t>(*n);
        } else if (arg == "--na") {
            const char* v = value("--na");
            if (!v || (std::strcmp(v, "error") != 0 && std::strcmp(v, "drop") != 0))
                return usage_error("--na takes 'error' or 'drop'");
            bind_options.drop_missing = std::strcmp(v, "drop") == 0;
        } else if (arg == "--ci") {
            const char* v = value("--ci");
            if (!v || (std::strcmp(v, "wald") != 0 && std::strcmp(v, "profile") != 0))
                return usage_error("--ci takes 'wald' or 'profile'");
            options.ci = std::strcmp(v, "profile") == 0 ? mlec::CiMethod::profile : mlec::CiMethod::wald;
        } else if (arg == "--bootstrap") {
            const auto n = whole_number(value("--bootstrap"), 0, 1e7);
            if (!n) return usage_error("--bootstrap takes a whole number of replicates");
            options.bootstrap = static_cast<int>(*n);
        } else if (arg == "--output") {
            const char* v = value("--output");
            if (!v) return usage_error("--output takes a file name");
            output_path = v;
        } else if (arg == "--plot") {
            const char* v = value("--plot");
            if (!v) return usage_error("--plot takes a directory");
            plot_dir = v;
            options.ci = mlec::CiMethod::profile;  // the profile plots need the profiles
        } else if (arg == "--threads") {
            const auto n = whole_number(value("--threads"), 1, 1024);
            if (!n) return usage_error("--threads takes a positive whole number");
            bind_options.threads = static_cast<int>(*n);
        } else if (arg == "--check-gradient") {
            options.check_gradient = true;
        } else if (arg == "--trace") {
            trace = true;
        } else if (arg == "--timing") {
            timing = true;
#ifdef MLEC_MPI
        } else if (arg == "--mpi-timeout") {
            const char* v = value("--mpi-timeout");
            double t = 0;
            if (!v || !parse_number(v, t) || !(t > 0) || !std::isfinite(t))
                return usage_error("--mpi-timeout takes a positive number of seconds");
            mpi_timeout = t;
#endif
        } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
            return usage_error("unknown option '" + arg + "'");
        } else {
            positional.push_back(arg);
        }
    }
    const bool comparing = !positional.empty() && positional.front() == "compare";
    const bool simulating = !positional.empty() && positional.front() == "simulate";
    const bool predicting = !positional.empty() && positional.front() == "predict";
    if (comparing || simulating || predicting) positional.erase(positional.begin());
    if (!output_path.empty() && !simulating && !predicting)
        return usage_error("--output is for simulate and predict (a report goes to standard output)");
    if (format == "json" && (simulating || predicting))
        return usage_error(std::string("--format json is not available for ") + (simulating ? "simulate" : "predict") +
                           ": it writes CSV");
    if (comparing ? positional.size() < 3 : predicting ? positional.size() != 3 : positional.size() < 2)
        return usage_error(comparing    ? "compare needs at least two model files and a data file"
                           : predicting ? "predict needs a model file, its data file and a file of new rows"
                                        : "a model file and a data file are needed");
    // Models, then data: compare's last argument; predict's second (and
    // third, the new rows); otherwise every argument after the model.
    std::vector<std::string> data_arguments, newdata_arguments;
    if (predicting) {
        newdata_arguments.push_back(positional.back());
        positional.pop_back();
    }
    const std::size_t models = comparing || predicting ? positional.size() - 1 : 1;
    data_arguments.assign(positional.begin() + static_cast<std::ptrdiff_t>(models), positional.end());
    positional.resize(models);
    // Patterns are matched by rank 0 alone under MPI: every rank must read
    // the same list of files, whatever each machine sees.
    auto expand = [&](const std::vector<std::string>& arguments) {
        std::vector<std::string> files = expand_data_arguments(arguments);
#ifdef MLEC_MPI
        if (cluster) files = cluster->share_from_rank_0(files);
#endif
        return files;
    };
    std::vector<std::string> data_paths = expand(data_arguments);
    std::vector<std::string> newdata_paths = predicting ? expand(newdata_arguments) : std::vector<std::string>{""};
    for (const auto* files : {&data_paths, &newdata_paths}) {
        if (files->empty()) return usage_error("no data files");
        if (!files->front().empty()) return usage_error(files->front());
    }
    data_paths.erase(data_paths.begin());
    newdata_paths.erase(newdata_paths.begin());

    // One line per iteration with --trace; otherwise a progress line when a
    // fit runs longer than a second and stderr is a terminal.
    const auto started = std::chrono::steady_clock::now();
    const bool terminal = isatty(STDERR_FILENO) != 0;
    bool progress_shown = false;
    options.on_iteration = [&](const mlec::IterationInfo& it) {
        if (trace) {
            if (io.speaks) std::fprintf(stderr, "iteration %4d  NLL %.10g  gradient %.3g  step %.3g\n", it.iteration, it.nll,
                         it.gradient_norm, it.step);
        } else if (terminal &&
                   std::chrono::steady_clock::now() - started > std::chrono::seconds(1)) {
            if (io.speaks) std::fprintf(stderr, "\rfitting: iteration %d, NLL %.10g   ", it.iteration, it.nll);
            progress_shown = true;
        }
        return true;
    };
    options.on_bootstrap = [&](int done, int total) {
        if (terminal && std::chrono::steady_clock::now() - started > std::chrono::seconds(1)) {
            if (io.speaks) std::fprintf(stderr, "\rbootstrap: %d of %d refits   ", done, total);
            progress_shown = true;
        }
    };
    options.on_profile = [&](int done, int total) {
        if (terminal && std::chrono::steady_clock::now() - started > std::chrono::seconds(1)) {
            if (io.speaks) std::fprintf(stderr, "\rprofile: %d of %d quantities   ", done, total);
            progress_shown = true;
        }
    };
    auto end_progress = [&] {
        if (progress_shown && io.speaks) std::fprintf(stderr, "\r%60s\r", "");
        progress_shown = false;
    };

    // --timing: the stages of the run, for the speed benchmark (bench/).
    using Clock = std::chrono::steady_clock;
    auto seconds = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); };
    double model_s = 0, data_s = 0, fit_s = 0;

    // Distributed (under mpirun): each rank reads its part of the data, rank
    // 0 the model, and rows made per rank are printed in rank order.
    // Several files: shards of one table, each read whole (on its own
    // rank under MPI); one file: its byte ranges, one per rank.
    auto load_data = [&](const std::vector<std::string>& paths,
                         mlec::Diagnostics& ds) -> std::optional<mlec::Data> {
#ifdef MLEC_MPI
        if (cluster) return paths.size() == 1 ? cluster->load_csv(paths[0], ds) : cluster->load_csv_shards(paths, ds);
#endif
        return paths.size() == 1 ? mlec::Data::from_csv_file(paths[0], ds) : mlec::Data::from_csv_files(paths, ds);
    };
    auto load_model = [&](const std::string& path, mlec::Diagnostics& ds) -> std::optional<mlec::Model> {
#ifdef MLEC_MPI
        if (cluster) return cluster->load_model(path, ds);
#endif
        return mlec::Model::from_file(path, ds);
    };
    // Rows made per rank: into --output FILE, each rank writing its own at
    // its offset; or to standard output, rank 0 printing each rank's in turn.
    auto print_rows = [&](const std::string& text) -> int {
#ifdef MLEC_MPI
        if (cluster && !output_path.empty()) {
            mlec::Diagnostics ds;
            if (cluster->write_file_in_rank_order(output_path, text, ds)) return exit_ok;
            io.err() << mlec::format(ds);
            return exit_usage;
        }
        if (cluster) {
            cluster->write_in_rank_order(text, [](std::string_view piece) { std::cout << piece; });
            std::cout << std::flush;
            return exit_ok;
        }
#endif
        if (output_path.empty()) {
            io.out() << text;
            return exit_ok;
        }
        std::ofstream out(output_path, std::ios::binary | std::ios::trunc);
        out << text;
        if (out.flush()) return exit_ok;
        io.err() << "mlec: error: cannot write " << output_path << "\n";
        return exit_usage;
    };

    mlec::Diagnostics diagnostics;
    auto t = Clock::now();
    auto data = load_data(data_paths, diagnostics);
    data_s += seconds(t, Clock::now());
    if (!data) {
        io.err() << mlec::format(diagnostics);
        return exit_code_for(diagnostics);
    }
    std::vector<mlec::FitResult> fits;
    std::vector<std::vector<std::string>> outcomes;  // of each model, for compare
    for (const std::string& model_path : positional) {
        t = Clock::now();
        auto model = load_model(model_path, diagnostics);
        model_s += seconds(t, Clock::now());
        if (!model) {
            io.err() << mlec::format(diagnostics);
            return exit_code_for(diagnostics);
        }
        t = Clock::now();
        auto problem = mlec::Problem::bind(*model, *data, diagnostics, bind_options);
        data_s += seconds(t, Clock::now());
        if (!problem) {
            io.err() << mlec::format(diagnostics);
            return exit_code_for(diagnostics);
        }
        io.err() << mlec::format(problem->warnings());
        t = Clock::now();
        fits.push_back(mlec::fit(*problem, options));
        fit_s += seconds(t, Clock::now());
        end_progress();
        if (predicting) {
            auto newdata = load_data(newdata_paths, diagnostics);
            if (!newdata) {
                io.err() << mlec::format(diagnostics);
                return exit_code_for(diagnostics);
            }
            auto csv = mlec::predict_csv(*problem, fits.back(), *newdata, diagnostics);
            if (!csv) {
                io.err() << mlec::format(diagnostics);
                return refusal_exit_code(diagnostics, fits.back());
            }
            return print_rows(*csv);
        }
        if (simulating) {
            auto csv = mlec::simulate_csv(*problem, fits.back(), options.seed, diagnostics);
            if (!csv) {
                io.err() << mlec::format(diagnostics);
                return refusal_exit_code(diagnostics, fits.back());
            }
            return print_rows(*csv);
        }
        outcomes.push_back(problem->outcomes());
    }
    if (comparing) {
        auto comparison = mlec::compare(fits, outcomes, diagnostics);
        if (!comparison) {
            io.err() << mlec::format(diagnostics);
            return exit_code_for(diagnostics);
        }
        io.out() << (format == "json" ? mlec::json_report(*comparison) : mlec::text_report(*comparison));
        // The worst of the fits': a model without a maximum (4) outweighs one
        // without some standard errors (5), which outweighs success (0).
        auto severity = [](int code) { return code == exit_not_converged ? 2 : code == exit_ok ? 0 : 1; };
        int code = exit_ok;
        for (const auto& f : fits)
            if (severity(mlec::exit_code(f)) > severity(code)) code = mlec::exit_code(f);
        return code;
    }
    const mlec::FitResult& result = fits.front();
    t = Clock::now();
    io.out() << (format == "json" ? mlec::json_report(result) : mlec::text_report(result)) << std::flush;
    if (timing) {
        // "data" is mapping the file, reading the header, parsing the columns
        // the model uses and checking them (Data::from_csv_file + bind).
        double mb = 0;
        for (const std::string& path : data_paths) {
            std::error_code ec;
            const auto bytes = std::filesystem::file_size(path, ec);
            mb += ec ? 0.0 : static_cast<double>(bytes) / 1e6;
        }
        if (io.speaks) std::fprintf(stderr,
                     "timing: model %.4f s, data %.4f s (%.1f MB, %.0f MB/s), fit %.4f s, report %.4f s, "
                     "total %.4f s\n",
                     model_s, data_s, mb, data_s > 0 ? mb / data_s : 0.0, fit_s, seconds(t, Clock::now()),
                     seconds(started, Clock::now()));
    }
    if (!plot_dir.empty() && io.speaks) {
        std::error_code ec;
        std::filesystem::create_directories(plot_dir, ec);
        for (const auto& [name, svg] : mlec::plot_files(result)) {
            const std::filesystem::path path = std::filesystem::path(plot_dir) / name;
            std::ofstream out(path, std::ios::binary);
            out << svg;
            if (!out) {
                io.err() << "mlec: error: cannot write " << path.string() << "\n";
                return exit_usage;
            }
        }
    }
    return mlec::exit_code(result);
}

}  // namespace

int main(int argc, char** argv) {
    double mpi_timeout = 600;
#ifdef MLEC_MPI
    if (launched_by_mpirun()) {
        // Only the main thread calls MPI; the evaluator's worker threads
        // never do.
        int provided = 0;
        MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
        int code = exit_usage;
        try {
            // The timeout option is read by a first pass of the parser below.
            for (int i = 1; i + 1 < argc; ++i)
                if (std::strcmp(argv[i], "--mpi-timeout") == 0) {
                    double t = 0;
                    if (parse_number(argv[i + 1], t) && t > 0 && std::isfinite(t)) mpi_timeout = t;
                }
            mlec::Cluster cluster(MPI_COMM_WORLD, mlec::ClusterOptions{mpi_timeout});
            io.speaks = cluster.rank() == 0;
            code = run(argc, argv, &cluster, mpi_timeout);
            // Every rank reaches the same code, but mpirun stops the job at
            // the first non-zero exit, perhaps before rank 0 has printed:
            // the job's exit code is rank 0's alone.
            if (cluster.rank() != 0) code = exit_ok;
        } catch (const mlec::ClusterFailure& e) {
            // The ranks can no longer agree on anything: stop them all.
            std::cerr << "mlec: error: " << e.what() << "; stopping every rank\n" << std::flush;
            MPI_Abort(MPI_COMM_WORLD, exit_usage);
        }
        MPI_Finalize();
        return code;
    }
#endif
    return run(argc, argv, nullptr, mpi_timeout);
}
