#pragma once
// The project file's schema as a list of forward migrations. PRAGMA user_version holds the
// number of migrations applied; each migration runs in its own transaction.

#include <functional>
#include <string>
#include <vector>

namespace mtl::store {

class Database;

struct Migration {
    int version; // user_version after this migration
    std::string description;
    std::function<void(Database &)> apply;
};

// All migrations of this build, in order; the last one's version is kSchemaVersion.
const std::vector<Migration> &migrations();
int currentSchemaVersion();

// Brings db up to the last migration in `steps`. Throws Error(Store) when the file is newer
// than this build, leaving it untouched; a failing migration is rolled back entirely.
// Returns the number of migrations applied.
int migrate(Database &db, const std::vector<Migration> &steps = migrations());

} // namespace mtl::store
