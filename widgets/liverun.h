#pragma once
// The run being trained: starts it in the session's project (a resumed run once what it had
// recorded is read), and keeps its curves and results as TrainingController reports them
// (steps, validations, the final evaluation, status changes), with the progress/ETA line that
// goes with them. Evaluation rows are interpreted by mtl::store::RunMetrics, as for recorded
// runs; a resumed run starts with what it had recorded up to its checkpoint.
// Thread contract: GUI thread only (the controller's and the session's signals arrive there);
// each signal is emitted after curves() has taken in what it reports.

#include "experiment/config.h"
#include "projectreader.h"
#include "store/runmetrics.h"

#include <QObject>
#include <QString>
#include <QVector>

#include <optional>
#include <vector>

namespace mtl::train {
struct EvaluationResult;
struct RunResult;
struct RunStartInfo;
struct StepProgress;
} // namespace mtl::train

namespace mtl::widgets {

class ProjectSession;
class TrainingController;

class LiveRun final : public QObject {
    Q_OBJECT
public:
    LiveRun(TrainingController *training, ProjectSession *session, QObject *parent = nullptr);

    // Starts a new run of `config`, queued until the trainer reports: its tasks, no points.
    void start(const mtl::experiment::ExperimentConfig &config);
    // Continues run `runId` (with its own `config`): reads what it recorded first, so that
    // nothing the resumed run writes is mistaken for it, then starts the trainer.
    void resume(qint64 runId, const mtl::experiment::ExperimentConfig &config);
    // A resume is waiting for the recorded curves; the trainer has not started yet.
    bool isStarting() const { return m_pending.has_value(); }

    const RunCurves &curves() const { return m_curves; }
    qint64 runId() const { return m_curves.runId; }
    // Device, model, sizes and epochs of the started run (empty before it starts).
    QString startDetails() const { return m_startDetails; }

    // "Run 3 completed in 1:02 (2,345 images/s): test accuracy kind 81.2%, …".
    static QString summary(const mtl::train::RunResult &result);

Q_SIGNALS:
    // The trainer started the run; `withRecorded`: curves() begins with recorded points.
    void started(const mtl::train::RunStartInfo &info, bool withRecorded);
    void lossAdded(const QString &task, const QVector<double> &steps,
                   const QVector<double> &losses);
    void validationAdded(const QString &task, double epoch, double accuracy);
    // Results or status changed (the run's header is out of date); `curves` is curves().
    void changed(const mtl::widgets::RunCurves &curves);
    void statusChanged(qint64 runId, mtl::store::RunStatus status);
    void finished(const mtl::train::RunResult &result);
    void progressChanged(qint64 stepsDone, qint64 stepsTotal);
    void progressTextChanged(const QString &text);

private:
    void begin(const mtl::experiment::ExperimentConfig &config);
    void onRecordedCurvesRead(const RunCurves &recorded);
    void onStarted(const mtl::train::RunStartInfo &info);
    void onSteps(const std::vector<mtl::train::StepProgress> &steps);
    void onEvaluating(qint64 runId, const QString &split, double fraction);
    void onEvaluated(const mtl::train::EvaluationResult &result);
    void onStatus(qint64 runId, mtl::store::RunStatus status);
    void onFinished(const mtl::train::RunResult &result);

    TrainingController *m_training;
    ProjectSession *m_session;
    struct PendingResume {
        qint64 runId = 0;
        mtl::experiment::ExperimentConfig config;
    };
    std::optional<PendingResume> m_pending;
    RunCurves m_curves;
    RunCurves m_recorded;             // of the run being resumed, until it starts
    mtl::store::RunMetrics m_metrics; // every evaluation of the live run so far
    QString m_startDetails;
};

} // namespace mtl::widgets
