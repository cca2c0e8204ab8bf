#include "store/recordbatch.h"

#include "store/sqlite.h"

namespace mtl::store {

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
