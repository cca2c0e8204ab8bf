#include "store/runstore.h"

#include "common/clock.h"
#include "common/error.h"
#include "common/half.h"
#include "store/sqlite.h"

#include <nlohmann/json.hpp>

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <csignal>
#include <unistd.h>

namespace mtl::store {

namespace {
std::string hostName()
{
    char buffer[256] = {};
    if (gethostname(buffer, sizeof buffer - 1) != 0)
        return {};
    return buffer;
}

const char *const kOrphanedError =
    "the process running it ended without finishing (killed or crashed)";

bool processExists(std::int64_t pid)
{
    if (pid <= 0)
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}
} // namespace

RunStore::RunStore(Database &db)
    : m_db(db)
{
}

std::int64_t RunStore::createExperiment(const std::string &name,
                                        std::optional<std::int64_t> datasetId,
                                        const std::string &configJson)
{
    Statement st(m_db, "INSERT INTO experiments (name, dataset_id, config, created_at) "
                       "VALUES (?1, ?2, ?3, ?4)");
    st.bind(1, name);
    if (datasetId)
        st.bind(2, *datasetId);
    else
        st.bindNull(2);
    st.bind(3, configJson).bind(4, nowIso8601());
    st.exec();
    return m_db.lastInsertId();
}

std::string RunStore::experimentConfig(std::int64_t experimentId)
{
    Statement st(m_db, "SELECT config FROM experiments WHERE id = ?1");
    st.bind(1, experimentId);
    if (!st.step())
        throw Error(ErrorCode::NotFound, "experiment " + std::to_string(experimentId) +
                                             " does not exist");
    return st.text(0);
}

std::int64_t RunStore::createRun(std::int64_t experimentId, std::int64_t stepsTotal)
{
    Statement st(m_db, "INSERT INTO runs (experiment_id, status, created_at, owner_host, "
                       "owner_pid, steps_total) VALUES (?1, 'queued', ?2, ?3, ?4, ?5)");
    st.bind(1, experimentId).bind(2, nowIso8601()).bind(3, hostName());
    st.bind(4, static_cast<std::int64_t>(getpid())).bind(5, stepsTotal);
    st.exec();
    return m_db.lastInsertId();
}

void RunStore::markStarted(std::int64_t runId, const std::string &device,
                           const std::string &environment)
{
    const std::string now = nowIso8601();
    Statement st(m_db, "UPDATE runs SET status = 'running', device = ?2, started_at = ?3, "
                       "heartbeat_at = ?3, owner_host = ?4, owner_pid = ?5, environment = ?6 "
                       "WHERE id = ?1");
    st.bind(1, runId).bind(2, device).bind(3, now).bind(4, hostName());
    st.bind(5, static_cast<std::int64_t>(getpid())).bind(6, environment);
    st.exec();
}

void RunStore::setNote(std::int64_t runId, const std::string &note)
{
    Statement st(m_db, "UPDATE runs SET note = ?2 WHERE id = ?1");
    st.bind(1, runId).bind(2, note);
    st.exec();
}

void RunStore::prepareResume(std::int64_t runId, std::int64_t step)
{
    Transaction tx(m_db);
    for (const char *sql : {"DELETE FROM metrics WHERE run_id = ?1 AND step > ?2",
                            "DELETE FROM task_weights WHERE run_id = ?1 AND step > ?2",
                            "DELETE FROM predictions WHERE run_id = ?1 AND step > ?2",
                            "DELETE FROM probe_images WHERE run_id = ?1 AND step > ?2"}) {
        Statement st(m_db, sql);
        st.bind(1, runId).bind(2, step);
        st.exec();
    }
    Statement st(m_db,
                 "UPDATE runs SET status = 'queued', error = '', note = '', finished_at = NULL, "
                 "steps_done = ?2 WHERE id = ?1");
    st.bind(1, runId).bind(2, step);
    st.exec();
    tx.commit();
}

void RunStore::setStatus(std::int64_t runId, RunStatus status, const std::string &error)
{
    Statement st(m_db, isFinished(status)
                           ? "UPDATE runs SET status = ?2, error = ?3, finished_at = ?4, "
                             "heartbeat_at = ?4 WHERE id = ?1"
                           : "UPDATE runs SET status = ?2, error = ?3, heartbeat_at = ?4 "
                             "WHERE id = ?1");
    st.bind(1, runId).bind(2, toString(status)).bind(3, error).bind(4, nowIso8601());
    st.exec();
    // The checkpoints each epoch replaced left their pages free: a finished run gives them back
    // (during a run the next checkpoint reuses them).
    if (isFinished(status))
        m_db.releaseFreePages();
}

void RunStore::record(std::int64_t runId, const RecordBatch &rows, std::int64_t stepsDone,
                      double imagesPerSecond)
{
    Transaction tx(m_db);
    rows.write(m_db, runId);
    Statement progress(m_db, "UPDATE runs SET steps_done = ?2, images_per_s = ?3, "
                             "heartbeat_at = ?4 WHERE id = ?1");
    progress.bind(1, runId).bind(2, stepsDone).bind(3, imagesPerSecond).bind(4, nowIso8601());
    progress.exec();
    tx.commit();
}

void RunStore::saveCheckpoint(std::int64_t runId, const Checkpoint &checkpoint,
                              const std::string &kind)
{
    Transaction tx(m_db);
    Statement st(m_db, "INSERT INTO checkpoints (run_id, epoch, step, created_at, model, "
                       "optimizer, state, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    st.bind(1, runId).bind(2, checkpoint.epoch).bind(3, checkpoint.step).bind(4, nowIso8601());
    st.bindBlob(5, checkpoint.model.data(), checkpoint.model.size());
    st.bindBlob(6, checkpoint.optimizer.data(), checkpoint.optimizer.size());
    st.bindBlob(7, checkpoint.state.data(), checkpoint.state.size());
    st.bind(8, kind);
    st.exec();
    // One checkpoint of each kind: the model of each epoch is small, but runs are many.
    Statement prune(m_db, "DELETE FROM checkpoints WHERE run_id = ?1 AND kind = ?3 AND id <> ?2");
    prune.bind(1, runId).bind(2, m_db.lastInsertId()).bind(3, kind);
    prune.exec();
    tx.commit();
}

std::optional<Checkpoint> RunStore::latestCheckpoint(std::int64_t runId)
{
    return checkpoint(runId, "latest");
}

std::optional<Checkpoint> RunStore::bestCheckpoint(std::int64_t runId)
{
    return checkpoint(runId, "best");
}

std::optional<Checkpoint> RunStore::checkpoint(std::int64_t runId, const std::string &kind)
{
    Statement st(m_db, "SELECT id, epoch, step, created_at, model, optimizer, state FROM "
                       "checkpoints WHERE run_id = ?1 AND kind = ?2 ORDER BY epoch DESC, id DESC "
                       "LIMIT 1");
    st.bind(1, runId).bind(2, kind);
    if (!st.step())
        return std::nullopt;
    Checkpoint checkpoint;
    checkpoint.id = st.int64(0);
    checkpoint.epoch = st.int32(1);
    checkpoint.step = st.int64(2);
    checkpoint.createdAt = st.text(3);
    std::size_t size = 0;
    const void *data = st.blob(4, &size);
    checkpoint.model.assign(static_cast<const char *>(data), size);
    data = st.blob(5, &size);
    if (data)
        checkpoint.optimizer.assign(static_cast<const char *>(data), size);
    data = st.blob(6, &size);
    if (data)
        checkpoint.state.assign(static_cast<const char *>(data), size);
    return checkpoint;
}

std::vector<RunInfo> RunStore::query(const std::string &where, std::int64_t id)
{
    Statement st(m_db, "SELECT r.id, r.experiment_id, e.name, coalesce(d.name, ''), r.status, "
                       "r.device, r.created_at, coalesce(r.started_at, ''), "
                       "coalesce(r.finished_at, ''), r.error, r.steps_done, r.steps_total, "
                       "r.images_per_s, r.owner_host, r.owner_pid, "
                       "coalesce(r.heartbeat_at, r.started_at, r.created_at), r.note, "
                       "r.environment FROM runs r "
                       "JOIN experiments e ON e.id = r.experiment_id "
                       "LEFT JOIN datasets d ON d.id = e.dataset_id " +
                           where + " ORDER BY r.id");
    if (id >= 0)
        st.bind(1, id);
    std::vector<RunInfo> runs;
    const std::string host = hostName();
    while (st.step()) {
        RunInfo run;
        run.id = st.int64(0);
        run.experimentId = st.int64(1);
        run.experimentName = st.text(2);
        run.datasetName = st.text(3);
        run.status = runStatusFromString(st.text(4)).value_or(RunStatus::Failed);
        run.device = st.text(5);
        run.createdAt = st.text(6);
        run.startedAt = st.text(7);
        run.finishedAt = st.text(8);
        run.error = st.text(9);
        run.stepsDone = st.int64(10);
        run.stepsTotal = st.int64(11);
        run.imagesPerSecond = st.real(12);
        run.note = st.text(16);
        run.environment = st.text(17);
        // A run whose process is gone reads as interrupted, also to a reader that does not
        // write (markOrphanedRunsInterrupted() records it).
        if (!isFinished(run.status) && st.text(13) == host && !processExists(st.int64(14))) {
            run.status = RunStatus::Interrupted;
            run.error = kOrphanedError;
            run.finishedAt = st.text(15); // its last sign of life
        }
        runs.push_back(std::move(run));
    }
    return runs;
}

std::vector<RunInfo> RunStore::list() { return query({}, -1); }

std::optional<RunInfo> RunStore::find(std::int64_t runId)
{
    auto runs = query("WHERE r.id = ?1", runId);
    if (runs.empty())
        return std::nullopt;
    return std::move(runs.front());
}

std::vector<MetricRow> RunStore::metrics(std::int64_t runId, const MetricFilter &filter)
{
    Statement st(m_db, "SELECT step, epoch, split, task, attribute, name, value FROM metrics "
                       "WHERE run_id = ?1 AND (?2 = '' OR split = ?2) AND (?3 = '' OR name = ?3) "
                       "AND step > ?4 ORDER BY rowid");
    st.bind(1, runId).bind(2, filter.split).bind(3, filter.name).bind(4, filter.afterStep);
    std::vector<MetricRow> rows;
    while (st.step()) {
        MetricRow row;
        row.step = st.int64(0);
        row.epoch = st.int32(1);
        row.split = st.text(2);
        row.task = st.text(3);
        row.attribute = st.text(4);
        row.name = st.text(5);
        row.value = st.real(6);
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<TaskWeightRow> RunStore::taskWeights(std::int64_t runId)
{
    Statement st(m_db, "SELECT step, task, weight FROM task_weights WHERE run_id = ?1 "
                       "ORDER BY rowid");
    st.bind(1, runId);
    std::vector<TaskWeightRow> rows;
    while (st.step())
        rows.push_back({st.int64(0), st.text(1), st.real(2)});
    return rows;
}

std::vector<PredictionRow> RunStore::predictions(std::int64_t runId, const std::string &split,
                                                 const std::string &task)
{
    Statement st(m_db, "SELECT step, epoch, split, task, kind, shape, samples, sample_ids, "
                       "encoding, data FROM predictions WHERE run_id = ?1 AND (?2 = '' OR "
                       "split = ?2) AND (?3 = '' OR task = ?3) ORDER BY epoch, id");
    st.bind(1, runId).bind(2, split).bind(3, task);
    std::vector<PredictionRow> rows;
    while (st.step()) {
        PredictionRow row;
        row.step = st.int64(0);
        row.epoch = st.int32(1);
        row.split = st.text(2);
        row.task = st.text(3);
        row.kind = st.text(4);
        const nlohmann::json shape = nlohmann::json::parse(st.text(5), nullptr, false);
        const std::string where = "run " + std::to_string(runId) + "'s predictions of task '" +
                                  row.task + "' (epoch " + std::to_string(row.epoch) + ")";
        if (!shape.is_array())
            throw Error(ErrorCode::Store, where + " have no readable shape");
        for (const auto &d : shape)
            row.shape.push_back(d.get<std::int64_t>());
        const auto samples = static_cast<std::size_t>(st.int64(6));
        const bool deflated = st.text(8) == "deflate";
        const auto blobOf = [&](int column, std::size_t bytes) {
            std::size_t size = 0;
            const void *blob = st.blob(column, &size);
            std::string out(bytes, '\0');
            uLongf outSize = static_cast<uLongf>(bytes);
            const bool ok = deflated ? uncompress(reinterpret_cast<Bytef *>(out.data()), &outSize,
                                                  static_cast<const Bytef *>(blob),
                                                  static_cast<uLong>(size)) == Z_OK &&
                                           outSize == bytes
                                     : size == bytes;
            if (!ok)
                throw Error(ErrorCode::Store,
                            where + " are damaged (column " + std::to_string(column) + ")");
            if (!deflated && bytes > 0)
                std::memcpy(out.data(), blob, bytes);
            return out;
        };
        const auto perSample = static_cast<std::size_t>(row.valuesPerSample());
        const std::string ids = blobOf(7, samples * sizeof(std::int64_t));
        row.sampleIds.resize(samples);
        std::memcpy(row.sampleIds.data(), ids.data(), ids.size());
        const std::string data = blobOf(9, samples * perSample * sizeof(std::uint16_t));
        row.values.resize(samples * perSample);
        for (std::size_t i = 0; i < row.values.size(); ++i) {
            std::uint16_t half;
            std::memcpy(&half, data.data() + i * sizeof half, sizeof half);
            row.values[i] = fromHalf(half);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<ProbeImageRow> RunStore::probeImages(std::int64_t runId, const std::string &task,
                                                 const std::string &name)
{
    Statement st(m_db, "SELECT step, epoch, sample_id, task, name, png FROM probe_images WHERE "
                       "run_id = ?1 AND (?2 = '' OR task = ?2) AND (?3 = '' OR name = ?3) "
                       "ORDER BY id");
    st.bind(1, runId).bind(2, task).bind(3, name);
    std::vector<ProbeImageRow> rows;
    while (st.step()) {
        std::size_t size = 0;
        const void *png = st.blob(5, &size);
        rows.push_back({st.int64(0), st.int32(1), st.int64(2), st.text(3), st.text(4),
                        std::string(static_cast<const char *>(png), size)});
    }
    return rows;
}

std::vector<ProbeSample> RunStore::probeSamples(std::int64_t runId)
{
    Statement st(m_db, "SELECT split, sample_id FROM probe_samples WHERE run_id = ?1 "
                       "ORDER BY position");
    st.bind(1, runId);
    std::vector<ProbeSample> samples;
    while (st.step())
        samples.push_back({st.text(0), st.int64(1)});
    return samples;
}

void RunStore::setProbeSamples(std::int64_t runId, const std::vector<ProbeSample> &samples)
{
    Transaction tx(m_db);
    Statement st(m_db, "INSERT OR IGNORE INTO probe_samples (run_id, position, split, sample_id) "
                       "VALUES (?1, ?2, ?3, ?4)");
    for (std::size_t i = 0; i < samples.size(); ++i) {
        st.bind(1, runId).bind(2, static_cast<std::int64_t>(i)).bind(3, samples[i].split);
        st.bind(4, samples[i].sampleId);
        st.exec();
    }
    tx.commit();
}

int RunStore::markOrphanedRunsInterrupted()
{
    Statement st(m_db, "SELECT id, owner_pid FROM runs WHERE status IN ('queued', 'running', "
                       "'paused') AND owner_host = ?1");
    st.bind(1, hostName());
    std::vector<std::int64_t> orphaned;
    while (st.step())
        if (!processExists(st.int64(1)))
            orphaned.push_back(st.int64(0));
    // Finished when last seen alive: the heartbeat of its last write.
    Statement mark(m_db, "UPDATE runs SET status = 'interrupted', error = ?2, finished_at = "
                         "coalesce(heartbeat_at, started_at, created_at) WHERE id = ?1");
    for (std::int64_t id : orphaned) {
        mark.bind(1, id).bind(2, kOrphanedError);
        mark.exec();
    }
    return static_cast<int>(orphaned.size());
}

} // namespace mtl::store
