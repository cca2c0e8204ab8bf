#include "backgroundtask.h"

#include "common/error.h"
#include "textconv.h"

#include <QtConcurrent/QtConcurrentRun>

namespace mtl::widgets {

BackgroundTask::BackgroundTask(QObject *parent)
    : QObject(parent)
{
    m_progressTimer.setInterval(50);
    connect(&m_progressTimer, &QTimer::timeout, this, &BackgroundTask::publishProgress);
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, &BackgroundTask::onFinished);
}

BackgroundTask::~BackgroundTask()
{
    if (m_running) {
        cancel();
        m_watcher.waitForFinished();
    }
}

bool BackgroundTask::start(const QString &title, Job job)
{
    if (m_running)
        return false;
    m_running = true;
    m_title = title;
    m_cancel.store(false);
    m_lastError.reset();
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_fraction = 0.0;
        m_stage.clear();
    }
    const mtl::ProgressFn report = [this](double fraction, const std::string &stage) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_fraction = fraction;
        m_stage = toQt(stage);
        return !m_cancel.load();
    };
    m_watcher.setFuture(QtConcurrent::run([job = std::move(job), report]() {
        Outcome outcome;
        try {
            outcome.message = job(report);
            outcome.ok = true;
        } catch (const mtl::Error &e) {
            outcome.cancelled = e.code() == mtl::ErrorCode::Interrupted;
            outcome.message = describe(e);
            outcome.error = e;
        } catch (const std::exception &e) {
            outcome.message = QString::fromLocal8Bit(e.what());
        }
        return outcome;
    }));
    m_progressTimer.start();
    return true;
}

void BackgroundTask::waitForFinished()
{
    if (!m_running)
        return;
    m_watcher.waitForFinished();
    onFinished();
}

void BackgroundTask::publishProgress()
{
    double fraction;
    QString stage;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        fraction = m_fraction;
        stage = m_stage;
    }
    Q_EMIT progress(fraction, stage);
}

void BackgroundTask::onFinished()
{
    if (!m_running) // already collected by waitForFinished()
        return;
    m_running = false;
    m_progressTimer.stop();
    const Outcome outcome = m_watcher.result();
    m_lastError = outcome.error;
    Q_EMIT finished(outcome.ok, outcome.message, outcome.cancelled);
}

} // namespace mtl::widgets
