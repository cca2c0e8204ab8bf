#include "trainingcontroller.h"

#include "common/error.h"
#include "textconv.h"

#include <QThread>

namespace mtl::widgets {

using namespace mtl::train;

// Called on the worker thread by the trainer; forwards everything to the controller's queue.
class TrainingController::Listener final : public TrainerListener {
public:
    explicit Listener(TrainingController *owner) : m_owner(owner) {}
    void runStarted(const RunStartInfo &info) override { m_owner->post(info); }
    void stepFinished(const StepProgress &progress) override { m_owner->post(progress); }
    void evaluated(const EvaluationResult &result) override { m_owner->post(result); }
    void statusChanged(std::int64_t runId, store::RunStatus status) override
    {
        m_owner->post(Status{runId, status});
    }
    void evaluating(const std::string &split, double fraction) override
    {
        m_owner->post(Evaluating{m_owner->m_trainer->runId(), split, fraction});
    }

private:
    TrainingController *m_owner;
};

TrainingController::TrainingController(QObject *parent) : QObject(parent)
{
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(40);
    connect(&m_coalesce, &QTimer::timeout, this, &TrainingController::deliver);
}

TrainingController::~TrainingController()
{
    if (m_thread) {
        stop();
        m_thread->wait();
        delete m_thread;
    }
}

bool TrainingController::start(const QString &projectPath,
                               const mtl::experiment::ExperimentConfig &config,
                               const TrainerOptions &options)
{
    if (m_thread)
        return false;
    TrainerOptions withFrontEnd = options; // recorded with the run (runs.environment)
    withFrontEnd.environment.emplace("front_end", "mtlstudio");
    withFrontEnd.environment.emplace("qt", qVersion());
    m_trainer = std::make_unique<Trainer>(toStd(projectPath), config, withFrontEnd);
    m_listener = std::make_unique<Listener>(this);
    m_paused = false;
    m_runId = 0;
    Trainer *trainer = m_trainer.get();
    Listener *listener = m_listener.get();
    m_thread = QThread::create([this, trainer, listener] {
        try {
            trainer->prepare();
        } catch (const mtl::Error &e) {
            post(Failure{describe(e)});
            return;
        } catch (const std::exception &e) {
            post(Failure{QString::fromLocal8Bit(e.what())});
            return;
        }
        post(trainer->run(listener)); // never throws: failures come back as a result
    });
    m_thread->setObjectName(QStringLiteral("training"));
    // The generation guards against a late "finished" of a worker waitForFinished() already
    // collected, arriving after the next run has started.
    const quint64 generation = ++m_generation;
    connect(m_thread, &QThread::finished, this, [this, generation] {
        if (generation == m_generation)
            onWorkerFinished();
    });
    m_thread->start();
    return true;
}

void TrainingController::setPaused(bool paused)
{
    if (!m_trainer || m_paused == paused)
        return;
    m_paused = paused;
    m_trainer->setPaused(paused);
}

void TrainingController::stop()
{
    if (m_trainer)
        m_trainer->requestStop();
}

void TrainingController::stopAfterEpoch()
{
    if (m_trainer)
        m_trainer->requestStopAfterEpoch();
}

void TrainingController::waitForFinished()
{
    if (!m_thread)
        return;
    m_thread->wait();
    onWorkerFinished();
}

void TrainingController::post(Event event)
{
    bool wake = false;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_queue.push_back(std::move(event));
        wake = !m_wakePending;
        m_wakePending = true;
    }
    if (wake)
        QMetaObject::invokeMethod(
            this, [this] { if (!m_coalesce.isActive()) m_coalesce.start(); },
            Qt::QueuedConnection);
}

void TrainingController::deliver()
{
    std::vector<Event> events;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        events.swap(m_queue);
        m_wakePending = false;
    }
    std::vector<StepProgress> steps;
    const auto flushSteps = [&] {
        if (!steps.empty())
            Q_EMIT stepsArrived(steps);
        steps.clear();
    };
    for (Event &event : events) {
        if (auto *step = std::get_if<StepProgress>(&event)) {
            steps.push_back(std::move(*step));
            continue;
        }
        flushSteps();
        if (auto *info = std::get_if<RunStartInfo>(&event)) {
            m_runId = info->runId;
            Q_EMIT started(*info);
        } else if (auto *result = std::get_if<EvaluationResult>(&event)) {
            Q_EMIT evaluated(*result);
        } else if (auto *status = std::get_if<Status>(&event)) {
            Q_EMIT statusChanged(status->runId, status->status);
        } else if (auto *progress = std::get_if<Evaluating>(&event)) {
            Q_EMIT evaluating(progress->runId, toQt(progress->split), progress->fraction);
        } else if (auto *runResult = std::get_if<RunResult>(&event)) {
            Q_EMIT finished(*runResult);
        } else if (auto *failure = std::get_if<Failure>(&event)) {
            Q_EMIT failed(failure->message);
        }
    }
    flushSteps();
}

void TrainingController::onWorkerFinished()
{
    if (!m_thread)
        return;
    m_thread->wait(); // "finished" is emitted just before the thread really ends
    m_coalesce.stop();
    deliver(); // the worker is gone: its last reports are all queued
    delete m_thread;
    m_thread = nullptr;
    m_trainer.reset();
    m_listener.reset();
    m_paused = false;
    ++m_generation;
    Q_EMIT idle();
}

} // namespace mtl::widgets
