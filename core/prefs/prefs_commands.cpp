#include "core/prefs/prefs_commands.h"

#include <cmath>
#include <map>

#include "core/common/error.h"
#include "core/common/workspace_paths.h"
#include "core/data/records.h"
#include "core/store/store.h"

namespace temper {
namespace {

Store openForWriting(const std::string& workspace_arg) {
  const WorkspacePaths workspace = resolveWorkspace(workspace_arg);
  ensureWorkspace(workspace);
  return Store::open(workspace.database());
}

Json sourceJson(const std::string& text) {
  Json parsed = Json::parse(text.empty() ? "{}" : text, nullptr, false);
  return parsed.is_discarded() ? Json(text) : parsed;
}

Json optionalNumber(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

}  // namespace

Store openPreferenceStore(const std::string& workspace_arg) {
  const WorkspacePaths workspace = resolveWorkspace(workspace_arg);
  if (!std::filesystem::exists(workspace.database())) {
    throwConfigError("no experiment store at " + workspace.database().string() +
                     " (no preference sets yet; give --workspace or TEMPER_WORKSPACE to use another)");
  }
  return Store::openReadOnly(workspace.database());
}

PreferenceSetRecord preferenceSetNamed(const Store& store, const std::string& name) {
  auto set = store.findPreferenceSet(name);
  if (!set) {
    std::string known;
    for (const auto& s : store.listPreferenceSets()) known += (known.empty() ? "" : ", ") + s.name;
    throwConfigError("no preference set named `" + name + "`" +
                     (known.empty() ? std::string(" (the store has none)") : " (sets: " + known + ")"));
  }
  return *set;
}

Json preferenceSetJson(const PreferenceSetRecord& set) {
  return Json{{"id", set.id},
              {"name", set.name},
              {"description", set.description},
              {"guidelines", set.guidelines},
              {"prompts_source", set.prompts_source},
              {"generation", sourceJson(set.generation_json)},
              {"created_at", set.created_at},
              {"pairs", set.pairs},
              {"labelled_pairs", set.labelled_pairs}};
}

Json PrefsImportResult::toJson() const {
  Json out = parsed.summary();
  out["file"] = file.string();
  out["set"] = set;
  out["set_id"] = imported.set_id;
  out["created_set"] = imported.created_set;
  out["pairs"] = pairs_parsed;
  out["added"] = imported.pairs.added;
  out["duplicates"] = imported.pairs.duplicates;
  out["labels_added"] = imported.labels_added;
  out["labels_already_there"] = imported.labels_already_there;
  return out;
}

PrefsImportResult importPreferenceFile(const PrefsImportRequest& request) {
  if (request.set.empty()) throwConfigError("give the set to import into (--set NAME)");
  PrefsImportResult result;
  result.file = request.file;
  result.set = request.set;
  // Everything is read and checked before the store is touched: a bad record imports nothing.
  result.parsed = parsePreferenceRecords(readRecords(request.file), request.options);
  result.pairs_parsed = static_cast<int64_t>(result.parsed.pairs.size());
  if (result.parsed.pairs.empty()) {
    throwInputError(request.file.string() + ": no pair to import (" + result.parsed.summary().dump() + ")");
  }
  std::vector<NewPreferenceLabel> labels;
  if (request.with_labels) {
    if (request.labeller.empty()) throwConfigError("--labeller is empty; name who the file's verdicts are from");
    for (size_t i = 0; i < result.parsed.pairs.size(); ++i) {
      NewPreferenceLabel label;
      label.pair_id = static_cast<int64_t>(i);
      label.labeller = request.labeller;
      label.choice = std::string(kPreferA);  // completion A is the chosen one
      labels.push_back(std::move(label));
    }
  }
  NewPreferenceSet set;
  set.name = request.set;
  set.description = request.description;
  set.prompts_source = "imported " + request.file.string();
  Store store = openForWriting(request.workspace);
  result.imported = store.importPreferences(set, result.parsed.pairs, labels);
  result.parsed.pairs.clear();
  result.parsed.pairs.shrink_to_fit();
  return result;
}

Json PrefsExportResult::toJson() const {
  Json json = exported.summary();
  json["out"] = out.string();
  json["set"] = set;
  json["format"] = format;
  return json;
}

PrefsExportResult exportPreferenceSet(const PrefsExportRequest& request) {
  const auto& options = request.options;
  if (!(options.min_agreement >= 0.0 && options.min_agreement <= 1.0)) {
    throwConfigError("--min-agreement is " + std::to_string(options.min_agreement) + "; allowed: 0 to 1");
  }
  if (request.out.empty()) throwConfigError("give the file to write (--out FILE)");
  Store store = openPreferenceStore(request.workspace);
  const PreferenceSetRecord set = preferenceSetNamed(store, request.set);
  PrefsExportResult result;
  result.out = request.out;
  result.set = set.name;
  result.format = preferenceExportFormatName(options.format);
  result.exported =
      buildPreferenceExport(store.preferencePairs(set.id), store.currentPreferenceLabels(set.id), options);
  std::string text;
  for (const Json& record : result.exported.records) {
    text += record.dump();
    text += '\n';
  }
  writeFileAtomic(request.out, text);
  result.exported.records.clear();
  return result;
}

Json PrefsList::toJson() const {
  Json out = Json::array();
  for (const auto& set : sets) out.push_back(preferenceSetJson(set));
  return out;
}

PrefsList listPreferenceSets(const std::string& workspace_arg) {
  PrefsList list;
  list.workspace = resolveWorkspace(workspace_arg).root;
  if (!std::filesystem::exists(resolveWorkspace(workspace_arg).database())) return list;
  list.sets = openPreferenceStore(workspace_arg).listPreferenceSets();
  return list;
}

Json PrefsShow::toJson() const {
  Json out = preferenceSetJson(set);
  std::map<int64_t, Json> labels_by_pair;
  for (const auto& label : labels) {
    Json& list = labels_by_pair[label.pair_id];
    if (list.is_null()) list = Json::array();
    list.push_back({{"labeller", label.labeller},
                    {"choice", label.choice},
                    {"rewrite", label.rewrite},
                    {"note", label.note},
                    {"shown_left", label.shown_left},
                    {"seconds_spent", optionalNumber(label.seconds_spent)},
                    {"created_at", label.created_at}});
  }
  Json pairs_json = Json::array();
  for (const auto& pair : pairs) {
    auto it = labels_by_pair.find(pair.id);
    pairs_json.push_back({{"id", pair.id},
                          {"prompt", pair.prompt},
                          {"messages", pair.messages_json.empty() ? Json(nullptr) : Json::parse(pair.messages_json)},
                          {"completion_a", pair.completion_a},
                          {"completion_b", pair.completion_b},
                          {"source_a", sourceJson(pair.source_a_json)},
                          {"source_b", sourceJson(pair.source_b_json)},
                          {"seconds_a", optionalNumber(pair.seconds_a)},
                          {"seconds_b", optionalNumber(pair.seconds_b)},
                          {"tokens_per_s_a", optionalNumber(pair.tokens_per_s_a)},
                          {"tokens_per_s_b", optionalNumber(pair.tokens_per_s_b)},
                          {"origin", pair.origin},
                          {"created_at", pair.created_at},
                          {"labels", it == labels_by_pair.end() ? Json::array() : it->second}});
  }
  out["first_pairs"] = pairs_json;
  return out;
}

PrefsShow showPreferenceSet(const std::string& workspace, const std::string& name, int64_t limit) {
  Store store = openPreferenceStore(workspace);
  PrefsShow show;
  show.set = preferenceSetNamed(store, name);
  auto pairs = store.preferencePairs(show.set.id);
  if (limit >= 0 && static_cast<int64_t>(pairs.size()) > limit) pairs.resize(static_cast<size_t>(limit));
  std::map<int64_t, bool> shown;
  for (const auto& pair : pairs) shown[pair.id] = true;
  for (auto& label : store.currentPreferenceLabels(show.set.id)) {
    if (shown.count(label.pair_id) != 0) show.labels.push_back(std::move(label));
  }
  show.pairs = std::move(pairs);
  return show;
}

PreferenceStats preferenceSetStats(const std::string& workspace, const std::string& name) {
  Store store = openPreferenceStore(workspace);
  const PreferenceSetRecord set = preferenceSetNamed(store, name);
  return computePreferenceStats(set, store.preferenceLabelHistory(set.id), store.currentPreferenceLabels(set.id));
}

PreferenceSetRecord createPreferenceSet(const std::string& workspace, const NewPreferenceSet& set) {
  Store store = openForWriting(workspace);
  store.createPreferenceSet(set);
  return *store.findPreferenceSet(set.name);
}

}  // namespace temper
