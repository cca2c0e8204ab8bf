#pragma once
// A project file made under a temporary name and put in place only when it is complete, so a
// command that creates a project (an import into a new file) never leaves a half-made or
// empty project behind, even when it is killed: until commit() the target does not exist;
// the working file "<target>.partial-<pid>" is removed on failure, and one left by a killed
// process is removed by the next PendingProjectFile for the same target.
//   PendingProjectFile file(path);
//   { store::Project project(file.workingPath(), Project::OpenMode::CreateIfMissing); … }
//   file.commit(); // after the Project is closed
// Not thread-safe; one per target at a time per process.

#include <string>

namespace mtl::store {

class PendingProjectFile {
public:
    explicit PendingProjectFile(std::string target);
    ~PendingProjectFile(); // removes the working file unless committed
    PendingProjectFile(const PendingProjectFile &) = delete;
    PendingProjectFile &operator=(const PendingProjectFile &) = delete;

    const std::string &workingPath() const { return m_working; }
    // Moves the closed working file to the target without replacing a file that appeared
    // there meanwhile. Throws Error(Io) naming the target when it cannot.
    void commit();

private:
    std::string m_target, m_working;
    bool m_committed = false;
};

} // namespace mtl::store
