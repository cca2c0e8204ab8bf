#pragma once
// Typed access to experiments, runs and what runs record (metrics, task weights, checkpoints).
// Thread-safety: as the Database it wraps (one thread). The trainer opens its own Project.

#include "store/recordbatch.h"
#include "store/records.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mtl::store {

class Database;

struct Checkpoint {
    std::int64_t id = 0;
    int epoch = 0;
    std::int64_t step = 0;
    std::string createdAt;
    std::string model;     // serialized module (torch::save archive bytes)
    std::string optimizer; // serialized optimizer state
    std::string state;     // the rest of the run's state (weighting method, RNG, probes);
                           // empty in checkpoints of schema version 1
};

struct MetricFilter {
    std::string split; // empty: any
    std::string name;  // empty: any
    std::int64_t afterStep = -1; // only rows with step > afterStep
};

class RunStore {
public:
    explicit RunStore(Database &db);

    std::int64_t createExperiment(const std::string &name, std::optional<std::int64_t> datasetId,
                                  const std::string &configJson);
    std::string experimentConfig(std::int64_t experimentId);

    // A new run in state "queued", owned by this process.
    std::int64_t createRun(std::int64_t experimentId, std::int64_t stepsTotal);
    // environment: JSON of what the run runs on (library versions, device, threads, seed).
    void markStarted(std::int64_t runId, const std::string &device,
                     const std::string &environment = "{}");
    void setNote(std::int64_t runId, const std::string &note);
    // Sets the status; finished states also set finished_at. error may be empty.
    void setStatus(std::int64_t runId, RunStatus status, const std::string &error = {});

    // Appends every row of `rows` and updates progress and heartbeat in one transaction.
    void record(std::int64_t runId, const RecordBatch &rows, std::int64_t stepsDone,
                double imagesPerSecond);

    // Before a run continues from a checkpoint at `step`: drops what it recorded after that
    // step (it will be recorded again) and puts it back in the queue, in one transaction.
    void prepareResume(std::int64_t runId, std::int64_t step);

    // Stores `checkpoint` (its id and createdAt are ignored) as the run's only checkpoint of
    // its kind: "latest" (what a resume continues from) or "best" (train.keep_best).
    void saveCheckpoint(std::int64_t runId, const Checkpoint &checkpoint,
                        const std::string &kind = "latest");
    std::optional<Checkpoint> latestCheckpoint(std::int64_t runId);
    std::optional<Checkpoint> bestCheckpoint(std::int64_t runId);

    std::vector<RunInfo> list();
    std::optional<RunInfo> find(std::int64_t runId);
    std::vector<MetricRow> metrics(std::int64_t runId, const MetricFilter &filter = {});
    std::vector<TaskWeightRow> taskWeights(std::int64_t runId);
    // The predictions the run recorded for `task` on `split` (empty: every task / split), in
    // epoch order.
    std::vector<PredictionRow> predictions(std::int64_t runId, const std::string &split = {},
                                           const std::string &task = {});
    // The images probes made of the probe samples, in recording order; `task` and `name`
    // (e.g. "attention.stage1") narrow them when not empty.
    std::vector<ProbeImageRow> probeImages(std::int64_t runId, const std::string &task = {},
                                           const std::string &name = {});
    // The samples a run probes each epoch, chosen once when it first starts.
    std::vector<ProbeSample> probeSamples(std::int64_t runId);
    // Records them; a run that already has probe samples keeps its own (a resume).
    void setProbeSamples(std::int64_t runId, const std::vector<ProbeSample> &samples);

    // See Project::reconcileInterruptedRuns().
    int markOrphanedRunsInterrupted();

private:
    std::optional<Checkpoint> checkpoint(std::int64_t runId, const std::string &kind);
    std::vector<RunInfo> query(const std::string &where, std::int64_t id);
    Database &m_db;
};

} // namespace mtl::store
