#include "store/schema.h"

#include "common/error.h"
#include "store/sqlite.h"

namespace mtl::store {

namespace {

// Version 1: the walking skeleton. Keep in step with docs/STORE.md.
constexpr const char *kSchemaV1 = R"SQL(
CREATE TABLE datasets (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  format      TEXT NOT NULL,
  source      TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  width       INTEGER NOT NULL DEFAULT 0,
  height      INTEGER NOT NULL DEFAULT 0,
  channels    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE samples (
  id          INTEGER PRIMARY KEY,
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  split       TEXT NOT NULL,
  idx         INTEGER NOT NULL,
  path        TEXT,
  encoding    TEXT NOT NULL CHECK (encoding IN ('raw', 'png', 'jpeg')),
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL,
  channels    INTEGER NOT NULL,
  image       BLOB,
  UNIQUE (dataset_id, split, idx)
);
CREATE TABLE label_columns (
  id          INTEGER PRIMARY KEY,
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('categorical', 'binary')),
  categories  TEXT NOT NULL DEFAULT '[]',
  position    INTEGER NOT NULL,
  UNIQUE (dataset_id, name)
);
CREATE TABLE labels (
  sample_id   INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
  column_id   INTEGER NOT NULL REFERENCES label_columns(id) ON DELETE CASCADE,
  value       INTEGER NOT NULL,
  PRIMARY KEY (sample_id, column_id)
) WITHOUT ROWID;
CREATE INDEX labels_by_column ON labels(column_id);
CREATE TABLE experiments (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  dataset_id  INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  config      TEXT NOT NULL,
  created_at  TEXT NOT NULL
);
CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'paused', 'completed',
                                                'stopped', 'failed', 'interrupted')),
  device        TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL,
  started_at    TEXT,
  finished_at   TEXT,
  heartbeat_at  TEXT,
  owner_host    TEXT NOT NULL DEFAULT '',
  owner_pid     INTEGER NOT NULL DEFAULT 0,
  steps_done    INTEGER NOT NULL DEFAULT 0,
  steps_total   INTEGER NOT NULL DEFAULT 0,
  images_per_s  REAL NOT NULL DEFAULT 0,
  error         TEXT NOT NULL DEFAULT ''
);
CREATE TABLE metrics (
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step        INTEGER NOT NULL,
  epoch       INTEGER NOT NULL,
  split       TEXT NOT NULL,
  task        TEXT NOT NULL DEFAULT '',
  attribute   TEXT NOT NULL DEFAULT '',
  name        TEXT NOT NULL,
  value       REAL NOT NULL
);
CREATE INDEX metrics_by_run ON metrics(run_id, split, name, task, attribute, step);
CREATE TABLE task_weights (
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step        INTEGER NOT NULL,
  task        TEXT NOT NULL,
  weight      REAL NOT NULL
);
CREATE INDEX task_weights_by_run ON task_weights(run_id, task, step);
CREATE TABLE checkpoints (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch       INTEGER NOT NULL,
  step        INTEGER NOT NULL,
  created_at  TEXT NOT NULL,
  model       BLOB NOT NULL,
  optimizer   BLOB
);
CREATE INDEX checkpoints_by_run ON checkpoints(run_id, epoch);
)SQL";

// Version 3: dense labels (segmentation, depth, normals maps), one per sample and map column.
constexpr const char *kSchemaV3 = R"SQL(
CREATE TABLE map_columns (
  id          INTEGER PRIMARY KEY,
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('segmentation', 'depth', 'normals')),
  type        TEXT NOT NULL CHECK (type IN ('uint8', 'uint16', 'float32')),
  channels    INTEGER NOT NULL CHECK (channels > 0),
  scale       REAL NOT NULL DEFAULT 1,
  offset      REAL NOT NULL DEFAULT 0,
  categories  TEXT NOT NULL DEFAULT '[]',
  position    INTEGER NOT NULL,
  UNIQUE (dataset_id, name)
);
CREATE TABLE label_maps (
  sample_id   INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
  column_id   INTEGER NOT NULL REFERENCES map_columns(id) ON DELETE CASCADE,
  encoding    TEXT NOT NULL CHECK (encoding IN ('raw', 'deflate')),
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL,
  data        BLOB NOT NULL,
  PRIMARY KEY (sample_id, column_id)
) WITHOUT ROWID;
CREATE INDEX label_maps_by_column ON label_maps(column_id);
)SQL";

// Version 6: what probes record besides numbers (docs/STORE.md): predictions as one blob per
// run × split × task × epoch, the fixed probe samples of a run, and PNGs made of them.
constexpr const char *kSchemaV6 = R"SQL(
CREATE TABLE predictions (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step        INTEGER NOT NULL,
  epoch       INTEGER NOT NULL,
  split       TEXT NOT NULL,
  task        TEXT NOT NULL,
  kind        TEXT NOT NULL,
  shape       TEXT NOT NULL,
  samples     INTEGER NOT NULL,
  sample_ids  BLOB NOT NULL,
  encoding    TEXT NOT NULL CHECK (encoding IN ('raw', 'deflate')),
  data        BLOB NOT NULL
);
CREATE INDEX predictions_by_run ON predictions(run_id, split, task, epoch);
CREATE TABLE probe_samples (
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  split       TEXT NOT NULL,
  sample_id   INTEGER NOT NULL,
  PRIMARY KEY (run_id, position)
) WITHOUT ROWID;
CREATE TABLE probe_images (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step        INTEGER NOT NULL,
  epoch       INTEGER NOT NULL,
  sample_id   INTEGER NOT NULL,
  task        TEXT NOT NULL,
  name        TEXT NOT NULL,
  png         BLOB NOT NULL
);
CREATE INDEX probe_images_by_run ON probe_images(run_id, task, name, epoch);
)SQL";

// Version 7: datasets of image files (docs/STORE.md): the folder their paths are relative to,
// and a log of every import, with the rows an --on-error skip import left out.
constexpr const char *kSchemaV7 = R"SQL(
ALTER TABLE datasets ADD COLUMN root TEXT NOT NULL DEFAULT '';
CREATE TABLE imports (
  id          INTEGER PRIMARY KEY,
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  created_at  TEXT NOT NULL,
  format      TEXT NOT NULL,
  source      TEXT NOT NULL,
  added       INTEGER NOT NULL,
  skipped     INTEGER NOT NULL,
  log         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX imports_by_dataset ON imports(dataset_id, id);
)SQL";

// Version 8: statistics per split, computed at import: the pixels' mean and standard
// deviation per channel, and how many samples carry each value of each label column. Counts
// of datasets imported earlier are filled in here; their pixel statistics stay absent (the
// trainer computes them when a config asks for them).
constexpr const char *kSchemaV8 = R"SQL(
CREATE TABLE split_stats (
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  split       TEXT NOT NULL,
  images      INTEGER NOT NULL,
  pixel_mean  TEXT NOT NULL,
  pixel_std   TEXT NOT NULL,
  PRIMARY KEY (dataset_id, split)
) WITHOUT ROWID;
CREATE TABLE label_counts (
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  split       TEXT NOT NULL,
  column_id   INTEGER NOT NULL REFERENCES label_columns(id) ON DELETE CASCADE,
  value       INTEGER NOT NULL,
  count       INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, split, column_id, value)
) WITHOUT ROWID;
INSERT INTO label_counts (dataset_id, split, column_id, value, count)
  SELECT s.dataset_id, s.split, l.column_id, l.value, count(*)
  FROM labels l JOIN samples s ON s.id = l.sample_id
  GROUP BY s.dataset_id, s.split, l.column_id, l.value;
)SQL";

// Version 9: corrections to labels, undoable across sessions (docs/STORE.md "label_edits").
constexpr const char *kSchemaV9 = R"SQL(
CREATE TABLE label_edits (
  id          INTEGER PRIMARY KEY,
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  step        INTEGER NOT NULL,
  sample_id   INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
  column_id   INTEGER NOT NULL REFERENCES label_columns(id) ON DELETE CASCADE,
  old_value   INTEGER,
  new_value   INTEGER,
  created_at  TEXT NOT NULL,
  source      TEXT NOT NULL DEFAULT '',
  undone      INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1))
);
CREATE INDEX label_edits_by_dataset ON label_edits(dataset_id, step);
CREATE INDEX label_edits_by_sample ON label_edits(sample_id);
)SQL";

} // namespace

const std::vector<Migration> &migrations()
{
    static const std::vector<Migration> all{
        {1, "datasets, samples, labels, experiments, runs, metrics, task weights, checkpoints",
         [](Database &db) { db.exec(kSchemaV1); }},
        {2, "checkpoints keep the run's other state (weighting method, RNG, probes)",
         [](Database &db) { db.exec("ALTER TABLE checkpoints ADD COLUMN state BLOB;"); }},
        {3, "dense labels: map columns and one label map per sample and column",
         [](Database &db) { db.exec(kSchemaV3); }},
        {4, "label columns say which attribute group they belong to",
         [](Database &db) {
             db.exec("ALTER TABLE label_columns ADD COLUMN attribute_group TEXT NOT NULL "
                     "DEFAULT '';");
         }},
        {5,
         "checkpoints say which they are (latest, best); runs record their environment and "
         "a note on how they ended",
         [](Database &db) {
             db.exec("ALTER TABLE checkpoints ADD COLUMN kind TEXT NOT NULL DEFAULT 'latest';"
                     "ALTER TABLE runs ADD COLUMN environment TEXT NOT NULL DEFAULT '{}';"
                     "ALTER TABLE runs ADD COLUMN note TEXT NOT NULL DEFAULT '';");
         }},
        {6, "probes record predictions, the run's probe samples and images made of them",
         [](Database &db) { db.exec(kSchemaV6); }},
        {7, "datasets of image files keep their root folder; every import is logged",
         [](Database &db) { db.exec(kSchemaV7); }},
        {8, "statistics per split: pixel mean and std, and label counts",
         [](Database &db) { db.exec(kSchemaV8); }},
        {9, "label edits: corrections to labels with their old values, undoable",
         [](Database &db) { db.exec(kSchemaV9); }},
    };
    return all;
}

int currentSchemaVersion()
{
    return migrations().back().version;
}

int migrate(Database &db, const std::vector<Migration> &steps)
{
    const int target = steps.empty() ? 0 : steps.back().version;
    const int found = db.userVersion();
    if (found > target) {
        ErrorLocation where;
        where.file = db.path();
        throw Error(ErrorCode::Store,
                    "written by a newer MTL Studio (schema version " + std::to_string(found) +
                        "; this build reads up to " + std::to_string(target) + ")",
                    where);
    }
    int applied = 0;
    for (const Migration &step : steps) {
        if (step.version <= found)
            continue;
        Transaction tx(db);
        try {
            step.apply(db);
        } catch (const Error &e) {
            ErrorLocation where;
            where.file = db.path();
            throw Error(ErrorCode::Store,
                        "migration to schema version " + std::to_string(step.version) +
                            " failed: " + e.message(),
                        where);
        }
        db.setUserVersion(step.version);
        tx.commit();
        ++applied;
    }
    return applied;
}

} // namespace mtl::store
