#include "common/error.h"

namespace mtl {

Error::Error(ErrorCode code, const std::string &message, ErrorLocation where)
    : std::runtime_error(describe(message, where))
    , m_code(code)
    , m_message(message)
    , m_where(std::move(where))
{
}

std::string Error::describe(const std::string &message, const ErrorLocation &where)
{
    std::string prefix;
    if (!where.file.empty()) {
        prefix = where.file;
        if (where.line >= 0) {
            prefix += ':' + std::to_string(where.line);
            if (where.column >= 0)
                prefix += ':' + std::to_string(where.column);
        } else if (where.offset >= 0) {
            prefix += " (byte offset " + std::to_string(where.offset) + ')';
        }
    }
    if (!where.key.empty())
        prefix += (prefix.empty() ? "" : " ") + where.key;
    return prefix.empty() ? message : prefix + ": " + message;
}

const char *toString(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidInput: return "invalid input";
    case ErrorCode::NotFound: return "not found";
    case ErrorCode::Config: return "config error";
    case ErrorCode::Io: return "I/O error";
    case ErrorCode::Store: return "project file error";
    case ErrorCode::Training: return "training error";
    case ErrorCode::Interrupted: return "interrupted";
    }
    return "error";
}

Error inputError(const std::string &file, std::int64_t line, const std::string &message,
                 std::int64_t column)
{
    ErrorLocation where;
    where.file = file;
    where.line = line;
    where.column = column;
    return Error(ErrorCode::InvalidInput, message, where);
}

Error offsetError(const std::string &file, std::int64_t offset, const std::string &message)
{
    ErrorLocation where;
    where.file = file;
    where.offset = offset;
    return Error(ErrorCode::InvalidInput, message, where);
}

} // namespace mtl
