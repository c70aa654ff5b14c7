// mlec::Cluster (mlec/distributed.hpp): the entry points of a distributed
// fit. Everything after loading is the ordinary API on a Problem whose
// evaluator sums over the ranks (runtime/evaluator, api/distributed).
#include "mlec/distributed.hpp"

#include "api/distributed.hpp"
#include "api/impl.hpp"
#include "mpi/mpi_collective.hpp"

namespace mlec {

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
        payload += model ? model->impl().source.text() : api::encode(local);
    }
    c.broadcast(payload, 0);
    if (payload.empty() || payload[0] != '1') {
        if (c.rank() != 0) {
            const Diagnostics failure = api::decode(std::string_view(payload).substr(payload.empty() ? 0 : 1));
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
    auto csv = rt::CsvFile::open_part(path, path,
                                      rt::CsvPart{static_cast<std::size_t>(c.rank()), static_cast<std::size_t>(c.size())},
                                      local);
    // A file missing on one machine, or a bad header: the lowest rank's error.
    if (auto failure = api::first_failure(c, csv ? nullptr : &local)) {
        diagnostics.insert(diagnostics.end(), failure->begin(), failure->end());
        return std::nullopt;
    }
    // Where this rank's part lies: line and row numbers from the parts
    // before it, and whether a later part has a row (if not, blank lines
    // ending this part are the file's trailing ones).
    const rt::CsvFile::PartShape shape = csv->part_shape();
    const std::vector<std::uint64_t> lines = rt::all_gather_u64(c, shape.lines);
    const std::vector<std::uint64_t> content = rt::all_gather_u64(c, shape.has_content ? 1 : 0);
    std::size_t before = 0;
    bool content_follows = false;
    for (std::size_t r = 0; r < lines.size(); ++r) {
        if (static_cast<int>(r) < c.rank()) before += lines[r];
        if (static_cast<int>(r) > c.rank() && content[r]) content_follows = true;
    }
    csv->place_part(2 + before, before, content_follows);
    auto impl = std::make_unique<Data::Impl>();
    impl->table = api::csv_table(std::move(csv), before);
    impl->collective = impl_->collective;
    return Data(std::move(impl));
}

void Cluster::write_in_rank_order(const std::string& mine, const std::function<void(std::string_view)>& write) {
    impl_->collective->send_to_root_in_order(mine, write);
}

}  // namespace mlec
