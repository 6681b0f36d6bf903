#pragma once
/// The experiment store: runs, their metrics, checkpoints and samples, and the preference data
/// (sets, pairs, labels) in one SQLite file
/// (`<workspace>/temper.db`, WAL mode). The engine writes it in batched transactions while the studio
/// and other processes read it.
///
/// Ownership and threads: a Store owns one SQLite connection and is move-only. It is NOT thread-safe:
/// use one Store per thread. Several Stores, in one process or several, may open the same file at
/// once; writers wait for each other up to 5 s (then Error(Busy)), readers never wait for writers.
///
/// Errors: every method throws temper::Error. Io when the file cannot be opened/written (the message
/// names the file), InvalidInput when the file is damaged, not a store, or from a newer Temper,
/// InvalidConfig for an unknown or ambiguous run id or a bad status, Busy when another process held
/// the write lock past the timeout, Internal when a read-only Store is asked to write.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/store/preference_records.h"
#include "core/store/records.h"

struct sqlite3;

namespace temper {

class Store {
 public:
  /// Opens `db_path` for reading and writing, creating the file if missing (its folder must exist).
  /// Sets WAL, a 5000 ms busy timeout and foreign keys, then runs pending schema migrations in one
  /// transaction.
  static Store open(const std::filesystem::path& db_path);
  /// Opens an existing store read-only. In WAL mode a reader sees the last committed state and never
  /// blocks the writer. A store written by an older Temper (schema version 1 up to the last) is
  /// first upgraded once through a writing connection, as Store::open would (otherwise the first
  /// read-only command after an upgrade, e.g. `temper runs list`, could never run). Throws Io if the
  /// file is missing, InvalidInput if it is newer than this Temper, has version 0 (not a store, or
  /// empty: a reader does not create a schema) or cannot be upgraded (the message says why).
  static Store openReadOnly(const std::filesystem::path& db_path);

  Store(Store&& other) noexcept;
  Store& operator=(Store&& other) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  const std::filesystem::path& path() const { return path_; }
  bool isReadOnly() const { return read_only_; }
  int schemaVersion() const;

  // --- runs (store_runs.cpp) ---------------------------------------------------------------
  /// Inserts a run with status "created" and created_at = now; returns its new id
  /// ("20261127-084512-a3f9"). An empty NewRun::run_dir is stored as `<db folder>/runs/<id>`.
  std::string createRun(const NewRun& run);
  /// status "running", pid, started_at = heartbeat_at = now.
  void markRunning(const std::string& id, int64_t pid);
  /// heartbeat_at = now: lets a reader tell a live run from one whose process died.
  void heartbeat(const std::string& id);
  /// `status` must be "finished", "failed" or "cancelled"; finished_at = now, pid cleared.
  void finishRun(const std::string& id, const std::string& status, const std::string& error_message);
  void updateRunConfig(const std::string& id, const std::string& config_json);
  void setNotes(const std::string& id, const std::string& notes);
  void setTags(const std::string& id, const std::string& tags);
  void renameRun(const std::string& id, const std::string& name);
  /// Deletes the run with its metrics, checkpoints and samples (rows only: the run folder on disk
  /// is the caller's to remove). Does not check whether the run is still live.
  void deleteRun(const std::string& id);

  /// Newest first.
  std::vector<RunRecord> listRuns() const;
  /// Exact id, else the one run whose id starts with `id_or_unique_prefix`; nullopt when none.
  /// Throws InvalidConfig when the prefix is empty or matches several runs (the message lists them).
  std::optional<RunRecord> findRun(const std::string& id_or_unique_prefix) const;

  // --- series (store_series.cpp) ----------------------------------------------------------
  /// Appends the whole batch in ONE transaction. A point with the same (run, name, step) as an
  /// existing one replaces it (a resumed run re-logs the steps after its checkpoint).
  void appendMetrics(const std::string& run_id, const std::vector<MetricPoint>& points);
  /// A checkpoint at a step that already has one replaces it. created_at 0 means now.
  void addCheckpoint(const std::string& run_id, const CheckpointRecord& checkpoint);
  /// created_at 0 means now.
  void addSample(const std::string& run_id, const SampleRecord& sample);

  /// Ordered by step (then name); `name` empty means every metric.
  std::vector<MetricPoint> metrics(const std::string& run_id, const std::string& name = "") const;
  /// The points with step > `after_step`, ordered by step (then name); `name` empty means every
  /// metric. Costs the new points plus one seek per metric name, however long the series: a reader
  /// following a live run passes the last step it has seen of each metric. A point re-logged at an
  /// old step (a resumed run replaces the steps after its checkpoint) is not "after" it.
  std::vector<MetricPoint> metricsSince(const std::string& run_id, int64_t after_step,
                                        const std::string& name = "") const;
  /// The same with a step per metric name (a name missing from the map: all its points), read in
  /// one snapshot: a follower that keeps how far it has read each metric gets every point exactly
  /// once even when an evaluation's points are committed after the steps they belong to.
  std::vector<MetricPoint> metricsSince(const std::string& run_id,
                                        const std::map<std::string, int64_t>& after_step_by_name) const;
  /// The point with the highest step for each metric name (read from the summaries: one row a name).
  std::map<std::string, MetricPoint> lastMetrics(const std::string& run_id) const;

  // --- summaries (store_summaries.cpp) ------------------------------------------------------
  /// Each metric of the run by name: last step, its tokens and wall time, last and lowest value.
  std::map<std::string, MetricSummary> metricSummaries(const std::string& run_id) const;
  /// Every run, newest first (listRuns' order), with the summaries of `metric_names`, in one
  /// statement that does not read the metrics table: the run history of 10,000 runs opens with it.
  /// config_json is left empty.
  std::vector<RunOverview> listRunOverviews(const std::vector<std::string>& metric_names) const;
  /// Ordered by step.
  std::vector<CheckpointRecord> checkpoints(const std::string& run_id) const;
  /// Ordered by step, then insertion.
  std::vector<SampleRecord> samples(const std::string& run_id) const;
  /// The run's samples added after `cursor`, in insertion order, for a reader that polls: start
  /// with cursor 0 and pass back what the call left in it. The cursor is an opaque position in the
  /// store (not a count), so each call reads only the samples added since the last one.
  std::vector<SampleRecord> samplesAddedSince(const std::string& run_id, int64_t& cursor) const;

  // --- preference data (store_preferences.cpp; docs/preferences.md) --------------------------
  /// Creates a set; returns its id. Throws InvalidConfig when the name is empty or taken.
  int64_t createPreferenceSet(const NewPreferenceSet& set);
  /// By name, oldest first, each with its counts.
  std::vector<PreferenceSetRecord> listPreferenceSets() const;
  /// nullopt when no set has that name.
  std::optional<PreferenceSetRecord> findPreferenceSet(const std::string& name) const;
  /// Adds the batch in ONE transaction (a bad pair leaves the set as it was). Throws InvalidConfig
  /// for an unknown set or a pair with no prompt and no messages, or an empty completion (the
  /// message gives the pair's index in the batch).
  AddedPreferencePairs addPreferencePairs(int64_t set_id, const std::vector<NewPreferencePair>& pairs);
  /// A file's worth of preference data in ONE transaction (`temper prefs import`): creates the set
  /// when no set is named `set.name` (else adds to it; its other fields are then ignored), adds the
  /// pairs as addPreferencePairs does, and each of `labels`, whose pair_id is the index of its pair
  /// in `pairs`, unless that labeller's current label of the pair already makes the same choice (a
  /// file imported twice adds nothing). Anything refused leaves the store as it was.
  ImportedPreferences importPreferences(const NewPreferenceSet& set, const std::vector<NewPreferencePair>& pairs,
                                        const std::vector<NewPreferenceLabel>& labels);
  /// The set's pairs in the order they were added.
  std::vector<PreferencePairRecord> preferencePairs(int64_t set_id) const;
  std::optional<PreferencePairRecord> preferencePair(int64_t pair_id) const;
  /// Records a vote, committed before it returns; it supersedes the labeller's current label of the
  /// pair if there is one. Returns the new row's id. Throws InvalidConfig for an unknown pair, an
  /// empty labeller, a choice other than a, b, tie, both-bad and skip, or shown_left other than
  /// "a", "b" or "".
  int64_t addPreferenceLabel(const NewPreferenceLabel& label);
  /// Withdraws the labeller's current label of the pair: an undo row superseding it. Returns the
  /// undo row's id. Throws InvalidConfig when the labeller has no current label there.
  int64_t undoPreferenceLabel(int64_t pair_id, const std::string& labeller);
  /// Every label row of the set, undo rows and superseded ones included, in the order written.
  std::vector<PreferenceLabelRecord> preferenceLabelHistory(int64_t set_id) const;
  /// The labels in force: for each (pair, labeller) the row nothing supersedes, unless it is an
  /// undo. Ordered by pair, then labeller.
  std::vector<PreferenceLabelRecord> currentPreferenceLabels(int64_t set_id) const;
  /// Up to `limit` pairs of the set that `labeller` has no current label on, oldest first: what the
  /// labelling page shows next.
  std::vector<int64_t> pairsToLabel(int64_t set_id, const std::string& labeller, int64_t limit) const;

 private:
  Store(sqlite3* db, std::filesystem::path path, bool read_only);
  sqlite3* connection() const;  ///< throws Internal on a moved-from Store
  sqlite3* writableConnection(const char* operation) const;
  void requireRun(const std::string& id, const char* operation) const;
  void requirePreferenceSet(int64_t set_id, const char* operation) const;
  void updateRunText(const std::string& id, const char* column, const std::string& value);

  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
  bool read_only_ = false;
};

}  // namespace temper
