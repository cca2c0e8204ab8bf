#pragma once
// File ▸ Open Recent: the projects opened last (newest first, at most 8, kept in QSettings
// under "recentProjects"), those that still exist as numbered entries, and Clear List.
// GUI thread only.

#include <QMenu>
#include <QStringList>

namespace mtl::widgets {

class RecentProjectsMenu final : public QMenu {
    Q_OBJECT
public:
    explicit RecentProjectsMenu(QWidget *parent = nullptr);

    // The list as stored, newest first (entries may no longer exist).
    static QStringList recentProjects();
    // Puts `path` (absolute) first and rebuilds the menu.
    void add(const QString &path);
    // Re-reads the list; the menu is disabled when no entry exists.
    void rebuild();

Q_SIGNALS:
    void projectChosen(const QString &path);
};

} // namespace mtl::widgets
