#pragma once
// One run as the workbench shows it: a title, a details line, a result line (final accuracy,
// or why it stopped or failed, with how to resume it), the training-loss and validation-
// accuracy plots, and a per-attribute accuracy table with its heading (placed by the window).
// It shows the live run (whose details line is kept as set) or a recorded one, whichever the
// window gives it. GUI thread only.

#include "projectreader.h"

#include <QKeySequence>
#include <QString>
#include <QVector>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace mtl::widgets {

class CurvePlot;
class RunTableModel;
class TrainingController;

class RunView final : public QWidget {
    Q_OBJECT
public:
    // `runs` tells "no runs yet" from "no run selected"; `training` whether a resume can be
    // offered now. Both are only read, while the view shows a run.
    RunView(const RunTableModel *runs, const TrainingController *training,
            QWidget *parent = nullptr);

    // The heading and table of per-attribute accuracy, hidden when the run has none.
    QLabel *attributeHeading() const { return m_attributeHeading; }
    QTableWidget *attributeTable() const { return m_attributeTable; }
    CurvePlot *lossPlot() const { return m_lossPlot; }
    CurvePlot *accuracyPlot() const { return m_accuracyPlot; }

    void setProjectOpen(bool open) { m_projectOpen = open; }
    // Named in the hint on how to continue a stopped run.
    void setResumeShortcut(const QKeySequence &shortcut) { m_resumeShortcut = shortcut; }

    // Shows `curves` from scratch (plots redrawn); `live`: the run being trained.
    void showRun(const RunCurves &curves, bool live);
    // Shows the displayed run's new state (status, results) without redrawing the plots.
    void showHeader(const RunCurves &curves);
    // Re-renders the header, e.g. after the run list was read.
    void refreshHeader() { showHeader(m_displayed); }
    const RunCurves &displayed() const { return m_displayed; }
    qint64 displayedRunId() const { return m_displayed.runId; }
    bool isLive() const { return m_live; }
    void setLive(bool live) { m_live = live; }

    // The live run's new points and state; ignored unless the view shows the live run.
    void addLiveLoss(const QString &task, const QVector<double> &steps,
                     const QVector<double> &losses);
    void addLiveValidation(const QString &task, double epoch, double accuracy);
    void showLiveHeader(const RunCurves &curves);

    // The live run before the trainer reports: its data set is loading.
    void showLoading(const QString &dataset);
    // The live run has started: `details` describes it (kept until another run is shown).
    void showStarted(const RunCurves &curves, const QString &details, bool redraw);

private:
    // The score plot's title and axis: "accuracy", or "score" when a dense task is shown.
    void nameScores(const RunCurves &curves);
    void showAttributes(const RunCurves &curves);

    const RunTableModel *m_runs;
    const TrainingController *m_training;
    RunCurves m_displayed;
    bool m_live = false;
    bool m_projectOpen = false;
    QKeySequence m_resumeShortcut;

    QLabel *m_title, *m_details, *m_result;
    CurvePlot *m_lossPlot, *m_accuracyPlot;
    QLabel *m_attributeHeading;
    QTableWidget *m_attributeTable;
};

} // namespace mtl::widgets
