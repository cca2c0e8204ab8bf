#pragma once
// What a run records between two writes (per-step losses, evaluation metrics, task weights,
// and the row types later probes add), written to the project file in one transaction by
// RunStore::record(). Open to new row types: a plain row struct, a RowWriter<Row>
// specialisation that inserts it, and the schema migration that adds its table.
//   RecordBatch batch;
//   batch.rows<MetricRow>().push_back({step, epoch, "train", "category", "", "loss", 0.7});
// Thread contract: one thread at a time; the trainer fills and flushes it on its own thread.

#include "store/records.h"

#include <cstdint>
#include <memory>
#include <typeindex>
#include <utility>
#include <vector>

namespace mtl::store {

class Database;

// Inserts rows of one type for run `runId`; called inside the caller's transaction.
template <typename Row> struct RowWriter;
template <> struct RowWriter<MetricRow> {
    static void write(Database &db, std::int64_t runId, const std::vector<MetricRow> &rows);
};
template <> struct RowWriter<TaskWeightRow> {
    static void write(Database &db, std::int64_t runId, const std::vector<TaskWeightRow> &rows);
};
template <> struct RowWriter<PredictionRow> {
    static void write(Database &db, std::int64_t runId, const std::vector<PredictionRow> &rows);
};
template <> struct RowWriter<ProbeImageRow> {
    static void write(Database &db, std::int64_t runId, const std::vector<ProbeImageRow> &rows);
};

class RecordBatch {
public:
    RecordBatch() = default;
    RecordBatch(RecordBatch &&) = default;
    RecordBatch &operator=(RecordBatch &&) = default;

    // The rows of one type, created empty on first use.
    template <typename Row> std::vector<Row> &rows()
    {
        for (auto &[type, set] : m_sets)
            if (type == std::type_index(typeid(Row)))
                return static_cast<Rows<Row> &>(*set).rows;
        auto set = std::make_unique<Rows<Row>>();
        std::vector<Row> &result = set->rows;
        m_sets.emplace_back(std::type_index(typeid(Row)), std::move(set));
        return result;
    }
    // The rows of one type; empty when none were added.
    template <typename Row> const std::vector<Row> &rows() const
    {
        static const std::vector<Row> none;
        for (const auto &[type, set] : m_sets)
            if (type == std::type_index(typeid(Row)))
                return static_cast<const Rows<Row> &>(*set).rows;
        return none;
    }

    bool empty() const;
    std::size_t size() const; // rows of every type
    void clear();             // keeps the vectors' capacity
    // Every row, type by type in the order the types were first used.
    void write(Database &db, std::int64_t runId) const;

private:
    struct Set {
        virtual ~Set() = default;
        virtual std::size_t size() const = 0;
        virtual void clear() = 0;
        virtual void write(Database &db, std::int64_t runId) const = 0;
    };
    template <typename Row> struct Rows final : Set {
        std::vector<Row> rows;
        std::size_t size() const override { return rows.size(); }
        void clear() override { rows.clear(); }
        void write(Database &db, std::int64_t runId) const override
        {
            if (!rows.empty())
                RowWriter<Row>::write(db, runId, rows);
        }
    };
    std::vector<std::pair<std::type_index, std::unique_ptr<Set>>> m_sets;
};

} // namespace mtl::store
