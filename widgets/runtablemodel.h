#pragma once
// The runs of a project as a table: id, experiment, status, progress, speed, device, times.
// Fed with whole lists read off the GUI thread (setRuns) plus live progress of the run being
// trained (updateProgress/updateStatus), which keeps rows current between reloads.

#include "store/records.h"

#include <QAbstractTableModel>

#include <vector>

namespace mtl::widgets {

class RunTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Id, Experiment, Dataset, Status, Progress, Speed, Device, Started, ColumnCount };
    enum Role { RunIdRole = Qt::UserRole, StatusRole, ErrorRole };

    explicit RunTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Replaces the list (newest first). Keeps rows that did not change untouched for views.
    void setRuns(std::vector<mtl::store::RunInfo> runs);
    void updateProgress(qint64 runId, qint64 stepsDone, qint64 stepsTotal, double imagesPerSecond);
    void updateStatus(qint64 runId, mtl::store::RunStatus status, const QString &error = {});

    int rowOf(qint64 runId) const; // -1 when absent
    const mtl::store::RunInfo *run(int row) const;

    static QString statusText(mtl::store::RunStatus status);

private:
    void rowChanged(int row);
    std::vector<mtl::store::RunInfo> m_runs;
};

} // namespace mtl::widgets
