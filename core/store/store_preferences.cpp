// Store: preference sets, their pairs and the labels people give them (docs/preferences.md).
#include <sqlite3.h>

#include <string>

#include "core/common/error.h"
#include "core/common/hashing.h"
#include "core/store/run_id.h"
#include "core/store/sqlite_statement.h"
#include "core/store/store.h"
#include "core/store/transaction.h"

namespace temper {

bool isPreferenceChoice(std::string_view choice) {
  return choice == kPreferA || choice == kPreferB || choice == kPreferTie || choice == kPreferNeither ||
         choice == kPreferSkip;
}

namespace {

std::string jsonOrEmptyObject(const std::string& json) { return json.empty() ? "{}" : json; }

// The pair's identity within its set: every field that makes it the same question, each
// length-prefixed so that no two different pairs can spell the same bytes.
std::string dedupKey(const NewPreferencePair& pair) {
  std::string bytes;
  for (const std::string* field : {&pair.prompt, &pair.messages_json, &pair.completion_a, &pair.completion_b}) {
    bytes += std::to_string(field->size());
    bytes += ':';
    bytes += *field;
  }
  return sha256Hex(bytes);
}

// "a row that nothing supersedes": the current label of its (pair, labeller).
constexpr const char* kIsCurrent = "NOT EXISTS (SELECT 1 FROM preference_labels later WHERE later.supersedes = l.id)";

std::string selectSets() {
  return std::string(
             "SELECT s.id, s.name, s.description, s.guidelines, s.prompts_source, s.generation_json, s.created_at, "
             "(SELECT count(*) FROM preference_pairs p WHERE p.set_id = s.id), "
             "(SELECT count(DISTINCT l.pair_id) FROM preference_labels l JOIN preference_pairs p ON p.id = l.pair_id "
             "WHERE p.set_id = s.id AND l.choice <> 'undo' AND ") +
         kIsCurrent + ") FROM preference_sets s ";
}

PreferenceSetRecord readSet(const Statement& row) {
  PreferenceSetRecord set;
  set.id = row.columnInt64(0);
  set.name = row.columnText(1);
  set.description = row.columnText(2);
  set.guidelines = row.columnText(3);
  set.prompts_source = row.columnText(4);
  set.generation_json = row.columnText(5);
  set.created_at = row.columnDouble(6);
  set.pairs = row.columnInt64(7);
  set.labelled_pairs = row.columnInt64(8);
  return set;
}

constexpr const char* kPairColumns =
    "id, set_id, prompt, messages_json, completion_a, completion_b, source_a_json, source_b_json, seconds_a, "
    "seconds_b, tokens_per_s_a, tokens_per_s_b, origin, created_at";

PreferencePairRecord readPair(const Statement& row) {
  PreferencePairRecord pair;
  pair.id = row.columnInt64(0);
  pair.set_id = row.columnInt64(1);
  pair.prompt = row.columnText(2);
  pair.messages_json = row.columnText(3);
  pair.completion_a = row.columnText(4);
  pair.completion_b = row.columnText(5);
  pair.source_a_json = row.columnText(6);
  pair.source_b_json = row.columnText(7);
  pair.seconds_a = row.columnDouble(8);
  pair.seconds_b = row.columnDouble(9);
  pair.tokens_per_s_a = row.columnDouble(10);
  pair.tokens_per_s_b = row.columnDouble(11);
  pair.origin = row.columnText(12);
  pair.created_at = row.columnDouble(13);
  return pair;
}

constexpr const char* kLabelColumns =
    "l.id, l.pair_id, l.labeller, l.choice, l.rewrite, l.note, l.shown_left, l.seconds_spent, l.supersedes, "
    "l.created_at";

PreferenceLabelRecord readLabel(const Statement& row) {
  PreferenceLabelRecord label;
  label.id = row.columnInt64(0);
  label.pair_id = row.columnInt64(1);
  label.labeller = row.columnText(2);
  label.choice = row.columnText(3);
  label.rewrite = row.columnText(4);
  label.note = row.columnText(5);
  label.shown_left = row.columnText(6);
  label.seconds_spent = row.columnDouble(7);
  label.supersedes = row.columnInt64(8);  // NULL (the first label) reads as 0
  label.created_at = row.columnDouble(9);
  return label;
}

std::vector<PreferenceLabelRecord> readLabels(Statement& query) {
  std::vector<PreferenceLabelRecord> labels;
  while (query.step()) labels.push_back(readLabel(query));
  return labels;
}

// The (pair, labeller)'s current row id and choice; id 0 when the labeller never labelled the pair.
std::pair<int64_t, std::string> currentLabel(sqlite3* db, int64_t pair_id, const std::string& labeller) {
  Statement query(db, std::string("SELECT l.id, l.choice FROM preference_labels l WHERE l.pair_id = ?1 AND "
                                  "l.labeller = ?2 AND ") +
                          kIsCurrent);
  query.bind(1, pair_id).bind(2, labeller);
  if (!query.step()) return {0, ""};
  return {query.columnInt64(0), query.columnText(1)};
}

int64_t insertLabel(sqlite3* db, const NewPreferenceLabel& label, int64_t supersedes) {
  Statement insert(db,
                   "INSERT INTO preference_labels (pair_id, labeller, choice, rewrite, note, shown_left, "
                   "seconds_spent, supersedes, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  insert.bind(1, label.pair_id).bind(2, label.labeller).bind(3, label.choice).bind(4, label.rewrite);
  insert.bind(5, label.note).bind(6, label.shown_left).bind(7, label.seconds_spent);
  if (supersedes > 0) {
    insert.bind(8, supersedes);
  } else {
    insert.bindNull(8);
  }
  insert.bind(9, nowUnixSeconds());
  insert.run();
  return sqlite3_last_insert_rowid(db);
}

void requireValidLabel(const NewPreferenceLabel& label) {
  if (label.labeller.empty()) throw Error(ErrorKind::InvalidConfig, "a label needs the labeller's name");
  if (!isPreferenceChoice(label.choice)) {
    throw Error(ErrorKind::InvalidConfig,
                "a label's choice is `" + label.choice + "`; expected a, b, tie, both-bad or skip");
  }
  if (!label.shown_left.empty() && label.shown_left != "a" && label.shown_left != "b") {
    throw Error(ErrorKind::InvalidConfig, "a label's shown_left is `" + label.shown_left + "`; expected a, b or empty");
  }
}

// Checked before a transaction starts, so that a bad pair anywhere refuses the whole batch.
void requireCompletePairs(const std::vector<NewPreferencePair>& pairs, const char* operation) {
  for (size_t i = 0; i < pairs.size(); ++i) {
    const NewPreferencePair& pair = pairs[i];
    const char* missing = pair.prompt.empty() && pair.messages_json.empty() ? "a prompt (or messages)"
                          : pair.completion_a.empty()                       ? "completion A"
                          : pair.completion_b.empty()                       ? "completion B"
                                                                            : nullptr;
    if (missing != nullptr) {
      throw Error(ErrorKind::InvalidConfig,
                  std::string(operation) + ": pair " + std::to_string(i) + " of the batch has no " + missing);
    }
  }
}

// Inside the caller's transaction. The caller made sure the name is free.
int64_t insertSet(sqlite3* db, const NewPreferenceSet& set) {
  Statement insert(db,
                   "INSERT INTO preference_sets (name, description, guidelines, prompts_source, generation_json, "
                   "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.bind(1, set.name).bind(2, set.description).bind(3, set.guidelines).bind(4, set.prompts_source);
  insert.bind(5, jsonOrEmptyObject(set.generation_json)).bind(6, nowUnixSeconds());
  insert.run();
  return sqlite3_last_insert_rowid(db);
}

// Inside the caller's transaction; the pairs passed requireCompletePairs.
AddedPreferencePairs insertPairs(sqlite3* db, int64_t set_id, const std::vector<NewPreferencePair>& pairs) {
  AddedPreferencePairs result;
  Statement existing(db, "SELECT id FROM preference_pairs WHERE set_id = ?1 AND dedup_key = ?2");
  Statement insert(db,
                   "INSERT INTO preference_pairs (set_id, prompt, messages_json, completion_a, completion_b, "
                   "source_a_json, source_b_json, seconds_a, seconds_b, tokens_per_s_a, tokens_per_s_b, origin, "
                   "dedup_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  const double now = nowUnixSeconds();
  for (const NewPreferencePair& pair : pairs) {
    const std::string key = dedupKey(pair);
    existing.reset();
    existing.bind(1, set_id).bind(2, key);
    if (existing.step()) {
      result.ids.push_back(existing.columnInt64(0));
      ++result.duplicates;
      continue;
    }
    insert.reset();
    insert.bind(1, set_id).bind(2, pair.prompt).bind(3, pair.messages_json).bind(4, pair.completion_a);
    insert.bind(5, pair.completion_b).bind(6, jsonOrEmptyObject(pair.source_a_json));
    insert.bind(7, jsonOrEmptyObject(pair.source_b_json)).bind(8, pair.seconds_a).bind(9, pair.seconds_b);
    insert.bind(10, pair.tokens_per_s_a).bind(11, pair.tokens_per_s_b).bind(12, pair.origin).bind(13, key);
    insert.bind(14, now);
    insert.run();
    result.ids.push_back(sqlite3_last_insert_rowid(db));
    ++result.added;
  }
  return result;
}

}  // namespace

void Store::requirePreferenceSet(int64_t set_id, const char* operation) const {
  Statement query(connection(), "SELECT 1 FROM preference_sets WHERE id = ?1");
  query.bind(1, set_id);
  if (!query.step()) {
    throw Error(ErrorKind::InvalidConfig, std::string(operation) + ": no preference set with id " +
                                              std::to_string(set_id) + " in experiment store " + path_.string());
  }
}

int64_t Store::createPreferenceSet(const NewPreferenceSet& set) {
  sqlite3* db = writableConnection("createPreferenceSet");
  if (set.name.empty()) throw Error(ErrorKind::InvalidConfig, "a preference set needs a name");
  Transaction transaction(db);
  Statement taken(db, "SELECT 1 FROM preference_sets WHERE name = ?1");
  taken.bind(1, set.name);
  if (taken.step()) {
    throw Error(ErrorKind::InvalidConfig,
                "a preference set named `" + set.name + "` already exists in experiment store " + path_.string());
  }
  const int64_t id = insertSet(db, set);
  transaction.commit();
  return id;
}

std::vector<PreferenceSetRecord> Store::listPreferenceSets() const {
  Statement query(connection(), selectSets() + "ORDER BY s.id");
  std::vector<PreferenceSetRecord> sets;
  while (query.step()) sets.push_back(readSet(query));
  return sets;
}

std::optional<PreferenceSetRecord> Store::findPreferenceSet(const std::string& name) const {
  Statement query(connection(), selectSets() + "WHERE s.name = ?1");
  query.bind(1, name);
  if (!query.step()) return std::nullopt;
  return readSet(query);
}

AddedPreferencePairs Store::addPreferencePairs(int64_t set_id, const std::vector<NewPreferencePair>& pairs) {
  sqlite3* db = writableConnection("addPreferencePairs");
  requireCompletePairs(pairs, "addPreferencePairs");
  Transaction transaction(db);
  requirePreferenceSet(set_id, "addPreferencePairs");
  AddedPreferencePairs result = insertPairs(db, set_id, pairs);
  transaction.commit();
  return result;
}

ImportedPreferences Store::importPreferences(const NewPreferenceSet& set, const std::vector<NewPreferencePair>& pairs,
                                             const std::vector<NewPreferenceLabel>& labels) {
  sqlite3* db = writableConnection("importPreferences");
  if (set.name.empty()) throw Error(ErrorKind::InvalidConfig, "a preference set needs a name");
  requireCompletePairs(pairs, "importPreferences");
  for (const NewPreferenceLabel& label : labels) {
    requireValidLabel(label);
    if (label.pair_id < 0 || label.pair_id >= static_cast<int64_t>(pairs.size())) {
      throw Error(ErrorKind::InvalidConfig, "importPreferences: a label names pair " + std::to_string(label.pair_id) +
                                                " of a batch of " + std::to_string(pairs.size()));
    }
  }
  ImportedPreferences result;
  Transaction transaction(db);
  Statement find(db, "SELECT id FROM preference_sets WHERE name = ?1");
  find.bind(1, set.name);
  if (find.step()) {
    result.set_id = find.columnInt64(0);
  } else {
    result.set_id = insertSet(db, set);
    result.created_set = true;
  }
  result.pairs = insertPairs(db, result.set_id, pairs);
  for (NewPreferenceLabel label : labels) {
    label.pair_id = result.pairs.ids[static_cast<size_t>(label.pair_id)];
    const auto [current, choice] = currentLabel(db, label.pair_id, label.labeller);
    if (current != 0 && choice == label.choice) {
      ++result.labels_already_there;
      continue;
    }
    insertLabel(db, label, current);
    ++result.labels_added;
  }
  transaction.commit();
  return result;
}

std::vector<PreferencePairRecord> Store::preferencePairs(int64_t set_id) const {
  Statement query(connection(),
                  std::string("SELECT ") + kPairColumns + " FROM preference_pairs WHERE set_id = ?1 ORDER BY id");
  query.bind(1, set_id);
  std::vector<PreferencePairRecord> pairs;
  while (query.step()) pairs.push_back(readPair(query));
  return pairs;
}

std::optional<PreferencePairRecord> Store::preferencePair(int64_t pair_id) const {
  Statement query(connection(), std::string("SELECT ") + kPairColumns + " FROM preference_pairs WHERE id = ?1");
  query.bind(1, pair_id);
  if (!query.step()) return std::nullopt;
  return readPair(query);
}

int64_t Store::addPreferenceLabel(const NewPreferenceLabel& label) {
  sqlite3* db = writableConnection("addPreferenceLabel");
  requireValidLabel(label);
  Transaction transaction(db);
  Statement exists(db, "SELECT 1 FROM preference_pairs WHERE id = ?1");
  exists.bind(1, label.pair_id);
  if (!exists.step()) {
    throw Error(ErrorKind::InvalidConfig, "addPreferenceLabel: no preference pair with id " +
                                              std::to_string(label.pair_id) + " in experiment store " + path_.string());
  }
  const int64_t id = insertLabel(db, label, currentLabel(db, label.pair_id, label.labeller).first);
  transaction.commit();
  return id;
}

int64_t Store::undoPreferenceLabel(int64_t pair_id, const std::string& labeller) {
  sqlite3* db = writableConnection("undoPreferenceLabel");
  Transaction transaction(db);
  const auto [current, choice] = currentLabel(db, pair_id, labeller);
  if (current == 0 || choice == kPreferUndo) {
    throw Error(ErrorKind::InvalidConfig,
                "nothing to undo: `" + labeller + "` has no label on preference pair " + std::to_string(pair_id));
  }
  NewPreferenceLabel undo;
  undo.pair_id = pair_id;
  undo.labeller = labeller;
  undo.choice = std::string(kPreferUndo);
  const int64_t id = insertLabel(db, undo, current);
  transaction.commit();
  return id;
}

std::vector<PreferenceLabelRecord> Store::preferenceLabelHistory(int64_t set_id) const {
  Statement query(connection(), std::string("SELECT ") + kLabelColumns +
                                    " FROM preference_labels l JOIN preference_pairs p ON p.id = l.pair_id "
                                    "WHERE p.set_id = ?1 ORDER BY l.id");
  query.bind(1, set_id);
  return readLabels(query);
}

std::vector<PreferenceLabelRecord> Store::currentPreferenceLabels(int64_t set_id) const {
  Statement query(connection(), std::string("SELECT ") + kLabelColumns +
                                    " FROM preference_labels l JOIN preference_pairs p ON p.id = l.pair_id "
                                    "WHERE p.set_id = ?1 AND l.choice <> 'undo' AND " +
                                    kIsCurrent + " ORDER BY l.pair_id, l.labeller");
  query.bind(1, set_id);
  return readLabels(query);
}

std::vector<int64_t> Store::pairsToLabel(int64_t set_id, const std::string& labeller, int64_t limit) const {
  Statement query(connection(), std::string("SELECT p.id FROM preference_pairs p WHERE p.set_id = ?1 AND NOT EXISTS "
                                            "(SELECT 1 FROM preference_labels l WHERE l.pair_id = p.id AND "
                                            "l.labeller = ?2 AND l.choice <> 'undo' AND ") +
                                    kIsCurrent + ") ORDER BY p.id LIMIT ?3");
  query.bind(1, set_id).bind(2, labeller).bind(3, limit);
  std::vector<int64_t> ids;
  while (query.step()) ids.push_back(query.columnInt64(0));
  return ids;
}

}  // namespace temper
