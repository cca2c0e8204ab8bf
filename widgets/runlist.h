#pragma once
// The project's runs as a table, newest first, with at most one selected run. Owns its model.
// After a reload it selects the run asked for (selectAfterReload), or again the run shown
// before when the reload replaced the rows (and with them the selection). GUI thread only.

#include "store/records.h"

#include <QTableView>

#include <vector>

namespace mtl::widgets {

class RunTableModel;

class RunList final : public QTableView {
    Q_OBJECT
public:
    explicit RunList(QWidget *parent = nullptr);

    RunTableModel *runs() const { return m_runs; }
    qint64 selectedRunId() const; // 0 when none

    // The run to select when the next list arrives; -1 for the newest.
    void selectAfterReload(qint64 runId) { m_selectAfterReload = runId; }
    // Replaces the list (newest first). The row of `liveRunId`, a run being trained, keeps
    // the progress and status it has (the file lags behind by up to a second); `shownRunId`
    // is the run shown now. Returns whether a run was selected.
    bool setRuns(std::vector<mtl::store::RunInfo> runs, qint64 liveRunId, qint64 shownRunId);

Q_SIGNALS:
    void runSelected(); // the selection changed

private:
    RunTableModel *m_runs;
    qint64 m_selectAfterReload = 0;
    qint64 m_shownRunId = 0;
};

} // namespace mtl::widgets
