#include "data/npy.h"

#include "common/error.h"
#include "data/gzipfile.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace mtl::data {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

struct TypeCode {
    char kind;
    int size;
    NpyType type;
};
constexpr TypeCode kTypes[] = {
    {'b', 1, NpyType::Bool},    {'u', 1, NpyType::UInt8}, {'i', 1, NpyType::Int8},
    {'u', 2, NpyType::UInt16},  {'i', 2, NpyType::Int16}, {'u', 4, NpyType::UInt32},
    {'i', 4, NpyType::Int32},   {'i', 8, NpyType::Int64}, {'f', 4, NpyType::Float32},
    {'f', 8, NpyType::Float64},
};

// The header's Python dict literal, read just far enough: string, boolean and tuple values.
class HeaderParser {
public:
    HeaderParser(const std::string &text, const std::string &source)
        : m_text(text)
        , m_source(source)
    {}

    void parse(std::string &descr, bool &fortran, std::vector<std::int64_t> &shape)
    {
        bool haveDescr = false, haveOrder = false, haveShape = false;
        expect('{');
        skipSpace();
        while (peek() != '}') {
            const std::string key = quoted();
            expect(':');
            if (key == "descr") {
                skipSpace();
                if (peek() == '[')
                    fail("has a structured element type; only plain numbers are read");
                descr = quoted();
                haveDescr = true;
            } else if (key == "fortran_order") {
                fortran = boolean();
                haveOrder = true;
            } else if (key == "shape") {
                shape = tuple();
                haveShape = true;
            } else {
                fail("has an unknown header key '" + key + "'");
            }
            if (!accept(','))
                break;
            skipSpace();
        }
        expect('}');
        if (!haveDescr || !haveOrder || !haveShape)
            fail("has a header without " + std::string(!haveDescr   ? "'descr'"
                                                       : !haveOrder ? "'fortran_order'"
                                                                    : "'shape'"));
    }

private:
    [[noreturn]] void fail(const std::string &what) const
    {
        throw Error(ErrorCode::InvalidInput, "is not a readable .npy file: it " + what, {m_source});
    }
    void skipSpace()
    {
        while (m_at < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_at])))
            ++m_at;
    }
    char peek() const { return m_at < m_text.size() ? m_text[m_at] : '\0'; }
    bool accept(char c)
    {
        skipSpace();
        if (peek() != c)
            return false;
        ++m_at;
        return true;
    }
    void expect(char c)
    {
        if (!accept(c))
            fail(std::string("has a header that does not parse (expected '") + c + "' at " +
                 std::to_string(m_at) + ")");
    }
    std::string quoted()
    {
        skipSpace();
        const char quote = peek();
        if (quote != '\'' && quote != '"')
            fail("has a header that does not parse (expected a quoted name at " +
                 std::to_string(m_at) + ")");
        const std::size_t end = m_text.find(quote, m_at + 1);
        if (end == std::string::npos)
            fail("has a header with an unclosed quote");
        std::string value = m_text.substr(m_at + 1, end - m_at - 1);
        m_at = end + 1;
        return value;
    }
    bool boolean()
    {
        skipSpace();
        for (const auto &[word, value] : {std::pair{"True", true}, std::pair{"False", false}})
            if (m_text.compare(m_at, std::strlen(word), word) == 0) {
                m_at += std::strlen(word);
                return value;
            }
        fail("has a header whose fortran_order is neither True nor False");
    }
    std::vector<std::int64_t> tuple()
    {
        std::vector<std::int64_t> values;
        expect('(');
        skipSpace();
        while (peek() != ')') {
            std::size_t end = m_at;
            while (end < m_text.size() && std::isdigit(static_cast<unsigned char>(m_text[end])))
                ++end;
            if (end == m_at || end - m_at > 12)
                fail("has a header whose shape is not a tuple of sizes");
            values.push_back(std::stoll(m_text.substr(m_at, end - m_at)));
            m_at = end;
            if (!accept(','))
                break;
            skipSpace();
        }
        expect(')');
        return values;
    }

    const std::string &m_text;
    const std::string &m_source;
    std::size_t m_at = 0;
};

std::uint32_t littleEndian(const unsigned char *p, int bytes)
{
    std::uint32_t value = 0;
    for (int i = bytes - 1; i >= 0; --i)
        value = (value << 8) | p[i];
    return value;
}

} // namespace

const char *toString(NpyType type)
{
    switch (type) {
    case NpyType::Bool:
        return "bool";
    case NpyType::UInt8:
        return "uint8";
    case NpyType::Int8:
        return "int8";
    case NpyType::UInt16:
        return "uint16";
    case NpyType::Int16:
        return "int16";
    case NpyType::UInt32:
        return "uint32";
    case NpyType::Int32:
        return "int32";
    case NpyType::Int64:
        return "int64";
    case NpyType::Float32:
        return "float32";
    case NpyType::Float64:
        return "float64";
    }
    return "?";
}

std::size_t byteSize(NpyType type)
{
    for (const TypeCode &code : kTypes)
        if (code.type == type)
            return static_cast<std::size_t>(code.size);
    return 1;
}

std::int64_t NpyArray::count() const
{
    std::int64_t n = 1;
    for (const std::int64_t side : shape)
        n *= side;
    return n;
}

double NpyArray::value(std::size_t i) const
{
    const unsigned char *p = bytes.data() + i * byteSize(type);
    const auto read = [p](auto sample) {
        std::memcpy(&sample, p, sizeof sample);
        return static_cast<double>(sample);
    };
    switch (type) {
    case NpyType::Bool:
    case NpyType::UInt8:
        return *p;
    case NpyType::Int8:
        return read(std::int8_t{});
    case NpyType::UInt16:
        return read(std::uint16_t{});
    case NpyType::Int16:
        return read(std::int16_t{});
    case NpyType::UInt32:
        return read(std::uint32_t{});
    case NpyType::Int32:
        return read(std::int32_t{});
    case NpyType::Int64:
        return read(std::int64_t{});
    case NpyType::Float32:
        return read(float{});
    case NpyType::Float64:
        return read(double{});
    }
    return 0.0;
}

std::string NpyArray::shapeText() const
{
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i == 0 ? "" : ", ") + std::to_string(shape[i]);
    return text + (shape.size() == 1 ? ",)" : ")");
}

NpyArray parseNpy(const void *data, std::size_t size, const std::string &source)
{
    const auto *p = static_cast<const unsigned char *>(data);
    if (size < kMagicSize + 4 || std::memcmp(p, kMagic, kMagicSize) != 0)
        throw Error(ErrorCode::InvalidInput,
                    size == 0 ? "is a zero-byte file, not a .npy array"
                              : "is not a .npy file (no \\x93NUMPY signature)",
                    {source});
    const int major = p[6];
    if (major < 1 || major > 3)
        throw Error(ErrorCode::InvalidInput,
                    "is a .npy file of format version " + std::to_string(major) + "." +
                        std::to_string(p[7]) + "; versions 1.0 to 3.0 are read",
                    {source});
    const int lengthBytes = major == 1 ? 2 : 4;
    const std::size_t headerStart = kMagicSize + 2 + lengthBytes;
    if (size < headerStart)
        throw Error(ErrorCode::InvalidInput, "is a .npy file cut short in its header", {source});
    const std::size_t headerLength = littleEndian(p + kMagicSize + 2, lengthBytes);
    if (size < headerStart + headerLength)
        throw Error(ErrorCode::InvalidInput, "is a .npy file cut short in its header", {source});
    const std::string header(reinterpret_cast<const char *>(p + headerStart), headerLength);

    std::string descr;
    bool fortran = false;
    NpyArray array;
    HeaderParser(header, source).parse(descr, fortran, array.shape);
    if (fortran)
        throw Error(ErrorCode::InvalidInput,
                    "is stored in Fortran order; save it in C order (np.ascontiguousarray)",
                    {source});
    const char order = descr.empty() ? '\0' : descr[0];
    const std::string code = descr.size() > 1 ? descr.substr(1) : std::string();
    const auto *known = std::find_if(std::begin(kTypes), std::end(kTypes), [&](const TypeCode &t) {
        return code == std::string(1, t.kind) + std::to_string(t.size);
    });
    if ((order != '<' && order != '>' && order != '|' && order != '=') || known == std::end(kTypes))
        throw Error(ErrorCode::InvalidInput,
                    "has elements of type '" + descr +
                        "'; bool, (u)int8–64 and float32/float64 are read",
                    {source});
    array.type = known->type;
    const std::size_t itemSize = byteSize(array.type);
    const std::size_t dataBytes = size - headerStart - headerLength;
    long double expected = static_cast<long double>(itemSize); // no overflow for any shape
    for (const std::int64_t side : array.shape)
        expected *= static_cast<long double>(side);
    if (expected != static_cast<long double>(dataBytes))
        throw Error(ErrorCode::InvalidInput,
                    "holds " + std::to_string(dataBytes) + " bytes of data; its header says " +
                        array.shapeText() + " " + toString(array.type) + " = " +
                        std::to_string(static_cast<unsigned long long>(expected)) +
                        " bytes (cut short or appended to?)",
                    {source});
    const unsigned char *values = p + headerStart + headerLength;
    array.bytes.assign(values, values + dataBytes);
    if (order == '>' && itemSize > 1)
        for (std::size_t i = 0; i < dataBytes; i += itemSize)
            std::reverse(array.bytes.begin() + static_cast<std::ptrdiff_t>(i),
                         array.bytes.begin() + static_cast<std::ptrdiff_t>(i + itemSize));
    return array;
}

NpyArray readNpy(const std::string &path)
{
    const std::string bytes = readTextFile(path, 4ull << 30);
    return parseNpy(bytes.data(), bytes.size(), path);
}

std::string encodeNpy(const NpyArray &array)
{
    const auto *code = std::find_if(std::begin(kTypes), std::end(kTypes),
                                    [&](const TypeCode &t) { return t.type == array.type; });
    const std::string descr =
        std::string(code->size == 1 ? "|" : "<") + code->kind + std::to_string(code->size);
    std::string header =
        "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + array.shapeText() + ", }";
    const std::size_t unpadded = kMagicSize + 4 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::string file(kMagic, kMagicSize);
    file += '\x01';
    file += '\x00';
    file += static_cast<char>(header.size() & 0xFF);
    file += static_cast<char>(header.size() >> 8);
    file += header;
    file.append(reinterpret_cast<const char *>(array.bytes.data()), array.bytes.size());
    return file;
}

} // namespace mtl::data
