#include "cli/session.hpp"

#include <glob.h>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/arguments.hpp"

namespace mlec::cli {

namespace {

// A path as given, or for an argument with a wildcard (*, ? or [) the files
// glob() matches, sorted (glob's own order), so that a quoted pattern works
// as the shell's would. A pattern that matches nothing but names a file as
// written is that file. The first element is an error ("" when none), the
// rest the files: one list of strings, for rank 0 to send to the others.
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

}  // namespace

std::ostream& Session::out() { return speaks_ ? std::cout : null_; }
std::ostream& Session::err() { return speaks_ ? std::cerr : null_; }

int Session::usage_error(const std::string& message) {
    err() << "mlec: error: " << message << "\n\n" << usage_text;
    return exit_usage;
}

int Session::report_error(const Diagnostics& diagnostics) {
    err() << format(diagnostics);
    return exit_code(diagnostics);
}

std::vector<std::string> Session::data_files(const std::vector<std::string>& arguments) {
    std::vector<std::string> files = expand_data_arguments(arguments);
#ifdef MLEC_MPI
    // Patterns are matched by rank 0 alone: every rank must read the same
    // list of files, whatever each machine sees.
    if (cluster_) files = cluster_->share_from_rank_0(files);
#endif
    return files;
}

std::optional<Data> Session::load_data(const std::vector<std::string>& paths, Diagnostics& diagnostics) {
#ifdef MLEC_MPI
    if (cluster_)
        return paths.size() == 1 ? cluster_->load_csv(paths[0], diagnostics)
                                 : cluster_->load_csv_shards(paths, diagnostics);
#endif
    return paths.size() == 1 ? Data::from_csv_file(paths[0], diagnostics) : Data::from_csv_files(paths, diagnostics);
}

std::optional<Model> Session::load_model(const std::string& path, Diagnostics& diagnostics) {
#ifdef MLEC_MPI
    if (cluster_) return cluster_->load_model(path, diagnostics);
#endif
    return Model::from_file(path, diagnostics);
}

int Session::print_rows(const std::string& text, const std::string& output_path) {
#ifdef MLEC_MPI
    if (cluster_ && !output_path.empty()) {
        Diagnostics ds;
        if (cluster_->write_file_in_rank_order(output_path, text, ds)) return exit_ok;
        err() << format(ds);
        return exit_usage;
    }
    if (cluster_) {
        cluster_->write_in_rank_order(text, [](std::string_view piece) { std::cout << piece; });
        std::cout << std::flush;
        return exit_ok;
    }
#endif
    if (output_path.empty()) {
        out() << text;
        return exit_ok;
    }
    std::ofstream file(output_path, std::ios::binary | std::ios::trunc);
    file << text;
    if (file.flush()) return exit_ok;
    err() << "mlec: error: cannot write " << output_path << "\n";
    return exit_usage;
}

}  // namespace mlec::cli
