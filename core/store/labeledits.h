#pragma once
// Corrections to a dataset's labels, kept as a history that can be undone and redone across
// sessions (docs/STORE.md "label_edits"). An edit changes the `labels` table itself — what
// training reads — and records the old and the new value; edits made together form one step.
// The history is linear: a new step after undoing drops the steps that were undone.
//   store::LabelEdits edits(project.db());
//   edits.apply(datasetId, {{sampleId, columnId, 1}}, "gui");  edits.undo(datasetId);
// Thread-safety: as the Database it wraps (one thread).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mtl::store {

class Database;

// Set `columnId` of `sampleId` to `value`; nullopt removes the label.
struct LabelChange {
    std::int64_t sampleId = 0;
    std::int64_t columnId = 0;
    std::optional<std::int32_t> value;
};

struct LabelEdit {
    std::int64_t id = 0;
    std::int64_t step = 0; // edits of one step share it; steps grow with time
    std::int64_t sampleId = 0, columnId = 0;
    std::optional<std::int32_t> oldValue, newValue;
    std::string createdAt, source;
    bool undone = false;
};

class LabelEdits {
public:
    explicit LabelEdits(Database &db);

    // Makes the changes one step, in one transaction: changes to the value a label has already
    // are left out, the undone steps are dropped, label_counts follow. Returns the step, 0 when
    // nothing changed. Throws Error(InvalidInput) — and changes nothing — when a sample or
    // column is not the dataset's or a value is not one the column takes.
    std::int64_t apply(std::int64_t datasetId, const std::vector<LabelChange> &changes,
                       const std::string &source);
    // Undoes the newest step in effect; returns it (0: nothing to undo).
    std::int64_t undo(std::int64_t datasetId);
    // Redoes the oldest undone step; returns it (0: nothing to redo).
    std::int64_t redo(std::int64_t datasetId);

    // Oldest first.
    std::vector<LabelEdit> history(std::int64_t datasetId);
    std::vector<LabelEdit> step(std::int64_t step);
    std::int64_t stepsDone(std::int64_t datasetId);   // in effect, undoable
    std::int64_t stepsUndone(std::int64_t datasetId); // redoable
    // Edits in effect (what a run records as its dataset's edit count).
    std::int64_t editsInEffect(std::int64_t datasetId);
    // Samples with an edit in effect, ascending.
    std::vector<std::int64_t> editedSamples(std::int64_t datasetId);
    std::optional<std::int32_t> label(std::int64_t sampleId, std::int64_t columnId);

private:
    // Undo (the newest step in effect, reversed) or redo (the oldest undone one, replayed), and
    // the step marked, in one transaction; returns it, 0 when there is none.
    std::int64_t toggleStep(std::int64_t datasetId, bool undoing);
    std::int64_t countSteps(std::int64_t datasetId, bool undone);
    // Sets the label and moves label_counts from `from` to `to`.
    void set(std::int64_t datasetId, std::int64_t sampleId, std::int64_t columnId,
             std::optional<std::int32_t> from, std::optional<std::int32_t> to);
    Database &m_db;
};

} // namespace mtl::store
