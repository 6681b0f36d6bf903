#include "core/prefs/preference_export.h"

#include "core/prefs/implicit_prompt.h"
#include "core/prefs/pair_verdict.h"

namespace temper {
namespace {

Json assistantList(const std::string& answer) {
  return Json::array({Json{{"role", "assistant"}, {"content", answer}}});
}

// The pair's prompt as a message list: its own conversation, or its text as one user message.
Json promptMessages(const PreferencePairRecord& pair) {
  if (!pair.messages_json.empty()) return Json::parse(pair.messages_json);
  return Json::array({Json{{"role", "user"}, {"content", pair.prompt}}});
}

}  // namespace

std::optional<PreferenceExportFormat> parsePreferenceExportFormat(const std::string& name) {
  if (name == "trl") return PreferenceExportFormat::Trl;
  if (name == "trl-implicit") return PreferenceExportFormat::TrlImplicit;
  if (name == "messages") return PreferenceExportFormat::Messages;
  if (name == "kto") return PreferenceExportFormat::Kto;
  return std::nullopt;
}

const char* preferenceExportFormatName(PreferenceExportFormat format) {
  switch (format) {
    case PreferenceExportFormat::Trl:
      return "trl";
    case PreferenceExportFormat::TrlImplicit:
      return "trl-implicit";
    case PreferenceExportFormat::Messages:
      return "messages";
    case PreferenceExportFormat::Kto:
      return "kto";
  }
  return "?";
}

Json PreferenceExport::summary() const {
  return Json{{"pairs", pairs},
              {"exported", exported},
              {"records", records.size()},
              {"unlabelled", unlabelled},
              {"no_preference", no_preference},
              {"no_majority", no_majority},
              {"below_agreement", below_agreement},
              {"rewrites_used", rewrites_used},
              {"prompts_as_messages", prompts_as_messages},
              {"implicit_ambiguous", implicit_ambiguous}};
}

PreferenceExport buildPreferenceExport(const std::vector<PreferencePairRecord>& pairs,
                                       const std::vector<PreferenceLabelRecord>& labels,
                                       const PreferenceExportOptions& options) {
  std::map<int64_t, std::vector<PreferenceLabelRecord>> by_pair;
  for (const auto& label : labels) {
    if (options.labeller.empty() || label.labeller == options.labeller) by_pair[label.pair_id].push_back(label);
  }
  PreferenceExport out;
  const auto format = options.format;
  // One file, one shape (a datasets column is text or a list, never both): a set with any
  // conversation writes every prompt as one.
  bool conversation = format == PreferenceExportFormat::Messages;
  for (const auto& pair : pairs) conversation = conversation || !pair.messages_json.empty();
  for (const PreferencePairRecord& pair : pairs) {
    ++out.pairs;
    auto it = by_pair.find(pair.id);
    const auto verdict = it == by_pair.end() ? std::nullopt : pairVerdict(it->second);
    if (!verdict) {
      ++out.unlabelled;
      continue;
    }
    if (verdict->choice.empty()) {
      ++out.no_majority;
      continue;
    }
    if (verdict->agreement < options.min_agreement) {
      ++out.below_agreement;
      continue;
    }
    const bool both_bad = verdict->choice == kPreferNeither;
    const bool decided = verdict->choice == kPreferA || verdict->choice == kPreferB;
    if (!decided && !(both_bad && format == PreferenceExportFormat::Kto)) {
      ++out.no_preference;
      continue;
    }
    ++out.exported;
    const bool a_wins = verdict->choice != kPreferB;  // both-bad (KTO) writes A first
    std::string chosen = a_wins ? pair.completion_a : pair.completion_b;
    const std::string& rejected = a_wins ? pair.completion_b : pair.completion_a;
    if (options.use_rewrites && decided && !verdict->rewrite.empty()) {
      chosen = verdict->rewrite;
      ++out.rewrites_used;
    }
    if (conversation && pair.messages_json.empty()) ++out.prompts_as_messages;
    switch (format) {
      case PreferenceExportFormat::Trl:
        if (conversation) {
          out.records.push_back({{"prompt", promptMessages(pair)},
                                 {"chosen", assistantList(chosen)},
                                 {"rejected", assistantList(rejected)}});
        } else {
          out.records.push_back({{"prompt", pair.prompt}, {"chosen", chosen}, {"rejected", rejected}});
        }
        break;
      case PreferenceExportFormat::Messages:
        out.records.push_back({{"prompt", promptMessages(pair)},
                               {"chosen", assistantList(chosen)},
                               {"rejected", assistantList(rejected)}});
        break;
      case PreferenceExportFormat::TrlImplicit:
        if (conversation) {
          Json with_chosen = promptMessages(pair);
          Json with_rejected = with_chosen;
          with_chosen.push_back(assistantList(chosen)[0]);
          with_rejected.push_back(assistantList(rejected)[0]);
          out.records.push_back({{"chosen", with_chosen}, {"rejected", with_rejected}});
        } else {
          const std::string whole_chosen = pair.prompt + chosen;
          const std::string whole_rejected = pair.prompt + rejected;
          const auto again = splitImplicitPrompt(whole_chosen, whole_rejected, knownAssistantMarkers());
          if (!again || again->prompt != pair.prompt) ++out.implicit_ambiguous;
          out.records.push_back({{"chosen", whole_chosen}, {"rejected", whole_rejected}});
        }
        break;
      case PreferenceExportFormat::Kto: {
        const Json prompt = conversation ? promptMessages(pair) : Json(pair.prompt);
        auto completion = [&](const std::string& text) { return conversation ? assistantList(text) : Json(text); };
        out.records.push_back({{"prompt", prompt}, {"completion", completion(chosen)}, {"label", !both_bad}});
        out.records.push_back({{"prompt", prompt}, {"completion", completion(rejected)}, {"label", false}});
        break;
      }
    }
  }
  return out;
}

}  // namespace temper
