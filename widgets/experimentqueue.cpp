#include "experimentqueue.h"

#include <algorithm>

namespace mtl::widgets {

ExperimentQueue::ExperimentQueue(QObject *parent)
    : QAbstractListModel(parent)
{}

int ExperimentQueue::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

QVariant ExperimentQueue::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &entry = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return entry.name;
    case Qt::ToolTipRole: {
        QString tip = entry.spec;
        if (!entry.overrides.isEmpty())
            tip +=
                QLatin1Char('\n') + tr("with %1").arg(entry.overrides.join(QStringLiteral(", ")));
        return tip;
    }
    default:
        return {};
    }
}

void ExperimentQueue::append(const Entry &entry)
{
    const int row = static_cast<int>(m_entries.size());
    beginInsertRows({}, row, row);
    m_entries.append(entry);
    endInsertRows();
    Q_EMIT changed();
}

ExperimentQueue::Entry ExperimentQueue::takeFirst()
{
    Q_ASSERT(!m_entries.isEmpty());
    beginRemoveRows({}, 0, 0);
    Entry first = m_entries.takeFirst();
    endRemoveRows();
    Q_EMIT changed();
    return first;
}

void ExperimentQueue::remove(QList<int> rows)
{
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    bool removed = false;
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
        if (*it < 0 || *it >= m_entries.size())
            continue;
        beginRemoveRows({}, *it, *it);
        m_entries.removeAt(*it);
        endRemoveRows();
        removed = true;
    }
    if (removed)
        Q_EMIT changed();
}

void ExperimentQueue::clear()
{
    if (m_entries.isEmpty())
        return;
    beginResetModel();
    m_entries.clear();
    endResetModel();
    Q_EMIT changed();
}

void ExperimentQueue::setHalted(bool halted)
{
    if (halted == m_halted)
        return;
    m_halted = halted;
    Q_EMIT changed();
}

} // namespace mtl::widgets
