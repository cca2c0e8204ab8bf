#include "train/runjournal.h"

namespace mtl::train {

RunJournal::RunJournal(store::RunStore *runs, int flushIntervalMs)
    : m_runs(runs)
    , m_flushIntervalMs(flushIntervalMs)
{}

std::int64_t RunJournal::createRun(const std::string &name, std::int64_t datasetId,
                                   const std::string &configJson, std::int64_t stepsTotal)
{
    if (!m_runs)
        return 0;
    const std::int64_t experiment = m_runs->createExperiment(name, datasetId, configJson);
    m_runId = m_runs->createRun(experiment, stepsTotal);
    return m_runId;
}

void RunJournal::prepareResume(std::int64_t runId, std::int64_t step)
{
    m_runId = runId;
    if (m_runs)
        m_runs->prepareResume(runId, step);
}

void RunJournal::markStarted(const std::string &device, const std::string &environment)
{
    if (m_runs)
        m_runs->markStarted(m_runId, device, environment);
}

void RunJournal::setNote(const std::string &note)
{
    if (m_runs)
        m_runs->setNote(m_runId, note);
}

void RunJournal::setProbeSamples(const std::vector<store::ProbeSample> &samples)
{
    if (m_runs)
        m_runs->setProbeSamples(m_runId, samples);
}

void RunJournal::setStatus(store::RunStatus status, const std::string &error)
{
    if (m_runs)
        m_runs->setStatus(m_runId, status, error);
}

void RunJournal::saveCheckpoint(const store::Checkpoint &checkpoint, const std::string &kind)
{
    if (m_runs)
        m_runs->saveCheckpoint(m_runId, checkpoint, kind);
}

void RunJournal::flush(std::int64_t stepsDone, double imagesPerSecond)
{
    if (m_runs)
        m_runs->record(m_runId, m_pending, stepsDone, imagesPerSecond);
    m_pending.clear();
    m_lastFlush = std::chrono::steady_clock::now();
}

void RunJournal::flushIfDue(std::int64_t stepsDone, double imagesPerSecond)
{
    const auto since = std::chrono::steady_clock::now() - m_lastFlush;
    if (std::chrono::duration_cast<std::chrono::milliseconds>(since).count() >= m_flushIntervalMs)
        flush(stepsDone, imagesPerSecond);
}

} // namespace mtl::train
