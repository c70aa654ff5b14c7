// Model: a parsed model file (source text + syntax tree).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "grammar/parse.hpp"
#include "problem/impl.hpp"

namespace mlec {

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

std::optional<Model> Model::from_text(std::string text, std::string name, Diagnostics& diagnostics) {
    auto impl = std::make_unique<Impl>();
    impl->source = SourceText(std::move(name), std::move(text));
    ParseResult parsed = parse_model(impl->source);
    diagnostics.insert(diagnostics.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
    if (!parsed.model) return std::nullopt;
    impl->ast = std::move(*parsed.model);
    return Model(std::move(impl));
}

std::optional<Model> Model::from_file(const std::string& path, Diagnostics& diagnostics) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        diagnostics.push_back(Diagnostic::error(Category::usage, path, "cannot open model file: it is a directory"));
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        diagnostics.push_back(Diagnostic::error(Category::usage, path, "cannot open model file"));
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return from_text(text.str(), path, diagnostics);
}

}  // namespace mlec
