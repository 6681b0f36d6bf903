#include "core/prefs/preference_set_inspection.h"

#include <algorithm>
#include <cmath>

#include "core/prefs/preference_export.h"
#include "core/prefs/preference_stats.h"
#include "core/prefs/prefs_commands.h"

namespace temper {

Json inspectPreferenceSet(const std::string& workspace, const std::string& set_name, int64_t preview) {
  Store store = openPreferenceStore(workspace);
  const PreferenceSetRecord set = preferenceSetNamed(store, set_name);
  const std::vector<PreferenceLabelRecord> current = store.currentPreferenceLabels(set.id);
  // The pairs as training reads them (every labeller, no agreement floor: the run's own
  // `min-agreement` and `labeller` narrow it further).
  const PreferenceExport exported = buildPreferenceExport(store.preferencePairs(set.id), current, {});
  int64_t bytes = 0;
  Json records = Json::array();
  for (const Json& record : exported.records) {
    for (const char* field : {"prompt", "chosen", "rejected"}) {
      if (record.contains(field)) bytes += static_cast<int64_t>(record.at(field).dump().size());
    }
    if (static_cast<int64_t>(records.size()) < preview) records.push_back(record);
  }
  const PreferenceStats stats = computePreferenceStats(set, store.preferenceLabelHistory(set.id), current);
  auto finite = [](double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); };
  const auto usable = static_cast<int64_t>(exported.records.size());
  return Json{{"files", 0},
              {"skipped_files", 0},
              {"format", "preference"},
              {"fields", {"prompt", "chosen", "rejected"}},
              {"records", usable},
              {"documents", usable},
              {"bytes", bytes},
              {"preview", records},
              {"preference_set",
               {{"name", set.name},
                {"pairs", exported.pairs},
                {"labelled_pairs", set.labelled_pairs},
                {"usable", usable},
                {"unlabelled", exported.unlabelled},
                {"no_preference", exported.no_preference},
                {"no_majority", exported.no_majority},
                {"labellers", stats.labellers.size()},
                {"multiply_labelled_pairs", stats.multiply_labelled},
                {"raw_agreement", finite(stats.raw_agreement)},
                {"krippendorff_alpha", finite(stats.alpha.alpha)}}}};
}

}  // namespace temper
