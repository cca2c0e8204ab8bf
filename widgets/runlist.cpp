#include "runlist.h"

#include "runtablemodel.h"
#include "viewhelpers.h"

#include <QItemSelectionModel>

namespace mtl::widgets {

RunList::RunList(QWidget *parent)
    : QTableView(parent)
    , m_runs(new RunTableModel(this))
{
    styleTable(this, m_runs);
    connect(selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunList::runSelected);
    connect(m_runs, &QAbstractItemModel::modelReset, this, [this] {
        // Re-bind after a reset: the old selection is gone with the rows.
        if (m_selectAfterReload == 0 && m_runs->rowCount() > 0)
            m_selectAfterReload = m_shownRunId;
    });
}

qint64 RunList::selectedRunId() const
{
    const QModelIndexList rows = selectionModel()->selectedRows();
    return rows.isEmpty() ? 0 : rows.first().data(RunTableModel::RunIdRole).toLongLong();
}

bool RunList::setRuns(std::vector<mtl::store::RunInfo> runs, qint64 liveRunId, qint64 shownRunId)
{
    const int liveRow = liveRunId > 0 ? m_runs->rowOf(liveRunId) : -1;
    mtl::store::RunInfo live;
    if (liveRow >= 0)
        live = *m_runs->run(liveRow);
    const qint64 newest = runs.empty() ? 0 : runs.front().id;
    m_shownRunId = shownRunId;
    m_runs->setRuns(std::move(runs));
    if (live.id != 0) {
        m_runs->updateProgress(live.id, live.stepsDone, live.stepsTotal, live.imagesPerSecond);
        m_runs->updateStatus(live.id, live.status);
    }
    qint64 select = m_selectAfterReload;
    m_selectAfterReload = 0;
    if (select == -1)
        select = newest;
    const int row = select > 0 ? m_runs->rowOf(select) : -1;
    if (row >= 0)
        selectRow(row);
    return row >= 0;
}

} // namespace mtl::widgets
