#include "common/utf8.h"

#include "common/error.h"

#include <cstdio>

namespace mtl {

std::optional<std::size_t> firstInvalidUtf8(std::string_view text)
{
    const auto *s = reinterpret_cast<const unsigned char *>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        std::uint32_t min = 0, code = 0;
        if ((c & 0xE0) == 0xC0) {
            length = 2, min = 0x80, code = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            length = 3, min = 0x800, code = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            length = 4, min = 0x10000, code = c & 0x07;
        } else {
            return i;
        }
        if (i + length > n)
            return i;
        for (std::size_t k = 1; k < length; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            code = (code << 6) | (s[i + k] & 0x3F);
        }
        if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return i;
        i += length;
    }
    return std::nullopt;
}

void requireUtf8(std::string_view text, const std::string &what)
{
    const auto bad = firstInvalidUtf8(text);
    if (!bad)
        return;
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[*bad]));
    throw Error(ErrorCode::InvalidInput, what + " is not valid UTF-8 (byte " + byte +
                                             " at position " + std::to_string(*bad) + ")");
}

void requireUtf8File(std::string_view text, const std::string &source)
{
    const auto bad = firstInvalidUtf8(text);
    if (!bad)
        return;
    std::int64_t line = 1, column = 1;
    for (std::size_t i = 0; i < *bad; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[*bad]));
    throw inputError(source, line, std::string("not valid UTF-8 (byte ") + byte + ")", column);
}

} // namespace mtl
