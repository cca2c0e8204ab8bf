#include "data/gzipfile.h"

#include "common/error.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mtl::data {

namespace {
Error ioError(const std::string &path, const std::string &message)
{
    ErrorLocation where;
    where.file = path;
    return Error(ErrorCode::Io, message, where);
}
} // namespace

std::vector<std::uint8_t> readMaybeGzipped(const std::string &path)
{
    errno = 0;
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file) {
        ErrorLocation where;
        where.file = path;
        throw Error(errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                    std::string("cannot open: ") + (errno ? std::strerror(errno) : "out of memory"),
                    where);
    }
    gzbuffer(file, 1 << 20);
    std::vector<std::uint8_t> data;
    std::size_t used = 0;
    data.resize(1 << 22);
    for (;;) {
        if (data.size() - used < (1u << 20))
            data.resize(data.size() * 2);
        const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(data.size() - used, 1u << 30));
        const int got = gzread(file, data.data() + used, chunk);
        if (got < 0) {
            int code = 0;
            std::string message = gzerror(file, &code);
            gzclose(file);
            if (code == Z_ERRNO)
                throw ioError(path, std::string("read failed: ") + std::strerror(errno));
            throw offsetError(path, static_cast<std::int64_t>(used),
                              "corrupt gzip data: " + message);
        }
        if (got == 0)
            break;
        used += static_cast<std::size_t>(got);
    }
    int code = 0;
    const char *message = gzerror(file, &code);
    if (code != Z_OK && code != Z_STREAM_END) {
        std::string text = message ? message : "unknown error";
        gzclose(file);
        throw offsetError(path, static_cast<std::int64_t>(used), "corrupt gzip data: " + text);
    }
    gzclose(file);
    data.resize(used);
    data.shrink_to_fit();
    return data;
}

std::string readTextFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ErrorLocation where;
        where.file = path;
        throw Error(errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                    std::string("cannot open: ") + std::strerror(errno), where);
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace mtl::data
