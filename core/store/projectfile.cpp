#include "store/projectfile.h"

#include "common/error.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>

#include <unistd.h>

namespace mtl::store {

namespace {
void removeWithJournal(const std::string &path)
{
    std::error_code ignored;
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
        std::filesystem::remove(path + suffix, ignored);
}

bool alive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }
} // namespace

PendingProjectFile::PendingProjectFile(std::string target)
    : m_target(std::move(target))
    , m_working(m_target + ".partial-" + std::to_string(::getpid()))
{
    // Working files of killed imports of this target: their process is gone.
    namespace fs = std::filesystem;
    const fs::path target_(m_target);
    const fs::path dir = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
    const std::string prefix = target_.filename().string() + ".partial-";
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) != 0)
            continue;
        const std::string pid = name.substr(prefix.size());
        if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos)
            continue; // "-wal"/"-shm" companions go with their main file
        if (!alive(std::stol(pid)))
            removeWithJournal(entry.path().string());
    }
    removeWithJournal(m_working);
}

PendingProjectFile::~PendingProjectFile()
{
    if (!m_committed)
        removeWithJournal(m_working);
}

void PendingProjectFile::commit()
{
    // link() fails when the target exists: nothing made meanwhile is replaced.
    if (::link(m_working.c_str(), m_target.c_str()) != 0) {
        int error = errno;
        // File systems without hard links: a rename, when nothing is there yet.
        if ((error == EPERM || error == EOPNOTSUPP || error == ENOSYS) &&
            ::access(m_target.c_str(), F_OK) != 0 &&
            ::rename(m_working.c_str(), m_target.c_str()) == 0) {
            m_committed = true;
            return;
        }
        ErrorLocation where;
        where.file = m_target;
        throw Error(ErrorCode::Io,
                    std::string("cannot put the new project in place: ") + std::strerror(error),
                    where);
    }
    m_committed = true;
    removeWithJournal(m_working);
}

} // namespace mtl::store
