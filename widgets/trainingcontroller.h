#pragma once
// Runs one experiment at a time on a worker thread and reports its progress to the GUI thread.
// The trainer's callbacks are queued under a mutex and delivered on the controller's thread in
// batches at most every 40 ms, so plots redraw ~25 times a second however fast steps come.
// Thread-safety: use from the thread that owns the controller (the GUI thread); every signal
// is emitted on that thread.

#include "store/records.h"
#include "train/catalog.h"
#include "train/trainer.h"

#include <QObject>
#include <QString>
#include <QTimer>
#include <QVector>

#include <atomic>
#include <memory>
#include <mutex>
#include <variant>
#include <vector>

class QThread;

namespace mtl::widgets {

class TrainingController final : public QObject {
    Q_OBJECT
public:
    explicit TrainingController(QObject *parent = nullptr);
    // Stops a running experiment and waits for its worker to save and finish.
    ~TrainingController() override;

    // Starts `config` on `projectPath` in the background. Returns false (and does nothing)
    // when a run is already in progress. Set-up errors arrive through failed().
    bool start(const QString &projectPath, const mtl::experiment::ExperimentConfig &config,
               const mtl::train::TrainerOptions &options = {});
    bool isRunning() const { return m_thread != nullptr; }
    bool isPaused() const { return m_paused; }
    qint64 runId() const { return m_runId; }

    void setPaused(bool paused);
    // Asks the trainer to stop at the next batch; it saves a checkpoint and reports stopped.
    void stop();
    // Asks the trainer to stop once the current epoch is validated and checkpointed.
    void stopAfterEpoch();
    // Blocks until the worker has finished and its last reports were delivered.
    void waitForFinished();

    // How long reports are collected before being delivered (default 40 ms).
    void setCoalescingInterval(int milliseconds) { m_coalesce.setInterval(milliseconds); }

Q_SIGNALS:
    void started(const mtl::train::RunStartInfo &info);
    // Every training step since the last delivery, oldest first (never empty).
    void stepsArrived(const std::vector<mtl::train::StepProgress> &steps);
    void evaluating(qint64 runId, const QString &split, double fraction);
    void evaluated(const mtl::train::EvaluationResult &result);
    void statusChanged(qint64 runId, mtl::store::RunStatus status);
    // The run ended (completed, stopped or failed during training).
    void finished(const mtl::train::RunResult &result);
    // The run could not start (bad config for this dataset, missing dataset, store error).
    void failed(const QString &message);
    // Emitted last, after finished() or failed(), when the worker thread is gone.
    void idle();

private:
    class Listener;
    struct Failure {
        QString message;
    };
    struct Status {
        qint64 runId;
        mtl::store::RunStatus status;
    };
    struct Evaluating {
        qint64 runId;
        std::string split;
        double fraction;
    };
    using Event = std::variant<mtl::train::RunStartInfo, mtl::train::StepProgress,
                               mtl::train::EvaluationResult, Status, Evaluating,
                               mtl::train::RunResult, Failure>;

    void post(Event event); // any thread
    void deliver();         // owner thread
    void onWorkerFinished();

    QThread *m_thread = nullptr;
    std::unique_ptr<mtl::train::Trainer> m_trainer;
    std::unique_ptr<Listener> m_listener;
    QTimer m_coalesce;
    std::mutex m_mutex;
    std::vector<Event> m_queue; // guarded by m_mutex
    bool m_wakePending = false; // guarded by m_mutex
    bool m_paused = false;
    qint64 m_runId = 0;
    quint64 m_generation = 0;
};

} // namespace mtl::widgets
