#include "store/sqlite.h"

#include "common/error.h"

#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <utility>

#include <unistd.h>

namespace mtl::store {

namespace {
ErrorLocation fileLocation(const std::string &path)
{
    ErrorLocation where;
    where.file = path;
    return where;
}
} // namespace

namespace {
// "file:" URI of a path, for sqlite3_open_v2 with SQLITE_OPEN_URI.
std::string fileUri(const std::string &path, const char *query)
{
    std::string uri = "file:";
    for (const char c : path) {
        if (c == '%' || c == '?' || c == '#') {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", static_cast<unsigned char>(c));
            uri += escaped;
        } else {
            uri += c;
        }
    }
    return uri + query;
}
} // namespace

Database::Database(const std::string &path, Mode mode)
    : m_path(path)
{
    open(mode, false);
    try {
        probe();
    } catch (const Error &) {
        // A project in WAL mode that this user may read but not write, with no WAL left next
        // to it: SQLite cannot create the shared-memory file a reader needs, so it is read as
        // immutable (nobody is writing it: a writer would have left its WAL there).
        std::error_code ec;
        const bool readOnlyFile = ::access(path.c_str(), W_OK) != 0;
        if (mode != Mode::ReadOnly || !readOnlyFile ||
            std::filesystem::exists(path + "-wal", ec)) {
            close();
            throw;
        }
        close();
        open(mode, true);
        try {
            probe();
        } catch (...) {
            close();
            throw;
        }
    }
}

void Database::open(Mode mode, bool immutable)
{
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    switch (mode) {
    case Mode::ReadOnly: flags |= SQLITE_OPEN_READONLY; break;
    case Mode::ReadWrite: flags |= SQLITE_OPEN_READWRITE; break;
    case Mode::ReadWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    }
    const std::string uri = fileUri(m_path, immutable ? "?immutable=1" : "");
    const int rc = sqlite3_open_v2(uri.c_str(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
        close();
        throw Error(rc == SQLITE_CANTOPEN ? ErrorCode::NotFound : ErrorCode::Store,
                    "cannot open project file: " + message, fileLocation(m_path));
    }
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, 10000);
}

void Database::probe()
{
    // Reading the header fails here when the file is not an SQLite database at all.
    exec("PRAGMA foreign_keys = ON");
    Statement first(*this, "SELECT count(*) FROM sqlite_master");
    first.step();
}

void Database::close()
{
    if (m_db)
        sqlite3_close_v2(m_db);
    m_db = nullptr;
}

Database::~Database() { close(); }

void Database::raise(int rc, std::string_view context) const
{
    std::string message(context);
    message += ": ";
    message += m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
    if ((rc & 0xff) == SQLITE_NOTADB)
        message = "not an MTL Studio project (the file is not an SQLite database)";
    if ((rc & 0xff) == SQLITE_CORRUPT)
        message = "the project file is damaged (SQLite: " +
                  std::string(m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc)) +
                  "); restore it from a backup";
    throw Error(ErrorCode::Store, message, fileLocation(m_path));
}

void Database::exec(std::string_view sql)
{
    std::string owned(sql);
    char *error = nullptr;
    const int rc = sqlite3_exec(m_db, owned.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        if ((rc & 0xff) == SQLITE_NOTADB)
            message = "not an MTL Studio project (the file is not an SQLite database)";
        if ((rc & 0xff) == SQLITE_CORRUPT)
            message = "the project file is damaged (SQLite: " + message +
                      "); restore it from a backup";
        throw Error(ErrorCode::Store, message, fileLocation(m_path));
    }
}

void Database::enableWal()
{
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = NORMAL");
}

void Database::releaseFreePages()
{
    exec("PRAGMA incremental_vacuum");
}

std::int64_t Database::scalar(std::string_view sql)
{
    Statement st(*this, sql);
    if (!st.step())
        return 0;
    return st.int64(0);
}

std::int64_t Database::lastInsertId() const { return sqlite3_last_insert_rowid(m_db); }
int Database::changes() const { return sqlite3_changes(m_db); }

int Database::userVersion()
{
    Statement st(*this, "PRAGMA user_version");
    st.step();
    return st.int32(0);
}

void Database::setUserVersion(int version)
{
    exec("PRAGMA user_version = " + std::to_string(version));
}

Statement::Statement(Database &db, std::string_view sql)
    : m_db(&db)
{
    const int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr);
    if (rc != SQLITE_OK)
        db.raise(rc, "cannot prepare statement");
}

Statement::~Statement() { sqlite3_finalize(m_stmt); }

Statement::Statement(Statement &&other) noexcept
    : m_db(other.m_db)
    , m_stmt(std::exchange(other.m_stmt, nullptr))
{
}

Statement &Statement::operator=(Statement &&other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_db = other.m_db;
        m_stmt = std::exchange(other.m_stmt, nullptr);
    }
    return *this;
}

Statement &Statement::bind(int index, std::int64_t value)
{
    const int rc = sqlite3_bind_int64(m_stmt, index, value);
    if (rc != SQLITE_OK)
        m_db->raise(rc, "cannot bind parameter");
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    const int rc = sqlite3_bind_double(m_stmt, index, value);
    if (rc != SQLITE_OK)
        m_db->raise(rc, "cannot bind parameter");
    return *this;
}

Statement &Statement::bind(int index, std::string_view text)
{
    const int rc = sqlite3_bind_text64(m_stmt, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                       SQLITE_UTF8);
    if (rc != SQLITE_OK)
        m_db->raise(rc, "cannot bind parameter");
    return *this;
}

Statement &Statement::bindBlob(int index, const void *data, std::size_t size)
{
    const int rc = sqlite3_bind_blob64(m_stmt, index, data, size, SQLITE_TRANSIENT);
    if (rc != SQLITE_OK)
        m_db->raise(rc, "cannot bind parameter");
    return *this;
}

Statement &Statement::bindNull(int index)
{
    const int rc = sqlite3_bind_null(m_stmt, index);
    if (rc != SQLITE_OK)
        m_db->raise(rc, "cannot bind parameter");
    return *this;
}

bool Statement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    sqlite3_reset(m_stmt);
    m_db->raise(rc, "query failed");
}

void Statement::exec()
{
    while (step()) {
    }
    reset();
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(m_stmt, column); }
double Statement::real(int column) const { return sqlite3_column_double(m_stmt, column); }

std::string Statement::text(int column) const
{
    const auto *data = sqlite3_column_text(m_stmt, column);
    const int size = sqlite3_column_bytes(m_stmt, column);
    return data ? std::string(reinterpret_cast<const char *>(data), size) : std::string();
}

const void *Statement::blob(int column, std::size_t *size) const
{
    const void *data = sqlite3_column_blob(m_stmt, column);
    *size = static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column));
    return data;
}

Transaction::Transaction(Database &db)
    : m_db(db)
{
    m_db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    if (!m_done) {
        try {
            m_db.exec("ROLLBACK");
        } catch (...) {
            // A failed rollback leaves SQLite to roll back when the connection closes.
        }
    }
}

void Transaction::commit()
{
    m_db.exec("COMMIT");
    m_done = true;
}

} // namespace mtl::store
