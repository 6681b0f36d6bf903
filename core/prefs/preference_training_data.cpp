#include "core/prefs/preference_training_data.h"

#include "core/common/error.h"
#include "core/data/records.h"
#include "core/prefs/preference_export.h"
#include "core/prefs/preference_import.h"
#include "core/prefs/prefs_commands.h"

namespace temper {
namespace {

constexpr std::string_view kSetPrefix = "set:";

PreferenceTrainingPairs fromRecords(const std::vector<Record>& records, std::string name) {
  ParsedPreferences parsed = parsePreferenceRecords(records, {});
  PreferenceTrainingPairs out;
  out.pairs = std::move(parsed.pairs);
  out.name = std::move(name);
  out.conversational = parsed.conversational;
  out.selection = parsed.summary();
  return out;
}

PreferenceTrainingPairs fromSet(const PreferenceDataRequest& request, const std::string& set_name) {
  if (!(request.min_agreement >= 0.0 && request.min_agreement <= 1.0)) {
    throwConfigError("min-agreement is " + std::to_string(request.min_agreement) + "; allowed: 0 to 1");
  }
  Store store = openPreferenceStore(request.workspace);
  const PreferenceSetRecord set = preferenceSetNamed(store, set_name);
  PreferenceExportOptions options;
  options.min_agreement = request.min_agreement;
  options.labeller = request.labeller;
  // Written as TRL's explicit records and read back by the file reader: one path for both sources.
  PreferenceExport exported =
      buildPreferenceExport(store.preferencePairs(set.id), store.currentPreferenceLabels(set.id), options);
  const std::string name = "set " + set.name;
  if (exported.records.empty()) {
    throwConfigError(name + " has no pair with a verdict to train on: of " + std::to_string(exported.pairs) +
                     " pairs, " + std::to_string(exported.unlabelled) + " unlabelled, " +
                     std::to_string(exported.no_preference) + " tie or both bad, " +
                     std::to_string(exported.no_majority) + " without a majority, " +
                     std::to_string(exported.below_agreement) +
                     " below min-agreement; label pairs on the Label page, or lower min-agreement");
  }
  std::vector<Record> records;
  records.reserve(exported.records.size());
  for (size_t i = 0; i < exported.records.size(); ++i) {
    records.push_back({std::move(exported.records[i]), name + " pair " + std::to_string(i + 1)});
  }
  auto out = fromRecords(records, name);
  Json selection = exported.summary();
  selection["read"] = out.selection;
  out.selection = std::move(selection);
  return out;
}

}  // namespace

PreferenceTrainingPairs loadPreferenceTrainingPairs(const PreferenceDataRequest& request) {
  if (request.data.rfind(kSetPrefix, 0) == 0) {
    const std::string set_name = request.data.substr(kSetPrefix.size());
    if (set_name.empty()) throwConfigError("`set:` needs the set's name (temper prefs list shows them)");
    return fromSet(request, set_name);
  }
  if (request.min_agreement != 0.0 || !request.labeller.empty()) {
    throwConfigError("min-agreement and labeller choose among a set's labels; " + request.data +
                     " is a file, whose verdicts are taken as written (use set:NAME to filter labels)");
  }
  const std::filesystem::path path(request.data);
  return fromRecords(readRecords(path), path.filename().string());
}

}  // namespace temper
