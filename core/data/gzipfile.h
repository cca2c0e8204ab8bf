#pragma once
// Reading input files safely: only regular files (never a directory, device or FIFO, which
// could block or never end), streamed so that nothing is held beyond what the caller asked
// for, gzip inflated transparently. Errors name the file.

#include <cstdint>
#include <string>
#include <vector>

namespace mtl::data {

// Throws Error(InvalidInput) naming `path` unless it is a regular file ("is a directory",
// "is not a regular file"), Error(NotFound) when it does not exist. Returns its size in bytes.
std::uint64_t requireRegularFile(const std::string &path);

// A file read front to back, inflated when it is gzip-compressed (plain files as they are).
// Not thread-safe.
class InputStream {
public:
    explicit InputStream(const std::string &path); // checks requireRegularFile() first
    ~InputStream();
    InputStream(const InputStream &) = delete;
    InputStream &operator=(const InputStream &) = delete;

    const std::string &path() const { return m_path; }
    bool compressed() const { return m_compressed; }
    std::uint64_t fileSize() const { return m_fileSize; } // on disk, compressed or not
    std::uint64_t position() const { return m_position; } // decompressed bytes read so far
    // Reads up to `size` bytes into `out`; returns how many (fewer only at the end).
    // Throws Error(InvalidInput) at the decompressed offset for corrupt gzip data.
    std::size_t read(void *out, std::size_t size);

private:
    std::string m_path;
    void *m_file = nullptr; // gzFile
    bool m_compressed = false;
    std::uint64_t m_fileSize = 0, m_position = 0;
};

// Reads a small text file (class names, attribute tables, configs) as it is; refuses files
// larger than `maxBytes` with a clear error instead of reading them.
std::string readTextFile(const std::string &path, std::uint64_t maxBytes = 256ull << 20);

} // namespace mtl::data
