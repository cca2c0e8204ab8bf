#include "store/labeledits.h"

#include "common/clock.h"
#include "common/error.h"
#include "store/sqlite.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace mtl::store {

namespace {

std::optional<std::int32_t> optionalValue(const Statement &st, int column)
{
    if (st.isNull(column))
        return std::nullopt;
    return st.int32(column);
}

void bindOptional(Statement &st, int index, std::optional<std::int32_t> value)
{
    if (value)
        st.bind(index, *value);
    else
        st.bindNull(index);
}

std::vector<LabelEdit> readEdits(Statement &st)
{
    std::vector<LabelEdit> edits;
    while (st.step()) {
        LabelEdit edit;
        edit.id = st.int64(0);
        edit.step = st.int64(1);
        edit.sampleId = st.int64(2);
        edit.columnId = st.int64(3);
        edit.oldValue = optionalValue(st, 4);
        edit.newValue = optionalValue(st, 5);
        edit.createdAt = st.text(6);
        edit.source = st.text(7);
        edit.undone = st.int64(8) != 0;
        edits.push_back(std::move(edit));
    }
    return edits;
}

constexpr const char *kEditColumns =
    "SELECT id, step, sample_id, column_id, old_value, new_value, created_at, source, undone "
    "FROM label_edits ";

} // namespace

LabelEdits::LabelEdits(Database &db)
    : m_db(db)
{}

std::optional<std::int32_t> LabelEdits::label(std::int64_t sampleId, std::int64_t columnId)
{
    Statement st(m_db, "SELECT value FROM labels WHERE sample_id = ?1 AND column_id = ?2");
    st.bind(1, sampleId).bind(2, columnId);
    if (!st.step())
        return std::nullopt;
    return st.int32(0);
}

void LabelEdits::set(std::int64_t datasetId, std::int64_t sampleId, std::int64_t columnId,
                     std::optional<std::int32_t> from, std::optional<std::int32_t> to)
{
    if (to) {
        Statement st(m_db, "INSERT OR REPLACE INTO labels (sample_id, column_id, value) "
                           "VALUES (?1, ?2, ?3)");
        st.bind(1, sampleId).bind(2, columnId).bind(3, *to);
        st.exec();
    } else {
        Statement st(m_db, "DELETE FROM labels WHERE sample_id = ?1 AND column_id = ?2");
        st.bind(1, sampleId).bind(2, columnId);
        st.exec();
    }
    const auto count = [&](std::int32_t value, int delta) {
        Statement st(m_db, "INSERT INTO label_counts (dataset_id, split, column_id, value, count) "
                           "SELECT ?1, split, ?3, ?4, ?5 FROM samples WHERE id = ?2 "
                           "ON CONFLICT (dataset_id, split, column_id, value) "
                           "DO UPDATE SET count = count + excluded.count");
        st.bind(1, datasetId).bind(2, sampleId).bind(3, columnId).bind(4, value).bind(5, delta);
        st.exec();
    };
    if (from)
        count(*from, -1);
    if (to)
        count(*to, 1);
    Statement prune(m_db, "DELETE FROM label_counts WHERE dataset_id = ?1 AND count <= 0");
    prune.bind(1, datasetId);
    prune.exec();
}

std::int64_t LabelEdits::apply(std::int64_t datasetId, const std::vector<LabelChange> &changes,
                               const std::string &source)
{
    Transaction tx(m_db);
    Statement sample(m_db, "SELECT split FROM samples WHERE id = ?1 AND dataset_id = ?2");
    Statement column(m_db, "SELECT name, kind, categories FROM label_columns "
                           "WHERE id = ?1 AND dataset_id = ?2");
    std::vector<std::pair<LabelChange, std::optional<std::int32_t>>> effective; // with old value
    // A sample's column changed twice: the last change counts.
    std::set<std::pair<std::int64_t, std::int64_t>> seen;
    std::vector<LabelChange> last;
    for (auto it = changes.rbegin(); it != changes.rend(); ++it)
        if (seen.insert({it->sampleId, it->columnId}).second)
            last.insert(last.begin(), *it);
    for (const LabelChange &change : last) {
        sample.bind(1, change.sampleId).bind(2, datasetId);
        const bool sampleFound = sample.step();
        sample.reset();
        if (!sampleFound)
            throw Error(ErrorCode::InvalidInput,
                        "sample " + std::to_string(change.sampleId) + " is not in this dataset");
        column.bind(1, change.columnId).bind(2, datasetId);
        if (!column.step())
            throw Error(ErrorCode::InvalidInput, "label column " + std::to_string(change.columnId) +
                                                     " is not in this dataset");
        const std::string name = column.text(0);
        const bool binary = column.text(1) == "binary";
        const auto categories = nlohmann::json::parse(column.text(2), nullptr, false);
        column.reset();
        const std::int32_t limit =
            binary ? 2 : static_cast<std::int32_t>(categories.is_array() ? categories.size() : 0);
        if (change.value && (*change.value < 0 || *change.value >= limit))
            throw Error(ErrorCode::InvalidInput,
                        "'" + name + "' takes " +
                            (binary ? std::string("0 or 1")
                                    : "0 to " + std::to_string(limit - 1) + " (its categories)") +
                            ", not " + std::to_string(*change.value));
        const auto old = label(change.sampleId, change.columnId);
        if (old == change.value)
            continue;
        effective.emplace_back(change, old);
    }
    if (effective.empty())
        return 0;
    // The undone steps can no longer be redone: a new branch starts here.
    Statement drop(m_db, "DELETE FROM label_edits WHERE dataset_id = ?1 AND undone = 1");
    drop.bind(1, datasetId);
    drop.exec();
    const std::int64_t stepId = m_db.scalar("SELECT coalesce(max(step), 0) + 1 FROM label_edits");
    const std::string now = nowIso8601();
    Statement insert(m_db, "INSERT INTO label_edits (dataset_id, step, sample_id, column_id, "
                           "old_value, new_value, created_at, source) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    for (const auto &[change, old] : effective) {
        set(datasetId, change.sampleId, change.columnId, old, change.value);
        insert.bind(1, datasetId).bind(2, stepId).bind(3, change.sampleId).bind(4, change.columnId);
        bindOptional(insert, 5, old);
        bindOptional(insert, 6, change.value);
        insert.bind(7, now).bind(8, source);
        insert.exec();
        insert.reset();
    }
    tx.commit();
    return stepId;
}

std::int64_t LabelEdits::toggleStep(std::int64_t datasetId, bool undoing)
{
    Transaction tx(m_db);
    Statement pick(m_db, undoing ? "SELECT max(step) FROM label_edits "
                                   "WHERE dataset_id = ?1 AND undone = 0"
                                 : "SELECT min(step) FROM label_edits "
                                   "WHERE dataset_id = ?1 AND undone = 1");
    pick.bind(1, datasetId);
    if (!pick.step() || pick.isNull(0))
        return 0;
    const std::int64_t stepId = pick.int64(0);
    std::vector<LabelEdit> edits = step(stepId);
    if (undoing)
        std::reverse(edits.begin(), edits.end());
    for (const LabelEdit &edit : edits)
        set(datasetId, edit.sampleId, edit.columnId, undoing ? edit.newValue : edit.oldValue,
            undoing ? edit.oldValue : edit.newValue);
    Statement mark(m_db, "UPDATE label_edits SET undone = ?2 WHERE step = ?1");
    mark.bind(1, stepId).bind(2, undoing ? 1 : 0);
    mark.exec();
    tx.commit();
    return stepId;
}

std::int64_t LabelEdits::undo(std::int64_t datasetId)
{
    return toggleStep(datasetId, true);
}

std::int64_t LabelEdits::redo(std::int64_t datasetId)
{
    return toggleStep(datasetId, false);
}

std::vector<LabelEdit> LabelEdits::history(std::int64_t datasetId)
{
    Statement st(m_db, std::string(kEditColumns) + "WHERE dataset_id = ?1 ORDER BY id");
    st.bind(1, datasetId);
    return readEdits(st);
}

std::vector<LabelEdit> LabelEdits::step(std::int64_t stepId)
{
    Statement st(m_db, std::string(kEditColumns) + "WHERE step = ?1 ORDER BY id");
    st.bind(1, stepId);
    return readEdits(st);
}

std::int64_t LabelEdits::countSteps(std::int64_t datasetId, bool undone)
{
    Statement st(m_db, "SELECT count(DISTINCT step) FROM label_edits "
                       "WHERE dataset_id = ?1 AND undone = ?2");
    st.bind(1, datasetId).bind(2, undone ? 1 : 0);
    return st.step() ? st.int64(0) : 0;
}

std::int64_t LabelEdits::stepsDone(std::int64_t datasetId)
{
    return countSteps(datasetId, false);
}

std::int64_t LabelEdits::stepsUndone(std::int64_t datasetId)
{
    return countSteps(datasetId, true);
}

std::int64_t LabelEdits::editsInEffect(std::int64_t datasetId)
{
    Statement st(m_db, "SELECT count(*) FROM label_edits WHERE dataset_id = ?1 AND undone = 0");
    st.bind(1, datasetId);
    return st.step() ? st.int64(0) : 0;
}

std::vector<std::int64_t> LabelEdits::editedSamples(std::int64_t datasetId)
{
    Statement st(m_db, "SELECT DISTINCT sample_id FROM label_edits "
                       "WHERE dataset_id = ?1 AND undone = 0 ORDER BY sample_id");
    st.bind(1, datasetId);
    std::vector<std::int64_t> samples;
    while (st.step())
        samples.push_back(st.int64(0));
    return samples;
}

} // namespace mtl::store
