#pragma once
// Every write a run makes to its project file goes through here, and happens only on rank 0 of
// a data-parallel run (the other ranks' journals write nothing): the trainer never calls the
// store's write functions itself. Records are buffered and flushed in one transaction at most
// every `flushIntervalMs`, at epoch ends and when the run ends.
// Thread contract: the trainer's thread.

#include "store/recordbatch.h"
#include "store/runstore.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace mtl::train {

class RunJournal {
public:
    // runs: the project's run store on rank 0, nullptr on every other rank.
    RunJournal(store::RunStore *runs, int flushIntervalMs);
    bool writes() const { return m_runs != nullptr; }

    // A new experiment and its queued run; returns the run id (0 on ranks that do not write).
    std::int64_t createRun(const std::string &name, std::int64_t datasetId,
                           const std::string &configJson, std::int64_t stepsTotal);
    // Before continuing run `runId` from its checkpoint at `step` (see RunStore).
    void prepareResume(std::int64_t runId, std::int64_t step);
    void attach(std::int64_t runId) { m_runId = runId; }

    // environment: JSON of what the run runs on (see RunStore::markStarted).
    void markStarted(const std::string &device, const std::string &environment);
    void setStatus(store::RunStatus status, const std::string &error = {});
    // How the run ended besides its status (early stopping, a stop after an epoch).
    void setNote(const std::string &note);
    // The samples the run probes each epoch (kept when the run already has its own).
    void setProbeSamples(const std::vector<store::ProbeSample> &samples);
    // kind: "latest" (what a resume continues from) or "best" (train.keep_best).
    void saveCheckpoint(const store::Checkpoint &checkpoint, const std::string &kind = "latest");

    // What probes and the training loop add; written by the next flush.
    store::RecordBatch &pending() { return m_pending; }
    // Writes the pending records and the progress (steps done, images/s) now.
    void flush(std::int64_t stepsDone, double imagesPerSecond);
    // flush() when the last one is at least flushIntervalMs ago.
    void flushIfDue(std::int64_t stepsDone, double imagesPerSecond);

private:
    store::RunStore *m_runs;
    std::int64_t m_runId = 0;
    int m_flushIntervalMs;
    store::RecordBatch m_pending;
    std::chrono::steady_clock::time_point m_lastFlush = std::chrono::steady_clock::now();
};

} // namespace mtl::train
