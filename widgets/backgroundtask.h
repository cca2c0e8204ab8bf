#pragma once
// Runs one long engine operation (an import, an export) on a pool thread, with progress and
// cancellation, and reports on the thread that owns the task. Progress is delivered at most
// every 50 ms. The job returns a one-line summary or throws mtl::Error.

#include "common/error.h"
#include "common/progress.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace mtl::widgets {

class BackgroundTask final : public QObject {
    Q_OBJECT
public:
    using Job = std::function<QString(const mtl::ProgressFn &progress)>;

    explicit BackgroundTask(QObject *parent = nullptr);
    ~BackgroundTask() override; // cancels and waits

    // Returns false when a job is already running.
    bool start(const QString &title, Job job);
    bool isRunning() const { return m_running; }
    QString title() const { return m_title; }
    // Asks the job to stop at its next progress report; it then fails with "cancelled".
    void cancel() { m_cancel.store(true); }
    void waitForFinished();
    // The mtl::Error the last job threw; nullopt when it succeeded or failed otherwise. Valid
    // from finished() on, until the next start().
    const std::optional<mtl::Error> &lastError() const { return m_lastError; }

Q_SIGNALS:
    void progress(double fraction, const QString &stage);
    // ok: the summary; otherwise the error (file, offset or line included).
    void finished(bool ok, const QString &message, bool cancelled);

private:
    struct Outcome {
        bool ok = false;
        bool cancelled = false;
        QString message;
        std::optional<mtl::Error> error;
    };
    void publishProgress();
    void onFinished();

    QFutureWatcher<Outcome> m_watcher;
    QTimer m_progressTimer;
    std::mutex m_mutex;
    double m_fraction = 0.0; // guarded by m_mutex
    QString m_stage;         // guarded by m_mutex
    std::atomic<bool> m_cancel{false};
    bool m_running = false;
    QString m_title;
    std::optional<mtl::Error> m_lastError;
};

} // namespace mtl::widgets
