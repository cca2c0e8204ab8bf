#include "store/project.h"

#include "common/error.h"
#include "store/schema.h"

#include <algorithm>
#include <filesystem>

#include <sys/stat.h>
#include <unistd.h>

namespace mtl::store {

namespace {

ErrorLocation at(const std::string &path)
{
    ErrorLocation where;
    where.file = path;
    return where;
}

// What the file's header and schema say about it, read without writing.
struct Identity {
    std::int64_t applicationId = 0;
    int userVersion = 0;
    std::vector<std::string> tables;

    bool blank() const { return applicationId == 0 && userVersion == 0 && tables.empty(); }
    bool ours() const
    {
        if (applicationId == Project::kApplicationId)
            return true;
        // Projects of builds before the application id: our schema, nothing else's id.
        const auto has = [&](const char *table) {
            return std::find(tables.begin(), tables.end(), table) != tables.end();
        };
        return applicationId == 0 && userVersion >= 1 && has("datasets") && has("runs");
    }
};

Identity identify(Database &db)
{
    Identity id;
    id.applicationId = db.scalar("PRAGMA application_id");
    id.userVersion = db.userVersion();
    Statement st(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                     "'sqlite_%' ORDER BY name");
    while (st.step())
        id.tables.push_back(st.text(0));
    return id;
}

Error notAProject(const std::string &path, const Identity &id)
{
    std::string what = "an SQLite database";
    if (!id.tables.empty()) {
        std::string list;
        for (std::size_t i = 0; i < id.tables.size() && i < 5; ++i)
            list += (i ? ", " : "") + id.tables[i];
        if (id.tables.size() > 5)
            list += ", …";
        what += " with the tables " + list;
    }
    return Error(ErrorCode::InvalidInput,
                 "not an MTL Studio project (" + what + "); nothing was changed", at(path));
}

void checkIntegrity(Database &db)
{
    std::vector<std::string> problems;
    try {
        Statement st(db, "PRAGMA quick_check(5)");
        while (st.step())
            problems.push_back(st.text(0));
    } catch (const Error &e) {
        if (e.message().rfind("the project file is damaged", 0) == 0)
            throw;
        problems = {e.message()};
    }
    if (problems.size() == 1 && problems.front() == "ok")
        return;
    // The first problem, on one line ("*** in database main ***" is only a heading).
    std::string first = problems.empty() ? "no answer" : problems.front();
    const std::string heading = "*** in database main ***";
    if (first.rfind(heading, 0) == 0)
        first.erase(0, heading.size());
    for (char &c : first)
        if (c == '\n' || c == '\r')
            c = ' ';
    while (!first.empty() && first.front() == ' ')
        first.erase(0, 1);
    if (const auto cut = first.find("  "); cut != std::string::npos)
        first.resize(cut);
    throw Error(ErrorCode::Store,
                "the project file is damaged (SQLite quick_check: " + first +
                    "); it was not changed — restore it from a backup",
                at(db.path()));
}

// The file and its folder (where SQLite keeps the WAL) may be written by this process.
bool canWrite(const std::string &path)
{
    const std::string dir = std::filesystem::path(path).parent_path().string();
    return ::access(path.c_str(), W_OK) == 0 && ::access(dir.empty() ? "." : dir.c_str(), W_OK) == 0;
}

// Read mode: a project of an older schema is upgraded in place before it is read.
void upgradeIfOlder(const std::string &path)
{
    int version = 0;
    {
        Database probe(path, Database::Mode::ReadOnly);
        const Identity id = identify(probe);
        if (!id.ours())
            throw notAProject(path, id);
        version = id.userVersion;
    }
    if (version >= currentSchemaVersion())
        return;
    if (!canWrite(path))
        throw Error(ErrorCode::Store,
                    "written by an older MTL Studio (schema version " + std::to_string(version) +
                        ") and read-only here, so it cannot be upgraded to version " +
                        std::to_string(currentSchemaVersion()) +
                        "; open it once where it can be written",
                    at(path));
    Project upgrade(path, Project::OpenMode::MustExist);
}

// Checks the path before SQLite sees it; returns how to open it.
Database::Mode openFile(const std::string &path, Project::OpenMode mode)
{
    struct stat info {};
    const bool exists = ::stat(path.c_str(), &info) == 0;
    if (!exists) {
        if (mode != Project::OpenMode::CreateIfMissing)
            throw Error(ErrorCode::NotFound, "project file does not exist", at(path));
        return Database::Mode::ReadWriteCreate;
    }
    if (S_ISDIR(info.st_mode))
        throw Error(ErrorCode::InvalidInput, "is a directory, not a project file", at(path));
    if (!S_ISREG(info.st_mode))
        throw Error(ErrorCode::InvalidInput,
                    "is not a regular file (a device, FIFO or socket), not a project file",
                    at(path));
    if (info.st_size == 0 && mode != Project::OpenMode::CreateIfMissing)
        throw Error(ErrorCode::InvalidInput,
                    "is an empty file, not an MTL Studio project (importing a dataset into it "
                    "makes it one)",
                    at(path));
    const bool writes =
        mode == Project::OpenMode::MustExist || mode == Project::OpenMode::CreateIfMissing;
    if (writes && !canWrite(path))
        throw Error(ErrorCode::Io,
                    "is read-only here (the file or its folder may not be written): it can be "
                    "read, not changed",
                    at(path));
    switch (mode) {
    case Project::OpenMode::Read: upgradeIfOlder(path); return Database::Mode::ReadOnly;
    case Project::OpenMode::ReadOnly: return Database::Mode::ReadOnly;
    case Project::OpenMode::MustExist:
    case Project::OpenMode::CreateIfMissing: return Database::Mode::ReadWrite;
    }
    return Database::Mode::ReadWrite;
}

} // namespace

Project::Project(const std::string &path, OpenMode mode, Checks checks)
    : m_db(path, openFile(path, mode))
    , m_datasets(m_db)
    , m_runs(m_db)
{
    const Identity id = identify(m_db);
    const bool becomesProject = id.blank() && mode == OpenMode::CreateIfMissing;
    if (!id.ours() && !becomesProject)
        throw notAProject(path, id);
    if (checks == Checks::Integrity && !becomesProject)
        checkIntegrity(m_db);
    if (mode == OpenMode::ReadOnly || mode == OpenMode::Read) {
        if (id.userVersion > currentSchemaVersion())
            throw Error(ErrorCode::Store,
                        "written by a newer MTL Studio (schema version " +
                            std::to_string(id.userVersion) + "; this build reads up to " +
                            std::to_string(currentSchemaVersion()) + ")",
                        at(path));
        if (id.userVersion != currentSchemaVersion())
            throw Error(ErrorCode::Store,
                        "schema version " + std::to_string(id.userVersion) +
                            " cannot be opened read-only by this build (version " +
                            std::to_string(currentSchemaVersion()) + ")",
                        at(path));
        return;
    }
    if (id.userVersion > currentSchemaVersion())
        migrate(m_db); // refuses, naming both versions, before anything is written
    if (becomesProject) // only an empty database takes it; before the first table
        m_db.exec("PRAGMA auto_vacuum = INCREMENTAL");
    m_db.enableWal();
    migrate(m_db);
    if (id.applicationId != kApplicationId)
        m_db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
}

int Project::reconcileInterruptedRuns() { return m_runs.markOrphanedRunsInterrupted(); }

} // namespace mtl::store
