// The subcommands: each reads the data, fits its models, and does its own
// part with the fits: report them (fit), compare them, draw new outcomes
// (simulate) or predict new rows.
#include "cli/commands.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/progress.hpp"
#include "cli/session.hpp"

namespace mlec::cli {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Seconds spent in each stage, for --timing (the speed benchmark, bench/).
struct Timing {
    Clock::time_point started = Clock::now();
    double model = 0;
    double data = 0;  // mapping the file, reading and checking the columns the model uses, binding
    double fit = 0;
};

// A model, bound and fitted. The Problem refers to its Model (prediction
// reads the model again for the new rows), so the Model lives as long.
struct Fitted {
    Model model;
    Problem problem;
    FitResult fit;
};

// What the steps of a command share. `code` is the exit code of the error
// a step printed.
struct Run {
    Run(const Arguments& arguments, Session& s) : a(arguments), session(s), progress(a.trace, s.speaks()) {
        options = a.fit;
        progress.attach(options);
    }

    const Arguments& a;
    Session& session;
    Progress progress;
    FitOptions options;  // the command's, with the progress callbacks
    Timing timing;
    Diagnostics diagnostics;
    std::vector<std::string> data_paths, newdata_paths;
    std::optional<Data> data;
    int code = exit_ok;
};

// The files the data arguments name, or nullopt after a usage error.
std::optional<std::vector<std::string>> files_of(Run& run, const std::vector<std::string>& arguments) {
    std::vector<std::string> files = run.session.data_files(arguments);
    if (files.empty() || !files.front().empty()) {
        run.code = run.session.usage_error(files.empty() ? "no data files" : files.front());
        return std::nullopt;
    }
    files.erase(files.begin());
    return files;
}

// The data files (and predict's new rows) named, then the data read.
bool read_data(Run& run) {
    auto data_paths = files_of(run, run.a.data);
    if (!data_paths) return false;
    run.data_paths = std::move(*data_paths);
    if (!run.a.newdata.empty()) {
        auto newdata_paths = files_of(run, run.a.newdata);
        if (!newdata_paths) return false;
        run.newdata_paths = std::move(*newdata_paths);
    }
    const auto t = Clock::now();
    run.data = run.session.load_data(run.data_paths, run.diagnostics);
    run.timing.data += seconds_since(t);
    if (!run.data) run.code = run.session.report_error(run.diagnostics);
    return run.data.has_value();
}

// A fit of a bound problem, timed.
FitResult fit_timed(Run& run, const Problem& problem, const FitOptions& options) {
    const auto t = Clock::now();
    FitResult result = fit(problem, options);
    run.timing.fit += seconds_since(t);
    run.progress.end();
    return result;
}

// One model read, bound to the data and fitted; nullopt after an error (a
// --fix or --start that does not fit the model is a usage error).
std::optional<Fitted> fit_model(Run& run, const std::string& path) {
    auto t = Clock::now();
    auto model = run.session.load_model(path, run.diagnostics);
    run.timing.model += seconds_since(t);
    if (!model) {
        run.code = run.session.report_error(run.diagnostics);
        return std::nullopt;
    }
    t = Clock::now();
    auto problem = Problem::bind(*model, *run.data, run.diagnostics, run.a.bind);
    run.timing.data += seconds_since(t);
    if (!problem) {
        run.code = run.session.report_error(run.diagnostics);
        return std::nullopt;
    }
    run.session.err() << format(problem->warnings());
    if (!check_parameter_values(*problem, run.options, run.diagnostics)) {
        run.code = run.session.report_error(run.diagnostics);
        return std::nullopt;
    }
    FitResult result = fit_timed(run, *problem, run.options);
    return Fitted{std::move(*model), std::move(*problem), std::move(result)};
}

// simulate and predict refuse a fit without an estimate to work from (a
// fit error): the exit code is then the fit's own (4, or 5 without
// standard errors). Any other refusal (a model that cannot be simulated: 2;
// bad new data: 3) has its own category's code.
int refusal_exit_code(const Diagnostics& ds, const FitResult& fit) {
    const int code = exit_code(ds);
    return code == exit_not_converged && exit_code(fit) != exit_ok ? exit_code(fit) : code;
}

void print_timing(const Run& run, Clock::time_point report_started) {
    double mb = 0;
    for (const std::string& path : run.data_paths) {
        std::error_code ec;
        const auto bytes = std::filesystem::file_size(path, ec);
        mb += ec ? 0.0 : static_cast<double>(bytes) / 1e6;
    }
    if (!run.session.speaks()) return;
    const Timing& t = run.timing;
    std::fprintf(stderr,
                 "timing: model %.4f s, data %.4f s (%.1f MB, %.0f MB/s), fit %.4f s, report %.4f s, total %.4f s\n",
                 t.model, t.data, mb, t.data > 0 ? mb / t.data : 0.0, t.fit, seconds_since(report_started),
                 seconds_since(t.started));
}

// The SVG plots of --plot DIR (the directory is made when missing).
int write_plots(Run& run, const FitResult& result) {
    std::error_code ec;
    std::filesystem::create_directories(run.a.plot_dir, ec);
    for (const auto& [name, svg] : plot_files(result)) {
        const std::filesystem::path path = std::filesystem::path(run.a.plot_dir) / name;
        std::ofstream out(path, std::ios::binary);
        out << svg;
        if (!out) {
            run.session.err() << "mlec: error: cannot write " << path.string() << "\n";
            return exit_usage;
        }
    }
    return exit_ok;
}

int run_fit(const Arguments& a, Session& session) {
    Run run(a, session);
    if (!read_data(run)) return run.code;
    const auto fitted = fit_model(run, a.models.front());
    if (!fitted) return run.code;
    const auto t = Clock::now();
    session.out() << (a.json ? json_report(fitted->fit) : text_report(fitted->fit)) << std::flush;
    if (a.timing) print_timing(run, t);
    if (!a.plot_dir.empty() && session.speaks())
        if (const int code = write_plots(run, fitted->fit); code != exit_ok) return code;
    return exit_code(fitted->fit);
}

int run_compare(const Arguments& a, Session& session) {
    Run run(a, session);
    if (!read_data(run)) return run.code;
    std::vector<FitResult> fits;
    std::vector<std::vector<std::string>> outcomes;  // of each model
    for (const std::string& path : a.models) {
        auto fitted = fit_model(run, path);
        if (!fitted) return run.code;
        if (!a.fit.fixed.empty()) {
            // Profile-style nesting: the one model as it is, then with the
            // --fix values held (the fit above).
            FitOptions estimated = run.options;
            estimated.fixed.clear();
            fits.push_back(fit_timed(run, fitted->problem, estimated));
            outcomes.push_back(fitted->problem.outcomes());
        }
        fits.push_back(std::move(fitted->fit));
        outcomes.push_back(fitted->problem.outcomes());
    }
    auto comparison = compare(fits, outcomes, run.diagnostics);
    if (!comparison) return session.report_error(run.diagnostics);
    session.out() << (a.json ? json_report(*comparison) : text_report(*comparison));
    // The worst of the fits': a model without a maximum (4) outweighs one
    // without some standard errors (5), which outweighs success (0).
    auto severity = [](int code) { return code == exit_not_converged ? 2 : code == exit_ok ? 0 : 1; };
    int code = exit_ok;
    for (const FitResult& f : fits)
        if (severity(exit_code(f)) > severity(code)) code = exit_code(f);
    return code;
}

int run_simulate(const Arguments& a, Session& session) {
    Run run(a, session);
    if (!read_data(run)) return run.code;
    auto fitted = fit_model(run, a.models.front());
    if (!fitted) return run.code;
    auto csv = simulate_csv(fitted->problem, fitted->fit, a.fit.seed, run.diagnostics, a.simulate);
    if (!csv) {
        session.err() << format(run.diagnostics);
        return refusal_exit_code(run.diagnostics, fitted->fit);
    }
    return session.print_rows(*csv, a.output_path);
}

int run_predict(const Arguments& a, Session& session) {
    Run run(a, session);
    if (!read_data(run)) return run.code;
    auto fitted = fit_model(run, a.models.front());
    if (!fitted) return run.code;
    auto newdata = session.load_data(run.newdata_paths, run.diagnostics);
    if (!newdata) return session.report_error(run.diagnostics);
    auto csv = predict_csv(fitted->problem, fitted->fit, *newdata, run.diagnostics, a.predict);
    if (!csv) {
        session.err() << format(run.diagnostics);
        return refusal_exit_code(run.diagnostics, fitted->fit);
    }
    if (!run.diagnostics.empty()) session.err() << format(run.diagnostics);  // (warnings)
    return session.print_rows(*csv, a.output_path);
}

// ---- how each command names its files ---------------------------------------

using Files = std::vector<std::string>;

std::optional<std::string> model_then_data(Files p, Arguments& a) {
    if (p.size() < 2) return "a model file and a data file are needed";
    a.models = {p.front()};
    a.data.assign(p.begin() + 1, p.end());
    return std::nullopt;
}

std::optional<std::string> models_then_data(Files p, Arguments& a) {
    if (!a.fit.fixed.empty() && p.size() != 2)
        return "compare with --fix takes one model file and a data file: the model is compared with itself with "
               "the --fix parameters held";
    if (p.size() < 3 && a.fit.fixed.empty()) return "compare needs at least two model files and a data file";
    a.models.assign(p.begin(), p.end() - 1);
    a.data = {p.back()};
    return std::nullopt;
}

std::optional<std::string> model_data_newdata(Files p, Arguments& a) {
    if (p.size() != 3) return "predict needs a model file, its data file and a file of new rows";
    a.models = {p[0]};
    a.data = {p[1]};
    a.newdata = {p[2]};
    return std::nullopt;
}

constexpr Command commands[] = {
    {"", CommandKind::fit, false, model_then_data, run_fit},
    {"compare", CommandKind::compare, false, models_then_data, run_compare},
    {"simulate", CommandKind::simulate, true, model_then_data, run_simulate},
    {"predict", CommandKind::predict, true, model_data_newdata, run_predict},
};

}  // namespace

const Command* find_command(std::string_view keyword) {
    for (const Command& c : commands)
        if (!c.keyword.empty() && c.keyword == keyword) return &c;
    return nullptr;
}

const Command& command(CommandKind kind) {
    for (const Command& c : commands)
        if (c.kind == kind) return c;
    return commands[0];
}

}  // namespace mlec::cli
