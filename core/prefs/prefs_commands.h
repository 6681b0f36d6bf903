#pragma once
/// `temper prefs create|import|export|list|show|stats`: preference sets in the workspace's store
/// (docs/preferences.md). Each returns a result whose toJson() is the `--json` contract
/// (docs/cli.md); app/cli_prefs.cpp prints the text for people.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/prefs/preference_export.h"
#include "core/prefs/preference_import.h"
#include "core/prefs/preference_stats.h"
#include "core/store/preference_records.h"
#include "core/store/store.h"

namespace temper {

struct PrefsImportRequest {
  std::string workspace{};
  std::filesystem::path file{};
  std::string set{};
  std::string description{};         ///< for a new set
  std::string labeller = "dataset";  ///< who the file's verdicts are attributed to
  bool with_labels = true;           ///< false: pairs only, to be labelled afresh
  PreferenceImportOptions options{};
};

struct PrefsImportResult {
  std::filesystem::path file{};
  std::string set{};
  ParsedPreferences parsed{};  ///< pairs emptied after the import (the counts stay)
  int64_t pairs_parsed = 0;
  ImportedPreferences imported{};
  Json toJson() const;
};

/// Reads and checks the whole file first, then imports it in one transaction. Throws
/// Error(InvalidInput) naming file:line for a bad record (nothing is imported).
PrefsImportResult importPreferenceFile(const PrefsImportRequest& request);

struct PrefsExportRequest {
  std::string workspace{};
  std::string set{};
  std::filesystem::path out{};
  PreferenceExportOptions options{};
};

struct PrefsExportResult {
  std::filesystem::path out{};
  std::string set{};
  std::string format{};
  PreferenceExport exported{};  ///< records emptied once written
  Json toJson() const;
};

/// Writes the JSONL file atomically (a crash leaves no half-written file). Throws
/// Error(InvalidConfig) for an unknown set or a min-agreement outside [0, 1].
PrefsExportResult exportPreferenceSet(const PrefsExportRequest& request);

struct PrefsList {
  std::filesystem::path workspace{};
  std::vector<PreferenceSetRecord> sets{};
  Json toJson() const;
};
PrefsList listPreferenceSets(const std::string& workspace);

struct PrefsShow {
  PreferenceSetRecord set{};
  std::vector<PreferencePairRecord> pairs{};    ///< the first `limit`
  std::vector<PreferenceLabelRecord> labels{};  ///< their labels in force
  Json toJson() const;
};
PrefsShow showPreferenceSet(const std::string& workspace, const std::string& set, int64_t limit);

PreferenceStats preferenceSetStats(const std::string& workspace, const std::string& set);

/// Creates an empty set (for generation or the labelling page). Throws when the name is taken.
PreferenceSetRecord createPreferenceSet(const std::string& workspace, const NewPreferenceSet& set);

/// A preference set's row as JSON (list, show, the studio).
Json preferenceSetJson(const PreferenceSetRecord& set);

/// The workspace's store, read-only. Throws Error(InvalidConfig) when the workspace has none.
Store openPreferenceStore(const std::string& workspace);
/// The set called `name`. Throws Error(InvalidConfig) listing the sets there are when none is.
PreferenceSetRecord preferenceSetNamed(const Store& store, const std::string& name);

}  // namespace temper
