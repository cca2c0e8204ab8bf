#include "store/recordbatch.h"

#include "common/error.h"
#include "common/half.h"
#include "store/sqlite.h"

#include <nlohmann/json.hpp>

#include <zlib.h>

namespace mtl::store {

namespace {

// zlib's deflate of `size` bytes (the predictions' blobs; little-endian as on every machine this
// builds for).
std::string deflated(const void *data, std::size_t size)
{
    uLongf bound = compressBound(static_cast<uLong>(size));
    std::string out(bound, '\0');
    if (compress2(reinterpret_cast<Bytef *>(out.data()), &bound, static_cast<const Bytef *>(data),
                  static_cast<uLong>(size), 6) != Z_OK)
        throw Error(ErrorCode::Store, "zlib could not compress recorded predictions");
    out.resize(bound);
    return out;
}

} // namespace

void RowWriter<MetricRow>::write(Database &db, std::int64_t runId,
                                 const std::vector<MetricRow> &rows)
{
    Statement st(db, "INSERT INTO metrics (run_id, step, epoch, split, task, attribute, name, "
                     "value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    for (const MetricRow &row : rows) {
        st.bind(1, runId).bind(2, row.step).bind(3, row.epoch).bind(4, row.split);
        st.bind(5, row.task).bind(6, row.attribute).bind(7, row.name).bind(8, row.value);
        st.exec();
    }
}

void RowWriter<TaskWeightRow>::write(Database &db, std::int64_t runId,
                                     const std::vector<TaskWeightRow> &rows)
{
    Statement st(db, "INSERT INTO task_weights (run_id, step, task, weight) "
                     "VALUES (?1, ?2, ?3, ?4)");
    for (const TaskWeightRow &row : rows) {
        st.bind(1, runId).bind(2, row.step).bind(3, row.task).bind(4, row.weight);
        st.exec();
    }
}

void RowWriter<PredictionRow>::write(Database &db, std::int64_t runId,
                                     const std::vector<PredictionRow> &rows)
{
    Statement st(db, "INSERT INTO predictions (run_id, step, epoch, split, task, kind, shape, "
                     "samples, sample_ids, encoding, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                     "?8, ?9, ?10, ?11)");
    for (const PredictionRow &row : rows) {
        const auto perSample = static_cast<std::size_t>(row.valuesPerSample());
        if (row.values.size() != row.sampleIds.size() * perSample)
            throw Error(ErrorCode::Store, "predictions of task '" + row.task + "' hold " +
                                              std::to_string(row.values.size()) + " values for " +
                                              std::to_string(row.sampleIds.size()) +
                                              " samples of " + std::to_string(perSample));
        std::vector<std::uint16_t> halves(row.values.size());
        for (std::size_t i = 0; i < halves.size(); ++i)
            halves[i] = toHalf(row.values[i]);
        const std::string data = deflated(halves.data(), halves.size() * sizeof(std::uint16_t));
        const std::string ids =
            deflated(row.sampleIds.data(), row.sampleIds.size() * sizeof(std::int64_t));
        st.bind(1, runId).bind(2, row.step).bind(3, row.epoch).bind(4, row.split);
        st.bind(5, row.task).bind(6, row.kind).bind(7, nlohmann::json(row.shape).dump());
        st.bind(8, static_cast<std::int64_t>(row.sampleIds.size()));
        st.bindBlob(9, ids.data(), ids.size()).bind(10, "deflate");
        st.bindBlob(11, data.data(), data.size());
        st.exec();
    }
}

void RowWriter<ProbeImageRow>::write(Database &db, std::int64_t runId,
                                     const std::vector<ProbeImageRow> &rows)
{
    Statement st(db, "INSERT INTO probe_images (run_id, step, epoch, sample_id, task, name, "
                     "png) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    for (const ProbeImageRow &row : rows) {
        st.bind(1, runId).bind(2, row.step).bind(3, row.epoch).bind(4, row.sampleId);
        st.bind(5, row.task).bind(6, row.name).bindBlob(7, row.png.data(), row.png.size());
        st.exec();
    }
}

bool RecordBatch::empty() const { return size() == 0; }

std::size_t RecordBatch::size() const
{
    std::size_t n = 0;
    for (const auto &entry : m_sets)
        n += entry.second->size();
    return n;
}

void RecordBatch::clear()
{
    for (auto &entry : m_sets)
        entry.second->clear();
}

void RecordBatch::write(Database &db, std::int64_t runId) const
{
    for (const auto &entry : m_sets)
        entry.second->write(db, runId);
}

} // namespace mtl::store
