#include "recentprojectsmenu.h"

#include <QAction>
#include <QFileInfo>
#include <QSettings>

namespace mtl::widgets {

namespace {
const char *const kRecentKey = "recentProjects"; // QStringList, newest first
constexpr int kMaxRecent = 8;
} // namespace

RecentProjectsMenu::RecentProjectsMenu(QWidget *parent)
    : QMenu(parent)
{
    setTitle(tr("Open &Recent"));
    rebuild();
}

QStringList RecentProjectsMenu::recentProjects()
{
    return QSettings().value(QLatin1String(kRecentKey)).toStringList();
}

void RecentProjectsMenu::add(const QString &path)
{
    QStringList recent = recentProjects();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    QSettings().setValue(QLatin1String(kRecentKey), recent);
    rebuild();
}

void RecentProjectsMenu::rebuild()
{
    clear();
    int n = 0;
    for (const QString &path : recentProjects()) {
        if (!QFileInfo::exists(path))
            continue;
        ++n;
        QAction *action =
            addAction(QStringLiteral("&%1 %2").arg(n).arg(QFileInfo(path).fileName()));
        action->setToolTip(path);
        action->setStatusTip(path);
        connect(action, &QAction::triggered, this, [this, path] { Q_EMIT projectChosen(path); });
    }
    if (n > 0) {
        addSeparator();
        addAction(tr("Clear List"), this, [this] {
            QSettings().remove(QLatin1String(kRecentKey));
            rebuild();
        });
    }
    setEnabled(n > 0);
}

} // namespace mtl::widgets
