#include "data/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace mlec::data {

namespace {

// Closes the descriptor on every path out of open(); the mapping does not
// need it once made (POSIX keeps the mapping alive after close).
struct FdGuard {
    int fd;
    ~FdGuard() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

MappedFile::MappedFile(MappedFile&& other) noexcept
    : map_(std::exchange(other.map_, nullptr)), map_size_(std::exchange(other.map_size_, 0)),
      buffer_(std::move(other.buffer_)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        release();
        map_ = std::exchange(other.map_, nullptr);
        map_size_ = std::exchange(other.map_size_, 0);
        buffer_ = std::move(other.buffer_);
    }
    return *this;
}

MappedFile::~MappedFile() { release(); }

void MappedFile::release() {
    if (map_ != nullptr) ::munmap(map_, map_size_);
    map_ = nullptr;
    map_size_ = 0;
    buffer_.clear();
}

bool MappedFile::open(const std::string& path, std::string& error) {
    release();
    FdGuard guard{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (guard.fd < 0) {
        error = std::strerror(errno);
        return false;
    }
    struct stat info {};
    if (::fstat(guard.fd, &info) != 0) {
        error = std::strerror(errno);
        return false;
    }
    if (S_ISDIR(info.st_mode)) {
        error = std::strerror(EISDIR);
        return false;
    }
    if (S_ISREG(info.st_mode)) {
        if (info.st_size == 0) return true;  // mmap rejects length 0; empty is the caller's call
        auto size = static_cast<std::size_t>(info.st_size);
        void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, guard.fd, 0);
        if (map != MAP_FAILED) {
            // Advice only: a failure changes speed, never the bytes.
            (void)::madvise(map, size, MADV_SEQUENTIAL);
            map_ = map;
            map_size_ = size;
            return true;
        }
        // Some file systems cannot map; fall through and read instead.
    }
    char chunk[1 << 16];
    for (;;) {
        ssize_t got = ::read(guard.fd, chunk, sizeof chunk);
        if (got == 0) break;
        if (got < 0) {
            if (errno == EINTR) continue;
            error = std::strerror(errno);
            buffer_.clear();
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(got));
    }
    return true;
}

std::string_view MappedFile::bytes() const {
    if (map_ != nullptr) return {static_cast<const char*>(map_), map_size_};
    return buffer_;
}

}  // namespace mlec::data
