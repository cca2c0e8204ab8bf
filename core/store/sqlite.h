#pragma once
// A thin RAII layer over the SQLite C API: a connection, prepared statements and
// transactions. Errors become mtl::Error(ErrorCode::Store) carrying SQLite's message.
// Thread-safety: one Database per thread; objects here are not shared between threads.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace mtl::store {

class Database;

class Statement {
public:
    Statement(Database &db, std::string_view sql);
    ~Statement();
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&other) noexcept;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    // Binding uses 1-based parameter indices, as SQLite does. Each returns *this for chaining.
    Statement &bind(int index, std::int64_t value);
    Statement &bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement &bind(int index, double value);
    Statement &bind(int index, std::string_view text);
    Statement &bind(int index, const char *text) { return bind(index, std::string_view(text)); }
    Statement &bindBlob(int index, const void *data, std::size_t size);
    Statement &bindNull(int index);

    // Advances to the next row; false when done. Throws on error.
    bool step();
    // Runs a statement that returns no rows, then resets it for reuse.
    void exec();
    // Resets so the statement can run again with new bindings (bindings are cleared).
    void reset();

    bool isNull(int column) const;
    std::int64_t int64(int column) const;
    int int32(int column) const { return static_cast<int>(int64(column)); }
    double real(int column) const;
    std::string text(int column) const;
    // Pointer valid until the next step()/reset(); size in bytes.
    const void *blob(int column, std::size_t *size) const;

private:
    Database *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
};

class Database {
public:
    enum class Mode { ReadWrite, ReadWriteCreate, ReadOnly };

    // Opens (or creates) the file with foreign keys on and a busy timeout, and writes nothing:
    // a file is only changed by what the caller runs next (Project checks it is a project
    // first, then calls enableWal()).
    Database(const std::string &path, Mode mode);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    const std::string &path() const { return m_path; }
    void exec(std::string_view sql);
    // WAL journal and synchronous = NORMAL, so a second process (the CLI) can write while
    // another (the GUI) reads. Writes the file header: call only on a file known to be ours.
    void enableWal();
    // Gives the file's free pages back to the file system (projects created with
    // auto_vacuum = INCREMENTAL; a no-op in older ones). Outside a transaction.
    void releaseFreePages();
    // One value of a query such as "PRAGMA application_id".
    std::int64_t scalar(std::string_view sql);
    std::int64_t lastInsertId() const;
    int changes() const;
    int userVersion();
    void setUserVersion(int version);

    sqlite3 *handle() const { return m_db; }
    [[noreturn]] void raise(int rc, std::string_view context) const;

private:
    void open(Mode mode, bool immutable);
    void probe();
    void close();

    sqlite3 *m_db = nullptr;
    std::string m_path;
};

// BEGIN IMMEDIATE on construction, ROLLBACK on destruction unless commit() was called.
class Transaction {
public:
    explicit Transaction(Database &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    void commit();

private:
    Database &m_db;
    bool m_done = false;
};

} // namespace mtl::store
