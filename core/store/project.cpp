#include "store/project.h"

#include "common/error.h"
#include "store/schema.h"

#include <filesystem>

namespace mtl::store {

namespace {
Database::Mode databaseMode(const std::string &path, Project::OpenMode mode)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    if (mode != Project::OpenMode::CreateIfMissing && !exists) {
        ErrorLocation where;
        where.file = path;
        throw Error(ErrorCode::NotFound, "project file does not exist", where);
    }
    if (exists && fs::is_directory(path, ec)) {
        ErrorLocation where;
        where.file = path;
        throw Error(ErrorCode::InvalidInput, "is a directory, not a project file", where);
    }
    switch (mode) {
    case Project::OpenMode::ReadOnly: return Database::Mode::ReadOnly;
    case Project::OpenMode::MustExist: return Database::Mode::ReadWrite;
    case Project::OpenMode::CreateIfMissing: return Database::Mode::ReadWriteCreate;
    }
    return Database::Mode::ReadWrite;
}
} // namespace

Project::Project(const std::string &path, OpenMode mode)
    : m_db(path, databaseMode(path, mode))
    , m_datasets(m_db)
    , m_runs(m_db)
{
    if (mode == OpenMode::ReadOnly) {
        const int version = m_db.userVersion();
        if (version != currentSchemaVersion()) {
            ErrorLocation where;
            where.file = path;
            throw Error(ErrorCode::Store,
                        "schema version " + std::to_string(version) + " cannot be read-only " +
                            "opened by this build (version " +
                            std::to_string(currentSchemaVersion()) + ")",
                        where);
        }
        return;
    }
    migrate(m_db);
}

int Project::reconcileInterruptedRuns() { return m_runs.markOrphanedRunsInterrupted(); }

} // namespace mtl::store
