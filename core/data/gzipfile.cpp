#include "data/gzipfile.h"

#include "common/error.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include <sys/stat.h>

namespace mtl::data {

namespace {
ErrorLocation at(const std::string &path)
{
    ErrorLocation where;
    where.file = path;
    return where;
}

std::string sizeText(std::uint64_t bytes)
{
    if (bytes >= (1ull << 20))
        return std::to_string(bytes >> 20) + " MiB";
    return std::to_string(bytes) + " bytes";
}
} // namespace

std::uint64_t requireRegularFile(const std::string &path)
{
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        const int error = errno;
        throw Error(error == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                    std::string("cannot open: ") + std::strerror(error), at(path));
    }
    if (S_ISDIR(info.st_mode))
        throw Error(ErrorCode::InvalidInput, "is a directory, not a file", at(path));
    if (!S_ISREG(info.st_mode))
        throw Error(ErrorCode::InvalidInput,
                    "is not a regular file (a device, FIFO or socket); give a file", at(path));
    return static_cast<std::uint64_t>(info.st_size);
}

InputStream::InputStream(const std::string &path)
    : m_path(path)
{
    m_fileSize = requireRegularFile(path);
    errno = 0;
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file)
        throw Error(errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                    std::string("cannot open: ") + (errno ? std::strerror(errno) : "out of memory"),
                    at(path));
    gzbuffer(file, 1 << 18);
    m_file = file;
    m_compressed = gzdirect(file) == 0;
}

InputStream::~InputStream()
{
    if (m_file)
        gzclose(static_cast<gzFile>(m_file));
}

std::size_t InputStream::read(void *out, std::size_t size)
{
    auto *file = static_cast<gzFile>(m_file);
    auto *bytes = static_cast<std::uint8_t *>(out);
    std::size_t done = 0;
    while (done < size) {
        const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(size - done, 1u << 30));
        const int got = gzread(file, bytes + done, chunk);
        if (got < 0) {
            int code = 0;
            const std::string message = gzerror(file, &code);
            if (code == Z_ERRNO)
                throw Error(ErrorCode::Io, std::string("read failed: ") + std::strerror(errno),
                            at(m_path));
            throw offsetError(m_path, static_cast<std::int64_t>(m_position + done),
                              "corrupt gzip data: " + message);
        }
        if (got == 0)
            break;
        done += static_cast<std::size_t>(got);
    }
    m_position += done;
    if (done < size) {
        int code = 0;
        const char *message = gzerror(file, &code);
        if (code != Z_OK && code != Z_STREAM_END)
            throw offsetError(m_path, static_cast<std::int64_t>(m_position),
                              "corrupt gzip data: " + std::string(message ? message : "unknown"));
    }
    return done;
}

std::string readTextFile(const std::string &path, std::uint64_t maxBytes)
{
    const std::uint64_t size = requireRegularFile(path);
    if (size > maxBytes)
        throw Error(ErrorCode::InvalidInput,
                    "is " + sizeText(size) + "; a file of this kind is at most " +
                        sizeText(maxBytes),
                    at(path));
    std::FILE *file = std::fopen(path.c_str(), "rb");
    if (!file)
        throw Error(errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                    std::string("cannot open: ") + std::strerror(errno), at(path));
    std::string text(static_cast<std::size_t>(size), '\0');
    const std::size_t got = std::fread(text.data(), 1, text.size(), file);
    const bool failed = std::ferror(file) != 0;
    std::fclose(file);
    if (failed)
        throw Error(ErrorCode::Io, "read failed", at(path));
    text.resize(got);
    return text;
}

} // namespace mtl::data
