#pragma once
// An open project file (*.mtlproj): one SQLite connection, migrated to this build's schema.
// Thread-safety: a Project belongs to one thread. Other threads (the trainer) open their own.

#include "store/datasetstore.h"
#include "store/runstore.h"
#include "store/sqlite.h"

#include <memory>
#include <string>

namespace mtl::store {

class Project {
public:
    enum class OpenMode {
        MustExist,       // error when the file does not exist
        CreateIfMissing, // create an empty project when the file does not exist
        ReadOnly,        // never writes; refuses files of an older schema version
    };

    // Opens and migrates. Throws mtl::Error (NotFound, Store) naming the file.
    explicit Project(const std::string &path, OpenMode mode = OpenMode::MustExist);

    const std::string &path() const { return m_db.path(); }
    Database &db() { return m_db; }
    DatasetStore &datasets() { return m_datasets; }
    RunStore &runs() { return m_runs; }

    // Marks runs left "running", "paused" or "queued" by a process of this host that no longer
    // exists as "interrupted" (the process was killed). Returns how many were marked.
    int reconcileInterruptedRuns();

private:
    Database m_db;
    DatasetStore m_datasets;
    RunStore m_runs;
};

} // namespace mtl::store
