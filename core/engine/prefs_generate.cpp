#include "core/engine/prefs_generate.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "core/common/error.h"
#include "core/common/hashing.h"
#include "core/common/workspace_paths.h"
#include "core/data/records.h"
#include "core/data/splitmix.h"
#include "core/engine/chat_defaults.h"
#include "core/engine/console.h"
#include "core/engine/model_loading.h"
#include "core/engine/runtime.h"
#include "core/engine/stop_signal.h"
#include "core/engine/text_stream.h"
#include "core/prefs/preference_import.h"
#include "core/protocol/events.h"
#include "core/store/store.h"
#include "core/tokenizer/chat_template.h"

namespace temper {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

Json samplingJson(const SamplingOptions& s) {
  return Json{{"temperature", s.temperature},
              {"top_k", s.top_k},
              {"top_p", s.top_p},
              {"max_new_tokens", s.max_new_tokens},
              {"seed", s.seed}};
}

// A side as loaded: the model (shared with the other side when both name the same folders), the
// template its prompts are rendered with, and what ends an answer.
struct Side {
  std::shared_ptr<LoadedModel> loaded;
  ModelAndAdapter folders;
  PairSource source;
  std::optional<ChatTemplate> chat;  ///< nullopt: raw text prompts
  std::vector<int64_t> stop_ids;
  std::vector<std::string> stop_strings;
  Json describe() const {
    auto absolute = [](const std::filesystem::path& p) {
      return p.empty() ? std::string() : std::filesystem::weakly_canonical(p).string();
    };
    Json out{{"model", absolute(folders.model_dir)},
             {"adapter", absolute(folders.adapter_dir)},
             {"template", chat ? chatFamilyName(chat->family) : "raw"},
             {"sampling", samplingJson(source.sampling)}};
    return out;
  }
};

Side prepareSide(const PairSource& source, const PrefsGenerateRequest& request, const std::string& device,
                 const std::string& precision, const Side* other) {
  Side side;
  side.source = source;
  side.folders = resolveModelAndAdapter(source.model, source.adapter);
  if (other != nullptr && other->folders.model_dir == side.folders.model_dir &&
      other->folders.adapter_dir == side.folders.adapter_dir) {
    side.loaded = other->loaded;  // one model in memory for both sides
  } else {
    side.loaded = std::make_shared<LoadedModel>(
        loadModelForInference(side.folders.model_dir, device, precision, side.folders.adapter_dir));
  }
  const Tokenizer& tokenizer = *side.loaded->tokenizer;
  // As `temper chat` does (chat_defaults.h).
  if (!request.raw) side.chat = chatTemplateFor(side.folders.model_dir, request.chat_template, tokenizer);
  side.stop_ids = answerStopIds(tokenizer);
  side.stop_strings = request.stop;
  if (side.chat && side.chat->family == ChatFamily::Plain) side.stop_strings.push_back("\nUser:");
  return side;
}

std::vector<ChatMessage> conversationOf(const GenerationPrompt& prompt, const std::string& system) {
  std::vector<ChatMessage> messages;
  if (!prompt.messages_json.empty()) {
    messages = parseChatMessages(Json::parse(prompt.messages_json), prompt.source);
  } else {
    messages.push_back({"user", prompt.text});
  }
  if (!system.empty() && (messages.empty() || messages[0].role != "system")) {
    messages.insert(messages.begin(), {"system", system});
  }
  return messages;
}

std::vector<int64_t> promptIds(const Side& side, const GenerationPrompt& prompt, const std::string& system) {
  const Tokenizer& tokenizer = *side.loaded->tokenizer;
  std::vector<int64_t> ids;
  if (side.chat) {
    for (int id : encodeChat(tokenizer, renderChat(*side.chat, conversationOf(prompt, system), true)).ids) {
      ids.push_back(id);
    }
  } else {
    for (int id : tokenizer.prefixIds()) ids.push_back(id);
    for (int id : tokenizer.encode(prompt.text)) ids.push_back(id);
  }
  return ids;
}

// One answer being generated: its tokens and the text settled so far (cut at a stop string).
struct Answer {
  std::vector<int> ids;
  TextStream stream;
  std::string text;
  int64_t tokens = 0;
  double seconds = 0;
  uint64_t seed = 0;
};

// Samples `rows` (each with its side and sample options) for one prompt in ONE batch: they must
// share the model and the prompt's tokens.
void sampleBatch(const std::vector<const Side*>& sides, const std::vector<SamplingOptions>& options,
                 const std::vector<int64_t>& prompt_ids, std::vector<Answer*>& answers) {
  const Side& first = *sides.front();
  const Tokenizer& tokenizer = *first.loaded->tokenizer;
  const auto start = Clock::now();
  generateBatch(*first.loaded->model, prompt_ids, options, [&](size_t row, int64_t id) {
    const Side& side = *sides[row];
    Answer& answer = *answers[row];
    ++answer.tokens;
    if (std::find(side.stop_ids.begin(), side.stop_ids.end(), id) != side.stop_ids.end()) return false;
    answer.ids.push_back(static_cast<int>(id));
    // Decoding everything so far keeps characters spread over several tokens intact.
    answer.stream.update(tokenizer.decode(answer.ids));
    return !answer.stream.stopped();
  });
  const double seconds = secondsSince(start);
  for (Answer* answer : answers) {
    answer->stream.finish();
    answer->text = answer->stream.printed();
    answer->seconds = seconds;  // every row of a batch took the batch's time
  }
}

std::string promptKey(const std::string& prompt, const std::string& messages_json) {
  return prompt + '\x1f' + messages_json;
}

}  // namespace

std::vector<GenerationPrompt> readGenerationPrompts(const std::filesystem::path& path, int64_t limit) {
  std::vector<GenerationPrompt> prompts;
  const std::string ext = path.extension().string();
  if (ext == ".txt") {
    const std::string text = readTextFile(path);
    size_t line_start = 0;
    int64_t line = 0;
    while (line_start <= text.size()) {
      size_t end = text.find('\n', line_start);
      if (end == std::string::npos) end = text.size();
      ++line;
      std::string content = text.substr(line_start, end - line_start);
      if (!content.empty() && content.back() == '\r') content.pop_back();
      if (content.find_first_not_of(" \t") != std::string::npos) {
        prompts.push_back({content, "", path.string() + ":" + std::to_string(line)});
        if (limit > 0 && static_cast<int64_t>(prompts.size()) >= limit) break;
      }
      line_start = end + 1;
    }
    if (prompts.empty()) throwInputError(path.string() + ": no prompts (every line is empty)");
    return prompts;
  }
  for (const Record& record : readRecords(path, limit)) {
    GenerationPrompt prompt;
    prompt.source = record.source;
    if (record.fields.contains("messages")) {
      auto messages = parseChatMessages(record.fields["messages"], record.source);
      if (messages.empty()) throwInputError(record.source + ": `messages` is empty");
      if (messages.back().role == "assistant") {
        throwInputError(record.source +
                        ": `messages` ends with the assistant's answer; a prompt ends with the user's turn");
      }
      prompt.messages_json = messagesJson(messages);
    } else if (record.fields.contains("prompt") && record.fields["prompt"].is_string()) {
      prompt.text = record.fields["prompt"].get<std::string>();
      if (prompt.text.empty()) throwInputError(record.source + ": `prompt` is empty");
    } else {
      throwInputError(record.source +
                      ": a prompt record needs `prompt` (text) or `messages` (a list of "
                      "{\"role\", \"content\"})");
    }
    prompts.push_back(std::move(prompt));
  }
  return prompts;
}

Json PrefsGenerateResult::toJson() const {
  return Json{{"set", set},
              {"set_id", set_id},
              {"prompts", prompts},
              {"prompts_done", prompts_done},
              {"prompts_already_generated", prompts_already},
              {"pairs_added", pairs_added},
              {"duplicates", duplicates},
              {"identical", identical},
              {"empty", empty},
              {"too_long", too_long},
              {"tokens", tokens},
              {"seconds", seconds},
              {"pairs_per_minute", pairsPerMinute()},
              {"stopped", stopped},
              {"generation", generation_key}};
}

PrefsGenerateResult generatePreferencePairs(const PrefsGenerateRequest& request, Console& console) {
  if (request.set.empty()) throwConfigError("give the set to add pairs to (--set NAME)");
  if (request.per_prompt < 1 || request.per_prompt > 64) {
    throwConfigError("`per-prompt` is " + std::to_string(request.per_prompt) + "; allowed: 1 to 64");
  }
  validateSampling(request.a.sampling);
  validateSampling(request.b.sampling);
  const std::vector<GenerationPrompt> prompts = readGenerationPrompts(request.prompts, request.limit);
  if (request.raw) {
    for (const auto& p : prompts) {
      if (!p.messages_json.empty()) {
        throwConfigError(p.source + ": a conversation needs a chat template; --raw continues text prompts only");
      }
    }
  }

  const RuntimeInfo runtime = configureRuntime(request.threads, request.device);
  const std::string precision = resolveInferencePrecision(request.precision, runtime.device);
  Side a = prepareSide(request.a, request, runtime.device, precision, nullptr);
  Side b = prepareSide(request.b, request, runtime.device, precision, &a);
  const bool shared_model = a.loaded == b.loaded;

  // What makes these pairs one generation: a second run with the same settings resumes it.
  const Json settings{{"a", a.describe()},        {"b", b.describe()},    {"per_prompt", request.per_prompt},
                      {"system", request.system}, {"stop", request.stop}, {"precision", precision}};
  PrefsGenerateResult result;
  result.set = request.set;
  result.generation_key = sha256Hex(settings.dump()).substr(0, 16);
  result.prompts = static_cast<int64_t>(prompts.size());

  const WorkspacePaths workspace = resolveWorkspace(request.workspace);
  ensureWorkspace(workspace);
  Store store = Store::open(workspace.database());
  if (auto existing = store.findPreferenceSet(request.set)) {
    result.set_id = existing->id;
  } else {
    NewPreferenceSet set;
    set.name = request.set;
    set.prompts_source = request.prompts.string();
    Json generation = settings;
    generation["key"] = result.generation_key;
    set.generation_json = generation.dump();
    result.set_id = store.createPreferenceSet(set);
  }
  // Prompts this generation already finished (their pairs are committed together).
  std::set<std::string> done;
  for (const auto& pair : store.preferencePairs(result.set_id)) {
    const Json source = Json::parse(pair.source_a_json, nullptr, false);
    if (source.is_object() && source.value("generation", "") == result.generation_key) {
      done.insert(promptKey(pair.prompt, pair.messages_json));
    }
  }

  console.say("generating " + std::to_string(request.per_prompt) + " pair(s) for each of " +
              std::to_string(prompts.size()) + " prompts into set `" + request.set + "`" +
              (shared_model ? " (one model, both sides in one batch)" : ""));
  const auto start = Clock::now();
  const int64_t k = request.per_prompt;
  for (size_t index = 0; index < prompts.size(); ++index) {
    if (stopRequested()) {
      result.stopped = true;
      break;
    }
    const GenerationPrompt& prompt = prompts[index];
    const std::string stored_prompt = request.raw ? prompt.text : "";
    const std::string stored_messages = request.raw ? "" : messagesJson(conversationOf(prompt, request.system));
    if (done.count(promptKey(stored_prompt, stored_messages)) != 0) {
      ++result.prompts_already;
      continue;
    }
    // Each sample's seed is a function of the side's seed, the prompt and the sample, so a resumed
    // or repeated run makes the same answers.
    std::vector<Answer> answers_a(static_cast<size_t>(k)), answers_b(static_cast<size_t>(k));
    auto optionsFor = [&](const Side& side, int side_index, int64_t sample, Answer& answer) {
      SamplingOptions o = side.source.sampling;
      o.eos_id = -1;  // the stop ids end a row in the callback
      o.seed = counterHash(side.source.sampling.seed ^ (static_cast<uint64_t>(side_index) << 63),
                           static_cast<uint64_t>(index) * 1024 + static_cast<uint64_t>(sample));
      answer.seed = o.seed;
      answer.stream = TextStream(side.stop_strings);
      return o;
    };
    const std::vector<int64_t> ids_a = promptIds(a, prompt, request.system);
    const std::vector<int64_t> ids_b = promptIds(b, prompt, request.system);
    // A prompt that fills a model's context leaves no room for an answer: counted, not fatal.
    if (static_cast<int64_t>(ids_a.size()) >= a.loaded->model->tokenContext() ||
        static_cast<int64_t>(ids_b.size()) >= b.loaded->model->tokenContext()) {
      ++result.too_long;
      console.say(prompt.source + ": the prompt fills the model's context; skipped");
      continue;
    }
    std::vector<const Side*> rows_a, rows_b;
    std::vector<SamplingOptions> options_a, options_b;
    std::vector<Answer*> slots_a, slots_b;
    for (int64_t s = 0; s < k; ++s) {
      rows_a.push_back(&a);
      options_a.push_back(optionsFor(a, 0, s, answers_a[static_cast<size_t>(s)]));
      slots_a.push_back(&answers_a[static_cast<size_t>(s)]);
      rows_b.push_back(&b);
      options_b.push_back(optionsFor(b, 1, s, answers_b[static_cast<size_t>(s)]));
      slots_b.push_back(&answers_b[static_cast<size_t>(s)]);
    }
    if (shared_model && ids_a == ids_b) {
      rows_a.insert(rows_a.end(), rows_b.begin(), rows_b.end());
      options_a.insert(options_a.end(), options_b.begin(), options_b.end());
      slots_a.insert(slots_a.end(), slots_b.begin(), slots_b.end());
      sampleBatch(rows_a, options_a, ids_a, slots_a);
    } else {
      sampleBatch(rows_a, options_a, ids_a, slots_a);
      sampleBatch(rows_b, options_b, ids_b, slots_b);
    }

    std::vector<NewPreferencePair> pairs;
    for (int64_t s = 0; s < k; ++s) {
      const Answer& x = answers_a[static_cast<size_t>(s)];
      const Answer& y = answers_b[static_cast<size_t>(s)];
      result.tokens += x.tokens + y.tokens;
      if (x.text.empty() || y.text.empty()) {
        ++result.empty;
        continue;
      }
      if (x.text == y.text) {
        ++result.identical;
        continue;
      }
      NewPreferencePair pair;
      pair.prompt = stored_prompt;
      pair.messages_json = stored_messages;
      pair.completion_a = x.text;
      pair.completion_b = y.text;
      auto sourceOf = [&](const Side& side, const Answer& answer) {
        Json source = side.describe();
        source["sampling"]["seed"] = answer.seed;
        source["generation"] = result.generation_key;
        source["prompt_source"] = prompt.source;
        source["sample"] = s;
        return source.dump();
      };
      pair.source_a_json = sourceOf(a, x);
      pair.source_b_json = sourceOf(b, y);
      pair.seconds_a = x.seconds;
      pair.seconds_b = y.seconds;
      pair.tokens_per_s_a = static_cast<double>(x.tokens) / std::max(x.seconds, 1e-9);
      pair.tokens_per_s_b = static_cast<double>(y.tokens) / std::max(y.seconds, 1e-9);
      pair.origin = "generated";
      pairs.push_back(std::move(pair));
    }
    // Committed before the next prompt: a crash keeps every finished prompt.
    if (!pairs.empty()) {
      const AddedPreferencePairs added = store.addPreferencePairs(result.set_id, pairs);
      result.pairs_added += added.added;
      result.duplicates += added.duplicates;
    }
    ++result.prompts_done;
    result.seconds = secondsSince(start);
    const int64_t finished = result.prompts_done + result.prompts_already;
    Json event = events::make("prefs_progress", "");
    event["set"] = request.set;
    event["prompts_done"] = finished;
    event["prompts"] = result.prompts;
    event["pairs_added"] = result.pairs_added;
    event["identical"] = result.identical;
    event["empty"] = result.empty;
    event["pairs_per_minute"] = result.pairsPerMinute();
    console.emit(event);
    const double rate = result.seconds / static_cast<double>(result.prompts_done);
    console.progress(static_cast<double>(finished) / static_cast<double>(result.prompts),
                     std::to_string(finished) + "/" + std::to_string(result.prompts) + " prompts, " +
                         std::to_string(result.pairs_added) + " pairs",
                     rate * static_cast<double>(result.prompts - finished));
  }
  console.endProgress();
  result.seconds = secondsSince(start);
  return result;
}

}  // namespace temper
