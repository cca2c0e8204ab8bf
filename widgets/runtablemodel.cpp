#include "runtablemodel.h"

#include "textconv.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QLocale>

#include <algorithm>

namespace mtl::widgets {

using mtl::store::RunInfo;
using mtl::store::RunStatus;

namespace {

QString localTime(const std::string &iso)
{
    if (iso.empty())
        return {};
    QDateTime time = QDateTime::fromString(toQt(iso), Qt::ISODate);
    if (!time.isValid())
        return toQt(iso);
    const QDateTime local = time.toLocalTime();
    // Compact within the current year; the full date is in the tooltip.
    return local.toString(local.date().year() == QDate::currentDate().year()
                              ? QStringLiteral("MM-dd HH:mm")
                              : QStringLiteral("yyyy-MM-dd HH:mm"));
}

QColor statusColor(RunStatus status)
{
    switch (status) {
    case RunStatus::Running: return QColor(0x1f, 0x6f, 0xb4);
    case RunStatus::Paused: return QColor(0xb0, 0x7a, 0x00);
    case RunStatus::Completed: return QColor(0x2e, 0x7d, 0x32);
    case RunStatus::Failed:
    case RunStatus::Interrupted: return QColor(0xc6, 0x28, 0x28);
    case RunStatus::Queued:
    case RunStatus::Stopped: break;
    }
    return QColor(0x60, 0x60, 0x60);
}

} // namespace

RunTableModel::RunTableModel(QObject *parent) : QAbstractTableModel(parent) {}

int RunTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int RunTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString RunTableModel::statusText(RunStatus status)
{
    switch (status) {
    case RunStatus::Queued: return tr("queued");
    case RunStatus::Running: return tr("running");
    case RunStatus::Paused: return tr("paused");
    case RunStatus::Completed: return tr("completed");
    case RunStatus::Stopped: return tr("stopped");
    case RunStatus::Failed: return tr("failed");
    case RunStatus::Interrupted: return tr("interrupted");
    }
    return {};
}

QVariant RunTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RunInfo &r = m_runs[static_cast<std::size_t>(index.row())];
    switch (role) {
    case RunIdRole: return QVariant::fromValue<qint64>(r.id);
    case StatusRole: return static_cast<int>(r.status);
    case ErrorRole: return toQt(r.error);
    case Qt::TextAlignmentRole:
        if (index.column() == Id || index.column() == Progress || index.column() == Speed)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Status)
            return QBrush(statusColor(r.status));
        return {};
    case Qt::ToolTipRole:
        if (!r.error.empty())
            return toQt(r.error);
        if (!r.note.empty() && index.column() == Status)
            return toQt(r.note);
        if (index.column() == Started) {
            const QString started = toQt(r.startedAt.empty() ? r.createdAt : r.startedAt);
            return r.finishedAt.empty()
                       ? tr("Started %1").arg(started)
                       : tr("Started %1, finished %2").arg(started, toQt(r.finishedAt));
        }
        return {};
    case Qt::DisplayRole: break;
    default: return {};
    }
    switch (static_cast<Column>(index.column())) {
    case Id: return QVariant::fromValue<qint64>(r.id);
    case Experiment: return toQt(r.experimentName);
    case Dataset: return toQt(r.datasetName);
    case Status: return statusText(r.status);
    case Progress:
        if (r.stepsTotal <= 0)
            return QString();
        return QStringLiteral("%1 %").arg(100.0 * static_cast<double>(r.stepsDone) /
                                              static_cast<double>(r.stepsTotal),
                                          0, 'f', 0);
    case Speed:
        return r.imagesPerSecond > 0 ? QLocale().toString(r.imagesPerSecond, 'f', 0) : QString();
    case Device: return toQt(r.device);
    case Started: return localTime(r.startedAt.empty() ? r.createdAt : r.startedAt);
    case ColumnCount: break;
    }
    return {};
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole && section == Speed)
        return tr("Training images per second (start-up and evaluation excluded)");
    if (role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case Id: return tr("Run");
    case Experiment: return tr("Experiment");
    case Dataset: return tr("Dataset");
    case Status: return tr("Status");
    case Progress: return tr("Progress");
    case Speed: return tr("Images/s");
    case Device: return tr("Device");
    case Started: return tr("Started");
    case ColumnCount: break;
    }
    return {};
}

void RunTableModel::setRuns(std::vector<RunInfo> runs)
{
    const bool sameRows =
        runs.size() == m_runs.size() &&
        std::equal(runs.begin(), runs.end(), m_runs.begin(),
                   [](const RunInfo &a, const RunInfo &b) { return a.id == b.id; });
    if (!sameRows) {
        beginResetModel();
        m_runs = std::move(runs);
        endResetModel();
        return;
    }
    m_runs = std::move(runs);
    if (!m_runs.empty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int RunTableModel::rowOf(qint64 runId) const
{
    const auto it = std::find_if(m_runs.begin(), m_runs.end(),
                                 [runId](const RunInfo &r) { return r.id == runId; });
    return it == m_runs.end() ? -1 : static_cast<int>(it - m_runs.begin());
}

const RunInfo *RunTableModel::run(int row) const
{
    return row >= 0 && row < rowCount() ? &m_runs[static_cast<std::size_t>(row)] : nullptr;
}

void RunTableModel::rowChanged(int row)
{
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void RunTableModel::updateProgress(qint64 runId, qint64 stepsDone, qint64 stepsTotal,
                                   double imagesPerSecond)
{
    const int row = rowOf(runId);
    if (row < 0)
        return;
    RunInfo &r = m_runs[static_cast<std::size_t>(row)];
    r.stepsDone = stepsDone;
    r.stepsTotal = stepsTotal;
    r.imagesPerSecond = imagesPerSecond;
    rowChanged(row);
}

void RunTableModel::updateStatus(qint64 runId, RunStatus status, const QString &error)
{
    const int row = rowOf(runId);
    if (row < 0)
        return;
    RunInfo &r = m_runs[static_cast<std::size_t>(row)];
    r.status = status;
    if (!error.isEmpty())
        r.error = toStd(error);
    rowChanged(row);
}

} // namespace mtl::widgets
