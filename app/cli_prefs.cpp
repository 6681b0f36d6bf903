// `temper prefs …`: preference sets for RLHF — import and export TRL's files, list, show, stats.
#include <cmath>
#include <cstdio>
#include <optional>

#include "app/cli.h"
#include "core/common/error.h"
#include "core/engine/console.h"
#include "core/engine/prefs_generate.h"
#include "core/engine/stop_signal.h"
#include "core/prefs/prefs_commands.h"
#include "core/protocol/events.h"

namespace temper::cli {
namespace {

std::string figure(double value, const char* format = "%.3f") {
  if (!std::isfinite(value)) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// One line of a long text: the beginning, newlines shown as ⏎.
std::string snippet(const std::string& text, size_t width) {
  std::string out;
  for (char c : text) {
    if (out.size() >= width) {
      out += "…";
      break;
    }
    if (c == '\n') {
      out += "⏎";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out;
}

void printJson(const Json& json) {
  std::printf("%s\n", json.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
}

void printImport(const PrefsImportResult& r) {
  const ParsedPreferences& p = r.parsed;
  std::printf("%s: %lld records, %s%s format\n", r.file.string().c_str(), static_cast<long long>(p.records),
              p.format.c_str(), p.conversational ? " conversational" : "");
  std::printf("set `%s`%s: %lld pairs read, %lld added, %lld already in the set\n", r.set.c_str(),
              r.imported.created_set ? " (created)" : "", static_cast<long long>(r.pairs_parsed),
              static_cast<long long>(r.imported.pairs.added), static_cast<long long>(r.imported.pairs.duplicates));
  if (p.identical > 0) {
    std::printf("%lld records with chosen equal to rejected say nothing and were not imported\n",
                static_cast<long long>(p.identical));
  }
  if (p.unmatched_desirable + p.unmatched_undesirable > 0) {
    std::printf(
        "%lld desirable and %lld undesirable completions had no partner of the other verdict for their "
        "prompt and were not imported\n",
        static_cast<long long>(p.unmatched_desirable), static_cast<long long>(p.unmatched_undesirable));
  }
  std::printf("labels: %lld added, %lld already there\n", static_cast<long long>(r.imported.labels_added),
              static_cast<long long>(r.imported.labels_already_there));
}

void printExport(const PrefsExportResult& r) {
  const PreferenceExport& e = r.exported;
  std::printf("%s: %lld of %lld pairs of `%s` as %s\n", r.out.string().c_str(), static_cast<long long>(e.exported),
              static_cast<long long>(e.pairs), r.set.c_str(), r.format.c_str());
  std::printf("left out: %lld unlabelled, %lld tie or both-bad, %lld without a majority, %lld below --min-agreement\n",
              static_cast<long long>(e.unlabelled), static_cast<long long>(e.no_preference),
              static_cast<long long>(e.no_majority), static_cast<long long>(e.below_agreement));
  if (e.rewrites_used > 0) std::printf("%lld rewrites used as chosen\n", static_cast<long long>(e.rewrites_used));
  if (e.implicit_ambiguous > 0) {
    std::printf(
        "warning: %lld pairs' answers begin alike and their prompt ends with no assistant marker: a reader "
        "splitting the implicit prompt will put those shared words into the prompt (use --format trl)\n",
        static_cast<long long>(e.implicit_ambiguous));
  }
}

void printList(const PrefsList& list) {
  if (list.sets.empty()) {
    std::printf("(no preference sets in %s)\n", list.workspace.string().c_str());
    return;
  }
  std::printf("%-24s %8s %9s  %-16s %s\n", "SET", "PAIRS", "LABELLED", "CREATED", "DESCRIPTION");
  for (const auto& s : list.sets) {
    std::printf("%-24s %8lld %9lld  %-16s %s\n", s.name.c_str(), static_cast<long long>(s.pairs),
                static_cast<long long>(s.labelled_pairs), localTimeText(s.created_at, false).c_str(),
                snippet(s.description, 50).c_str());
  }
}

void printShow(const PrefsShow& show) {
  const auto& s = show.set;
  std::printf("set          %s\ndescription  %s\ncreated      %s\nprompts      %s\ngeneration   %s\n", s.name.c_str(),
              s.description.c_str(), localTimeText(s.created_at, false).c_str(), s.prompts_source.c_str(),
              s.generation_json.c_str());
  std::printf("pairs        %lld (%lld labelled)\n", static_cast<long long>(s.pairs),
              static_cast<long long>(s.labelled_pairs));
  if (!s.guidelines.empty()) std::printf("guidelines   %s\n", snippet(s.guidelines, 200).c_str());
  for (const auto& pair : show.pairs) {
    std::printf("\n#%lld  %s\n", static_cast<long long>(pair.id),
                snippet(pair.messages_json.empty() ? pair.prompt : pair.messages_json, 100).c_str());
    std::printf("  A: %s\n  B: %s\n", snippet(pair.completion_a, 96).c_str(), snippet(pair.completion_b, 96).c_str());
    std::string votes;
    for (const auto& label : show.labels) {
      if (label.pair_id == pair.id) votes += (votes.empty() ? "" : ", ") + label.labeller + "=" + label.choice;
    }
    std::printf("  labels: %s\n", votes.empty() ? "-" : votes.c_str());
  }
}

void printStats(const PreferenceStats& st) {
  std::printf("set `%s`: %lld pairs, %lld labelled, %lld by two or more labellers\n", st.set.name.c_str(),
              static_cast<long long>(st.pairs), static_cast<long long>(st.labelled_pairs),
              static_cast<long long>(st.multiply_labelled));
  std::printf("labels in force:");
  for (const auto& [choice, count] : st.by_choice)
    std::printf(" %s %lld", choice.c_str(), static_cast<long long>(count));
  std::printf("\nseconds per label: mean %s, median %s\n", figure(st.mean_seconds, "%.1f").c_str(),
              figure(st.median_seconds, "%.1f").c_str());
  std::printf("\n%-20s %7s %6s %6s %6s %9s %6s %6s %9s\n", "LABELLER", "LABELS", "A", "B", "TIE", "BOTH-BAD", "SKIP",
              "UNDOS", "LABELS/H");
  for (const auto& who : st.labellers) {
    auto count = [&](const char* choice) {
      auto it = who.by_choice.find(choice);
      return static_cast<long long>(it == who.by_choice.end() ? 0 : it->second);
    };
    std::printf("%-20s %7lld %6lld %6lld %6lld %9lld %6lld %6lld %9s\n", who.name.c_str(),
                static_cast<long long>(who.current), count("a"), count("b"), count("tie"), count("both-bad"),
                count("skip"), static_cast<long long>(who.undos), figure(who.labels_per_hour, "%.0f").c_str());
  }
  std::printf("\nagreement: raw %s, Krippendorff's alpha %s (%lld pairs)\n", figure(st.raw_agreement).c_str(),
              figure(st.alpha.alpha).c_str(), static_cast<long long>(st.alpha.units));
  for (const auto& k : st.kappas) {
    std::printf("  %s vs %s: %lld shared pairs, agree %s, Cohen's kappa %s\n", k.first.c_str(), k.second.c_str(),
                static_cast<long long>(k.units), figure(k.observed).c_str(), figure(k.kappa).c_str());
  }
  const PositionBias& b = st.position;
  std::printf("position bias: the left side won %lld of %lld decided votes (%s; p = %s against 1/2)%s\n",
              static_cast<long long>(b.left_wins), static_cast<long long>(b.decided),
              figure(b.left_share, "%.2f").c_str(), figure(b.p_value, "%.3g").c_str(),
              b.decided >= 20 && b.p_value < 0.05 ? " — labellers may favour a side" : "");
}

// `prefs generate`: the sampling flags apply to both sides; --a-… and --b-… override one side.
struct SideOverrides {
  std::optional<double> temperature, top_p;
  std::optional<int64_t> top_k;
  std::optional<uint64_t> seed;
  void applyTo(SamplingOptions& s) const {
    if (temperature) s.temperature = *temperature;
    if (top_p) s.top_p = *top_p;
    if (top_k) s.top_k = *top_k;
    if (seed) s.seed = *seed;
  }
};

void addGenerate(CLI::App* prefs, GlobalOptions& global, Action& action) {
  auto request = std::make_shared<PrefsGenerateRequest>();
  auto common = std::make_shared<SamplingOptions>();
  common->max_new_tokens = 256;
  common->temperature = 0.8;
  common->top_p = 0.95;
  auto a = std::make_shared<std::string>();
  auto b = std::make_shared<std::string>();
  auto over_a = std::make_shared<SideOverrides>();
  auto over_b = std::make_shared<SideOverrides>();
  auto* command =
      prefs->add_subcommand("generate", "two answers per prompt from two sources, stored as pairs to label");
  command->add_option("--set", request->set, "the set (created when new)")->required();
  command->add_option("--prompts", request->prompts, "a .txt file (a prompt per line) or records with prompt/messages")
      ->required();
  command
      ->add_option("--a", *a, "source A: a model folder (a run's final/ or checkpoints/step-N/) or an adapter folder")
      ->required();
  command->add_option("--b", *b, "source B (default: the same as A, sampled with B's settings)");
  command->add_option("--a-adapter", request->a.adapter, "a PEFT adapter applied to A's model");
  command->add_option("--b-adapter", request->b.adapter, "a PEFT adapter applied to B's model");
  command->add_option("--per-prompt", request->per_prompt, "pairs per prompt")->capture_default_str();
  command->add_option("--limit", request->limit, "only the first N prompts (0: all)");
  command->add_option("--max-new-tokens", common->max_new_tokens, "longest answer")->capture_default_str();
  command->add_option("--temperature", common->temperature, "both sides (0: greedy)")->capture_default_str();
  command->add_option("--top-k", common->top_k, "both sides (0: all tokens)");
  command->add_option("--top-p", common->top_p, "both sides")->capture_default_str();
  command->add_option("--seed", common->seed, "both sides' base seed");
  for (auto [side, over] : {std::pair{"a", over_a}, std::pair{"b", over_b}}) {
    const std::string prefix = std::string("--") + side + "-";
    command->add_option(prefix + "temperature", over->temperature, std::string("side ") + side + " only");
    command->add_option(prefix + "top-k", over->top_k, std::string("side ") + side + " only");
    command->add_option(prefix + "top-p", over->top_p, std::string("side ") + side + " only");
    command->add_option(prefix + "seed", over->seed, std::string("side ") + side + " only");
  }
  command->add_option("--chat-template", request->chat_template,
                      "chatml, llama2, llama3, zephyr or plain (default: each model's own, plain when none)");
  command->add_option("--system", request->system, "a system message before every prompt");
  command->add_flag("--raw", request->raw, "continue text prompts as they are, without a chat template (base models)");
  command->add_option("--stop", request->stop, "an answer ends where this text appears; repeatable");
  command->add_option("--threads", request->threads, "CPU threads (0: chosen by the engine)");
  command->add_option("--device", request->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  command->add_option("--precision", request->precision, "auto, fp32 or bf16 (as for generate)");
  command->callback([&global, &action, request, common, a, b, over_a, over_b] {
    action = [&global, request, common, a, b, over_a, over_b] {
      request->workspace = global.workspace;
      request->a.model = *a;
      request->b.model = b->empty() ? *a : *b;
      if (b->empty() && request->b.adapter.empty()) request->b.adapter = request->a.adapter;
      request->a.sampling = *common;
      request->b.sampling = *common;
      over_a->applyTo(request->a.sampling);
      over_b->applyTo(request->b.sampling);
      installStopHandlers();
      Console console(global.events);
      const PrefsGenerateResult result = generatePreferencePairs(*request, console);
      console.emit(events::result("prefs generate", result.toJson()));
      if (!console.eventsEnabled()) {
        std::printf(
            "set `%s`: %lld pairs added from %lld prompts (%lld already generated), %lld identical and %lld "
            "empty answers not stored; %.1f pairs/min%s\n",
            result.set.c_str(), static_cast<long long>(result.pairs_added), static_cast<long long>(result.prompts_done),
            static_cast<long long>(result.prompts_already), static_cast<long long>(result.identical),
            static_cast<long long>(result.empty), result.pairsPerMinute(),
            result.stopped ? " (stopped early; run again to go on)" : "");
      }
      return result.stopped ? kExitStopped : 0;
    };
  });
}

}  // namespace

void addPrefsCommands(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* prefs = app.add_subcommand("prefs", "preference sets for RLHF: import, export, list, show, stats");
  prefs->require_subcommand(1);
  auto json = std::make_shared<bool>(false);
  auto set = std::make_shared<std::string>();

  auto import_request = std::make_shared<PrefsImportRequest>();
  auto no_labels = std::make_shared<bool>(false);
  auto* import = prefs->add_subcommand("import", "add a TRL preference file (JSONL, JSON or CSV, maybe .gz) to a set");
  import->add_option("file", import_request->file, "the file")->required();
  import->add_option("--set", *set, "the set (created when new)")->required();
  import->add_option("--description", import_request->description, "for a new set");
  import->add_option("--labeller", import_request->labeller, "whose verdict the file's chosen/rejected is")
      ->capture_default_str();
  import->add_flag("--no-labels", *no_labels, "import the pairs only, to label them afresh");
  import->add_option("--prompt-end", import_request->options.extra_prompt_ends,
                     "implicit format: another marker the shared prompt ends with (repeatable)");
  import->add_flag("--json", *json, "as JSON");
  import->callback([&global, &action, import_request, set, no_labels, json] {
    action = [&global, import_request, set, no_labels, json] {
      import_request->workspace = global.workspace;
  import_request->set = *set;
  import_request->with_labels = !*no_labels;
  const PrefsImportResult result = importPreferenceFile(*import_request);
  *json ? printJson(result.toJson()) : printImport(result);
  return 0;
};
}  // namespace temper::cli
);

auto export_request = std::make_shared<PrefsExportRequest>();
auto format = std::make_shared<std::string>("trl");
auto* exporter = prefs->add_subcommand("export", "write a set's labelled pairs as a TRL file (JSONL)");
exporter->add_option("--set", *set, "the set")->required();
exporter->add_option("--out", export_request->out, "the JSONL file to write")->required();
exporter->add_option("--format", *format, "trl, trl-implicit, messages or kto")->capture_default_str();
exporter
    ->add_option("--min-agreement", export_request->options.min_agreement,
                 "only pairs whose verdict has at least this share of the votes (0 to 1)")
    ->capture_default_str();
exporter->add_option("--labeller", export_request->options.labeller, "only this labeller's labels");
exporter->add_flag("--use-rewrites", export_request->options.use_rewrites,
                   "a labeller's rewrite of the better answer becomes `chosen`");
exporter->add_flag("--json", *json, "as JSON");
exporter->callback([&global, &action, export_request, set, format, json] {
  action = [&global, export_request, set, format, json] {
    auto parsed = parsePreferenceExportFormat(*format);
    if (!parsed) throwConfigError("--format is `" + *format + "`; use trl, trl-implicit, messages or kto");
    export_request->options.format = *parsed;
    export_request->workspace = global.workspace;
    export_request->set = *set;
    const PrefsExportResult result = exportPreferenceSet(*export_request);
    *json ? printJson(result.toJson()) : printExport(result);
    return 0;
  };
});

auto new_set = std::make_shared<NewPreferenceSet>();
auto guidelines_file = std::make_shared<std::string>();
auto* create = prefs->add_subcommand("create", "an empty set, for `prefs generate` or the labelling page");
create->add_option("--set", *set, "its name")->required();
create->add_option("--description", new_set->description, "what it is for");
create->add_option("--guidelines", new_set->guidelines, "what labellers should prefer (text)");
create->add_option("--guidelines-file", *guidelines_file, "the guidelines from a text file");
create->add_flag("--json", *json, "as JSON");
create->callback([&global, &action, new_set, guidelines_file, set, json] {
  action = [&global, new_set, guidelines_file, set, json] {
    new_set->name = *set;
    if (!guidelines_file->empty()) new_set->guidelines = readTextFile(*guidelines_file);
    const PreferenceSetRecord created = createPreferenceSet(global.workspace, *new_set);
    *json ? printJson(preferenceSetJson(created)) : (void)std::printf("created set `%s`\n", created.name.c_str());
    return 0;
  };
});

auto* list = prefs->add_subcommand("list", "every preference set with its counts");
list->add_flag("--json", *json, "as JSON");
list->callback([&global, &action, json] {
  action = [&global, json] {
    const PrefsList sets = listPreferenceSets(global.workspace);
    *json ? printJson(sets.toJson()) : printList(sets);
    return 0;
  };
});

auto limit = std::make_shared<int64_t>(5);
auto* show = prefs->add_subcommand("show", "one set: its settings and first pairs with their labels");
show->add_option("--set", *set, "the set")->required();
show->add_option("--pairs", *limit, "how many pairs to show")->capture_default_str();
show->add_flag("--json", *json, "as JSON");
show->callback([&global, &action, set, limit, json] {
  action = [&global, set, limit, json] {
    const PrefsShow details = showPreferenceSet(global.workspace, *set, *limit);
    *json ? printJson(details.toJson()) : printShow(details);
    return 0;
  };
});

addGenerate(prefs, global, action);

auto* stats = prefs->add_subcommand("stats", "counts, agreement (kappa, alpha), time per label, position bias");
stats->add_option("--set", *set, "the set")->required();
stats->add_flag("--json", *json, "as JSON");
stats->callback([&global, &action, set, json] {
  action = [&global, set, json] {
    const PreferenceStats figures = preferenceSetStats(global.workspace, *set);
    *json ? printJson(figures.toJson()) : printStats(figures);
    return 0;
  };
});
}

}  // namespace temper::cli
