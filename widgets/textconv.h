#pragma once
// Conversions between core's std types and Qt's, and how core errors read in the GUI.

#include "common/error.h"

#include <QString>
#include <QStringList>

#include <string>
#include <vector>

namespace mtl::widgets {

inline QString toQt(const std::string &text) { return QString::fromStdString(text); }
inline std::string toStd(const QString &text) { return text.toStdString(); }

inline QStringList toQt(const std::vector<std::string> &items)
{
    QStringList list;
    list.reserve(static_cast<qsizetype>(items.size()));
    for (const std::string &item : items)
        list.append(QString::fromStdString(item));
    return list;
}

// "file:line: message" etc., as the CLI prints it.
inline QString describe(const mtl::Error &error)
{
    return QString::fromStdString(mtl::Error::describe(error.message(), error.where()));
}

// 83 → "1:23", 3725 → "1:02:05".
inline QString formatDuration(double seconds)
{
    const qint64 s = seconds < 0 ? 0 : static_cast<qint64>(seconds + 0.5);
    const qint64 h = s / 3600, m = (s / 60) % 60, r = s % 60;
    if (h > 0)
        return QStringLiteral("%1:%2:%3")
            .arg(h)
            .arg(m, 2, 10, QLatin1Char('0'))
            .arg(r, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(m).arg(r, 2, 10, QLatin1Char('0'));
}

} // namespace mtl::widgets
