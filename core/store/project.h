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
        MustExist,       // read-write; error when the file does not exist
        CreateIfMissing, // read-write; an empty project when the file does not exist or is empty
        ReadOnly,        // never writes; refuses files of an older schema version
        Read,            // reads; a project of an older schema version is upgraded first (the
                         // one write it makes), or refused when the file cannot be written
    };
    enum class Checks {
        Identity,  // the file is an SQLite database that is an MTL Studio project (cheap)
        Integrity, // and SQLite's quick_check finds no damage (reads every page: ~0.5 s for
                   // the 80 MB demo project); for commands a user starts, not periodic reads
    };

    // Opens, checks the file is a project (nothing is written to a file that is not one),
    // and migrates in the read-write modes. Throws mtl::Error naming the file: NotFound,
    // InvalidInput (a directory, a device or FIFO, an empty file, a database that is not a
    // project), Store (damaged, newer, SQLite errors).
    explicit Project(const std::string &path, OpenMode mode = OpenMode::MustExist,
                     Checks checks = Checks::Identity);

    const std::string &path() const { return m_db.path(); }
    Database &db() { return m_db; }
    DatasetStore &datasets() { return m_datasets; }
    RunStore &runs() { return m_runs; }

    // "MTLS": PRAGMA application_id of every project this build writes. Projects of earlier
    // builds have 0 there and are recognised by their schema; opening one for writing sets it.
    static constexpr std::int64_t kApplicationId = 0x4D544C53;

    // Marks runs left "running", "paused" or "queued" by a process of this host that no longer
    // exists as "interrupted" (the process was killed). Returns how many were marked.
    int reconcileInterruptedRuns();

private:
    Database m_db;
    DatasetStore m_datasets;
    RunStore m_runs;
};

} // namespace mtl::store
