// A whole file's bytes, read-only: memory-mapped when it is a regular file
// (the data never passes through a copy, and the kernel reads ahead because we
// promise a sequential scan), read into memory otherwise (pipes, process
// substitution), so callers see one string_view either way.
#pragma once

#include <string>
#include <string_view>

namespace mlec::data {

class MappedFile {
public:
    MappedFile() = default;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    ~MappedFile();

    // Opens `path`; on failure returns false and sets `error` to the
    // system's reason (strerror text).
    bool open(const std::string& path, std::string& error);

    std::string_view bytes() const;

private:
    void release();

    void* map_ = nullptr;  // non-null while mapped
    std::size_t map_size_ = 0;
    std::string buffer_;  // the bytes when the file could not be mapped
};

}  // namespace mlec::data
