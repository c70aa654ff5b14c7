// Data: a CSV file whose columns are parsed when a model asks for them.
#include "api/impl.hpp"

namespace mlec {

Data::Data(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Data::Data(Data&&) noexcept = default;
Data& Data::operator=(Data&&) noexcept = default;
Data::~Data() = default;

std::optional<Data> Data::from_csv_file(const std::string& path, Diagnostics& diagnostics) {
    auto csv = rt::CsvFile::open(path, path, diagnostics);
    if (!csv) return std::nullopt;
    auto impl = std::make_unique<Impl>();
    impl->csv = std::move(csv);
    return Data(std::move(impl));
}

std::optional<Data> Data::from_csv_text(std::string text, std::string name, Diagnostics& diagnostics) {
    auto csv = rt::CsvFile::from_text(std::move(text), name, diagnostics);
    if (!csv) return std::nullopt;
    auto impl = std::make_unique<Impl>();
    impl->csv = std::move(csv);
    return Data(std::move(impl));
}

const std::vector<std::string>& Data::column_names() const { return impl_->csv->header(); }

}  // namespace mlec
