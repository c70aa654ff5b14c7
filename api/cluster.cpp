// mlec::Cluster (mlec/distributed.hpp): the entry points of a distributed
// fit. Everything after loading is the ordinary API on a Problem whose
// evaluator sums over the ranks (runtime/evaluator, problem/distributed).
#include "mlec/distributed.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>

#include "mpi/mpi_collective.hpp"
#include "problem/distributed.hpp"
#include "problem/impl.hpp"

namespace mlec {

using problem::decode_strings;
using problem::encode_strings;

struct Cluster::Impl {
    std::shared_ptr<mpi::MpiCollective> collective;
};

Cluster::Cluster(MPI_Comm comm, ClusterOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->collective = std::make_shared<mpi::MpiCollective>(comm, options.timeout_seconds);
}

Cluster::~Cluster() = default;

int Cluster::rank() const { return impl_->collective->rank(); }
int Cluster::size() const { return impl_->collective->size(); }

std::optional<Model> Cluster::load_model(const std::string& path, Diagnostics& diagnostics) {
    mpi::MpiCollective& c = *impl_->collective;
    // "1" and the text, or "0" and rank 0's diagnostics.
    std::string payload;
    std::optional<Model> model;
    if (c.rank() == 0) {
        Diagnostics local;
        model = Model::from_file(path, local);
        diagnostics.insert(diagnostics.end(), local.begin(), local.end());
        payload.assign(1, model ? '1' : '0');
        payload += model ? model->impl().source.text() : problem::encode(local);
    }
    c.broadcast(payload, 0);
    if (payload.empty() || payload[0] != '1') {
        if (c.rank() != 0) {
            const Diagnostics failure = problem::decode(std::string_view(payload).substr(payload.empty() ? 0 : 1));
            diagnostics.insert(diagnostics.end(), failure.begin(), failure.end());
        }
        return std::nullopt;
    }
    if (c.rank() == 0) return model;
    // The text rank 0 parsed: it parses here too (a millisecond), and the
    // same text gives the same tree.
    return Model::from_text(payload.substr(1), path, diagnostics);
}

std::optional<Data> Cluster::load_csv(const std::string& path, Diagnostics& diagnostics) {
    mpi::MpiCollective& c = *impl_->collective;
    Diagnostics local;
    auto csv = data::CsvFile::open_part(
        path, path, data::CsvPart{static_cast<std::size_t>(c.rank()), static_cast<std::size_t>(c.size())}, local);
    // A file missing on one machine, or a bad header: the lowest rank's error.
    if (!problem::agree(&c, csv != nullptr, local, diagnostics)) return std::nullopt;
    const std::size_t first_row = problem::place_part(c, *csv);
    auto impl = std::make_unique<Data::Impl>();
    impl->table = data::csv_table(std::move(csv), first_row);
    impl->collective = impl_->collective;
    return Data(std::move(impl));
}

std::optional<Data> Cluster::load_csv_shards(const std::vector<std::string>& paths, Diagnostics& diagnostics) {
    mpi::MpiCollective& c = *impl_->collective;
    auto fail = [&](std::string message, Category category) {
        diagnostics.push_back(Diagnostic::error(category, "", std::move(message)));
        return std::nullopt;
    };
    // Every rank checks every list against rank 0's, so all agree on the
    // verdict.
    const std::vector<std::string> lists = c.all_gather(encode_strings(paths));
    for (std::size_t r = 1; r < lists.size(); ++r) {
        if (lists[r] == lists[0]) continue;
        const std::vector<std::string> theirs = decode_strings(lists[r]), ours = decode_strings(lists[0]);
        std::size_t k = 0;
        while (k < theirs.size() && k < ours.size() && theirs[k] == ours[k]) ++k;
        const std::string what =
            k < theirs.size() && k < ours.size()
                ? "file " + std::to_string(k + 1) + " is '" + theirs[k] + "' there, '" + ours[k] + "' on rank 0"
                : std::to_string(theirs.size()) + " files there, " + std::to_string(ours.size()) + " on rank 0";
        return fail("rank " + std::to_string(r) + " was given other data files than rank 0 (" + what + ")",
                    Category::usage);
    }
    if (paths.empty()) return fail("no data files", Category::usage);

    const std::size_t files = paths.size(), ranks = static_cast<std::size_t>(c.size());
    const auto run_begin = [&](std::size_t r) { return files * r / ranks; };
    const auto me = static_cast<std::size_t>(c.rank());
    const std::size_t begin = run_begin(me), end = run_begin(me + 1);

    // This rank's files in order, up to the first that cannot be read.
    Diagnostics local;
    bool failed = false;
    std::vector<std::unique_ptr<data::CsvFile>> opened;
    for (std::size_t f = begin; f < end && !failed; ++f) {
        auto csv = data::CsvFile::open(paths[f], paths[f], local);
        failed = !csv;
        if (csv) opened.push_back(std::move(csv));
    }
    // The header of paths[0], from the first rank whose run is not empty:
    // "1" and the names, or "0" when that file could not be read (its error
    // is then the first in file order).
    int owner = 0;
    while (run_begin(static_cast<std::size_t>(owner) + 1) == 0) ++owner;
    std::string first;
    if (c.rank() == owner) {
        // (appended: GCC 12 warns falsely of an overlapping memcpy in "1" + s)
        first.assign(1, opened.empty() ? '0' : '1');
        if (!opened.empty()) first += encode_strings(opened.front()->header());
    }
    c.broadcast(first, owner);
    std::vector<std::string> header;
    if (!first.empty() && first[0] == '1') {
        header = decode_strings(std::string_view(first).substr(1));
        // A differing header comes before any file after it that failed to
        // open: the first error in file order.
        for (std::size_t k = begin == 0 ? 1 : 0; k < opened.size(); ++k) {
            const std::string& path = paths[begin + k];
            if (auto error = data::header_mismatch(path, opened[k]->header(), paths[0], header)) {
                local.assign(1, std::move(*error));
                failed = true;
                opened.resize(k);
                break;
            }
        }
    }
    if (!problem::agree(&c, !failed, local, diagnostics)) return std::nullopt;
    std::vector<std::unique_ptr<data::Table>> parts;
    for (auto& csv : opened) parts.push_back(data::csv_table(std::move(csv)));
    auto impl = std::make_unique<Data::Impl>();
    // One file: named, and its rows numbered, as Data::from_csv_file does.
    impl->table = data::concat_table(data::shards_name(paths), std::move(header), std::move(parts), files > 1);
    impl->collective = impl_->collective;
    return Data(std::move(impl));
}

std::vector<std::string> Cluster::share_from_rank_0(const std::vector<std::string>& strings) {
    std::string bytes = impl_->collective->rank() == 0 ? encode_strings(strings) : std::string();
    impl_->collective->broadcast(bytes, 0);
    return decode_strings(bytes);
}

bool Cluster::write_file_in_rank_order(const std::string& path, const std::string& mine, Diagnostics& diagnostics) {
    mpi::MpiCollective& c = *impl_->collective;
    auto error = [&](const std::string& what) {
        return Diagnostics{Diagnostic::error(
            Category::usage, path, what + ": " + std::strerror(errno) + " (rank " + std::to_string(c.rank()) + ")")};
    };
    std::uint64_t offset = 0;
    const std::vector<std::uint64_t> sizes = rt::all_gather_u64(c, mine.size());
    for (int r = 0; r < c.rank(); ++r) offset += sizes[static_cast<std::size_t>(r)];
    // Created (emptied) by rank 0 before anyone writes.
    Diagnostics failed;
    if (c.rank() == 0) {
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) failed = error("cannot create the file");
        else ::close(fd);
    }
    if (!problem::agree(&c, failed.empty(), failed, diagnostics)) return false;
    const int fd = ::open(path.c_str(), O_WRONLY);
    if (fd < 0) {
        failed = error("cannot open the file (is it on a file system every rank shares?)");
    } else {
        for (std::size_t done = 0; done < mine.size();) {
            const ssize_t n = ::pwrite(fd, mine.data() + done, mine.size() - done, static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                if (n == 0) errno = EIO;
                failed = error("cannot write the file");
                break;
            }
            done += static_cast<std::size_t>(n);
        }
        if (::close(fd) != 0 && failed.empty()) failed = error("cannot write the file");
    }
    return problem::agree(&c, failed.empty(), failed, diagnostics);
}

void Cluster::write_in_rank_order(const std::string& mine, const std::function<void(std::string_view)>& write) {
    impl_->collective->send_to_root_in_order(mine, write);
}

}  // namespace mlec
