#pragma once
// Structured errors of the engine: a code, a message and where the problem is (file, line,
// column, byte offset or config key). Core never shows errors; callers present them.

#include <cstdint>
#include <stdexcept>
#include <string>

namespace mtl {

enum class ErrorCode {
    InvalidInput, // a malformed file, a bad flag value, a missing column
    NotFound,     // a project, dataset, run or file that does not exist
    Config,       // an experiment config that does not parse or validate
    Io,           // the operating system refused a read or write
    Store,        // SQLite reported an error
    Training,     // the model or the trainer failed at run time
    Interrupted,  // the user asked to stop
};

// Where an error is. Fields that do not apply stay empty / negative.
struct ErrorLocation {
    std::string file;
    std::int64_t line = -1;   // 1-based
    std::int64_t column = -1; // 1-based
    std::int64_t offset = -1; // byte offset in the (decompressed) file
    std::string key;          // config key path, e.g. "tasks[1].label"
};

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string &message, ErrorLocation where = {});

    ErrorCode code() const noexcept { return m_code; }
    const std::string &message() const noexcept { return m_message; }
    const ErrorLocation &where() const noexcept { return m_where; }

    // "file:line:column: message", "file (byte offset N): message", "key: message" or "message".
    static std::string describe(const std::string &message, const ErrorLocation &where);

private:
    ErrorCode m_code;
    std::string m_message;
    ErrorLocation m_where;
};

const char *toString(ErrorCode code);

// Convenience builders used by parsers.
Error inputError(const std::string &file, std::int64_t line, const std::string &message,
                 std::int64_t column = -1);
Error offsetError(const std::string &file, std::int64_t offset, const std::string &message);

} // namespace mtl
