// The ordered list of schema migrations, one function per version. Append; never edit a shipped one.
#include <array>

#include "core/store/schema.h"
#include "core/store/sqlite_error.h"

namespace temper {
namespace {

// Version 1: the first schema.
// - No CHECK on runs.status: SQLite cannot alter a CHECK without rebuilding the table, and a new
//   status would then need a migration; the store validates statuses in code instead.
// - runs.parent_id has no foreign key: a child keeps the id of the run it came from even after that
//   run is deleted, so lineage is not silently lost.
// - metrics is keyed by (run_id, name, step) and written with an upsert: a run resumed from a
//   checkpoint logs the replayed steps again and they replace the old points instead of doubling the
//   curve. WITHOUT ROWID makes that key the table itself (metrics is by far the largest table).
// - Times are REAL unix seconds; NULL means "not yet". metrics.value NULL means NaN.
// - datasets, models, preferences, prompts are created now with their core columns, so later
//   features add columns (ALTER TABLE ADD COLUMN) rather than tables.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE runs (
  id            TEXT PRIMARY KEY NOT NULL,
  name          TEXT NOT NULL DEFAULT '',
  parent_id     TEXT,
  method        TEXT NOT NULL DEFAULT '',
  base_model    TEXT NOT NULL DEFAULT '',
  dataset       TEXT NOT NULL DEFAULT '',
  config_json   TEXT NOT NULL DEFAULT '{}',
  status        TEXT NOT NULL DEFAULT 'created',
  pid           INTEGER,
  device        TEXT NOT NULL DEFAULT '',
  threads       INTEGER NOT NULL DEFAULT 0,
  versions_json TEXT NOT NULL DEFAULT '{}',
  run_dir       TEXT NOT NULL DEFAULT '',
  created_at    REAL NOT NULL,
  started_at    REAL,
  finished_at   REAL,
  heartbeat_at  REAL,
  notes         TEXT NOT NULL DEFAULT '',
  tags          TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_created ON runs(created_at);
CREATE INDEX runs_by_status ON runs(status);
CREATE INDEX runs_by_parent ON runs(parent_id);

CREATE TABLE metrics (
  run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  step        INTEGER NOT NULL,
  tokens_seen INTEGER NOT NULL DEFAULT 0,
  wall_time_s REAL NOT NULL DEFAULT 0,
  value       REAL,
  PRIMARY KEY (run_id, name, step)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
  id          INTEGER PRIMARY KEY,
  run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step        INTEGER NOT NULL,
  tokens_seen INTEGER NOT NULL DEFAULT 0,
  path        TEXT NOT NULL,
  val_loss    REAL,
  created_at  REAL NOT NULL,
  UNIQUE (run_id, step)
);

CREATE TABLE samples (
  id         INTEGER PRIMARY KEY,
  run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step       INTEGER NOT NULL,
  prompt     TEXT NOT NULL DEFAULT '',
  text       TEXT NOT NULL DEFAULT '',
  created_at REAL NOT NULL
);
CREATE INDEX samples_by_run_step ON samples(run_id, step);

CREATE TABLE datasets (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL DEFAULT '',
  path       TEXT NOT NULL DEFAULT '',
  format     TEXT NOT NULL DEFAULT '',
  sha256     TEXT NOT NULL DEFAULT '',
  created_at REAL NOT NULL DEFAULT 0
);

CREATE TABLE models (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL DEFAULT '',
  path          TEXT NOT NULL DEFAULT '',
  architecture  TEXT NOT NULL DEFAULT '',
  source_run_id TEXT,
  created_at    REAL NOT NULL DEFAULT 0
);

CREATE TABLE preferences (
  id           INTEGER PRIMARY KEY,
  prompt       TEXT NOT NULL DEFAULT '',
  completion_a TEXT NOT NULL DEFAULT '',
  completion_b TEXT NOT NULL DEFAULT '',
  source_a     TEXT NOT NULL DEFAULT '',
  source_b     TEXT NOT NULL DEFAULT '',
  choice       TEXT NOT NULL DEFAULT '',
  note         TEXT NOT NULL DEFAULT '',
  created_at   REAL NOT NULL DEFAULT 0
);

CREATE TABLE prompts (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL DEFAULT '',
  base_model    TEXT NOT NULL DEFAULT '',
  path          TEXT NOT NULL DEFAULT '',
  source_run_id TEXT,
  created_at    REAL NOT NULL DEFAULT 0
);
)sql";

void createSchemaV1(sqlite3* db) { execSql(db, kSchemaV1, "creating the schema (version 1)"); }

// Version 2: metric_summaries, one row per (run, metric name) that appendMetrics keeps current in
// the same transaction as the points (store_series.cpp; docs/architecture.md, "Metric summaries").
// - Why: the run history showed each run's last step, tokens, training time and best/last
//   validation loss by aggregating metrics when it opened, a cost that grew with the metrics table
//   (10,000 runs x 200 steps: 359 ms against a budget of 300). Reading a summary row is one key
//   seek however long the run.
// - min_value is the minimum over the non-NaN values (NULL when there is none), last_value the
//   value at last_step (NULL for NaN), as metrics stores them.
// - Keyed like metrics and deleted with the run (ON DELETE CASCADE), so deleteRun needs no code.
// - The backfill below computes every row from metrics, so a workspace written by version 1 opens
//   with the same summaries a new one would have built point by point.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE metric_summaries (
  run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  last_step   INTEGER NOT NULL,
  tokens_seen INTEGER NOT NULL DEFAULT 0,
  wall_time_s REAL NOT NULL DEFAULT 0,
  last_value  REAL,
  min_value   REAL,
  PRIMARY KEY (run_id, name)
) WITHOUT ROWID;

-- One scan of metrics for the aggregates, then one key seek per (run, name) for the last point:
-- 10,000 runs x 200 steps x 4 metrics (8 M points) in 4.5 s on the loaded 2-core machine, against
-- 6.6 s for an UPDATE with a correlated min() per row.
INSERT INTO metric_summaries (run_id, name, last_step, tokens_seen, wall_time_s, last_value, min_value)
  SELECT m.run_id, m.name, m.step, m.tokens_seen, m.wall_time_s, m.value, a.min_value
  FROM (SELECT run_id, name, max(step) AS last_step, min(value) AS min_value FROM metrics GROUP BY run_id, name) a
  JOIN metrics m ON m.run_id = a.run_id AND m.name = a.name AND m.step = a.last_step;
)sql";

void addMetricSummariesV2(sqlite3* db) {
  execSql(db, kSchemaV2, "adding metric_summaries and filling it from metrics (version 2)");
}

// Version 3: preference data for RLHF (docs/preferences.md): sets, pairs and labels, replacing
// version 1's single `preferences` placeholder table (which nothing wrote; any rows it has are moved
// into a set named "preferences (schema 1)", a label for each row whose choice is a valid one).
// - A label row is never updated or deleted: a new vote or an undo by the same labeller on the same
//   pair is a new row whose `supersedes` names the row it replaces. A label is current when nothing
//   supersedes it (labels_by_supersedes makes that test one seek); the store keeps at most one
//   current row per (pair, labeller), in the transaction that writes the next.
// - preference_pairs.dedup_key (SHA-256 of the prompt, messages and both completions) is unique in
//   its set: a generation that resumes, or a file imported twice, adds only new pairs.
// - Deleting a set deletes its pairs and their labels (ON DELETE CASCADE).
// - Sources are JSON text (model folder, run, checkpoint, adapter, sampling settings, seed): what a
//   source is will grow with the methods, and nothing queries inside it.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE preference_sets (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE,
  description     TEXT NOT NULL DEFAULT '',
  guidelines      TEXT NOT NULL DEFAULT '',
  prompts_source  TEXT NOT NULL DEFAULT '',
  generation_json TEXT NOT NULL DEFAULT '{}',
  created_at      REAL NOT NULL
);

CREATE TABLE preference_pairs (
  id             INTEGER PRIMARY KEY,
  set_id         INTEGER NOT NULL REFERENCES preference_sets(id) ON DELETE CASCADE,
  prompt         TEXT NOT NULL DEFAULT '',
  messages_json  TEXT NOT NULL DEFAULT '',
  completion_a   TEXT NOT NULL,
  completion_b   TEXT NOT NULL,
  source_a_json  TEXT NOT NULL DEFAULT '{}',
  source_b_json  TEXT NOT NULL DEFAULT '{}',
  seconds_a      REAL,
  seconds_b      REAL,
  tokens_per_s_a REAL,
  tokens_per_s_b REAL,
  origin         TEXT NOT NULL DEFAULT '',
  dedup_key      TEXT NOT NULL,
  created_at     REAL NOT NULL,
  UNIQUE (set_id, dedup_key)
);

CREATE TABLE preference_labels (
  id            INTEGER PRIMARY KEY,
  pair_id       INTEGER NOT NULL REFERENCES preference_pairs(id) ON DELETE CASCADE,
  labeller      TEXT NOT NULL,
  choice        TEXT NOT NULL,
  rewrite       TEXT NOT NULL DEFAULT '',
  note          TEXT NOT NULL DEFAULT '',
  shown_left    TEXT NOT NULL DEFAULT '',
  seconds_spent REAL,
  supersedes    INTEGER REFERENCES preference_labels(id) ON DELETE CASCADE,
  created_at    REAL NOT NULL
);
CREATE INDEX labels_by_pair ON preference_labels(pair_id, labeller);
CREATE INDEX labels_by_supersedes ON preference_labels(supersedes);

INSERT INTO preference_sets (name, description, created_at)
  SELECT 'preferences (schema 1)', 'The rows of the schema-1 preferences table, moved here by schema version 3.',
         coalesce(min(created_at), 0)
  FROM preferences HAVING count(*) > 0;
INSERT INTO preference_pairs (set_id, prompt, completion_a, completion_b, source_a_json, source_b_json, origin,
                              dedup_key, created_at)
  SELECT s.id, p.prompt, p.completion_a, p.completion_b, json_object('name', p.source_a),
         json_object('name', p.source_b), 'schema 1', 'schema-1 row ' || p.id, p.created_at
  FROM preferences p JOIN preference_sets s ON s.name = 'preferences (schema 1)';
INSERT INTO preference_labels (pair_id, labeller, choice, note, created_at)
  SELECT pp.id, 'schema 1', p.choice, p.note, p.created_at
  FROM preferences p JOIN preference_pairs pp ON pp.dedup_key = 'schema-1 row ' || p.id
  WHERE p.choice IN ('a', 'b', 'tie', 'both-bad', 'skip');
DROP TABLE preferences;
)sql";

void addPreferenceDataV3(sqlite3* db) {
  execSql(db, kSchemaV3, "adding preference sets, pairs and labels (version 3)");
}

// A sample's scores (what a rewarded method scored it with), so that a run read from the store
// shows its rollouts table as the live run did.
void addSampleScoresV4(sqlite3* db) {
  execSql(db, "ALTER TABLE samples ADD COLUMN scores_json TEXT NOT NULL DEFAULT '{}'",
          "adding samples.scores_json (version 4)");
}

constexpr std::array kMigrations{
    Migration{1, "create runs, metrics, checkpoints, samples, datasets, models, preferences, prompts", &createSchemaV1},
    Migration{2, "add metric_summaries, filled from metrics", &addMetricSummariesV2},
    Migration{3, "add preference sets, pairs and labels; move the schema-1 preferences rows", &addPreferenceDataV3},
    Migration{4, "add samples.scores_json", &addSampleScoresV4},
};

}  // namespace

std::span<const Migration> builtinMigrations() { return kMigrations; }

}  // namespace temper
