#include "core/engine/chat_command.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "core/common/error.h"
#include "core/engine/chat_defaults.h"
#include "core/engine/model_loading.h"
#include "core/engine/runtime.h"
#include "core/engine/text_stream.h"
#include "core/protocol/events.h"
#include "core/tokenizer/chat_template.h"

namespace temper {
namespace {

// The template (chat_defaults.h), saying so when a folder without one falls back to plain.
ChatTemplate chooseTemplate(const ChatRequest& request, const Tokenizer& tokenizer) {
  bool plain = false;
  ChatTemplate chosen = chatTemplateFor(request.model_dir, request.chat_template, tokenizer, &plain);
  if (plain) std::fprintf(stderr, "(%s has no chat template; using plain)\n", request.model_dir.string().c_str());
  return chosen;
}

/// How one answer went. `reason`: "eos" (an end id or the template's end-of-turn token),
/// "stop" (a stop string), "max_new_tokens", "context" (the conversation filled the context),
/// "interrupted" (the caller asked to stop), "too_long" (the message alone does not fit; no answer).
struct TurnResult {
  std::string reason;
  std::string text;  ///< the answer as printed (without a stop string)
  int64_t tokens = 0;
  size_t prompt_tokens = 0;
  size_t reused_tokens = 0;
  double prefill_s = 0;  ///< feeding the prompt's new tokens
  double seconds = 0;    ///< the whole turn
  double tokensPerSecond() const { return static_cast<double>(tokens) / std::max(seconds, 1e-9); }
};

class ChatSession {
 public:
  ChatSession(const ChatRequest& request, LoadedModel loaded)
      : request_(request),
        loaded_(std::move(loaded)),
        model_(*loaded_.model),
        tokenizer_(*loaded_.tokenizer),
        template_(chooseTemplate(request, tokenizer_)),
        cache_(model_.makeCache(1)),
        sampling_(request.sampling),
        system_(request.system),
        generator_(at::make_generator<at::CPUGeneratorImpl>(request.sampling.seed)) {
    stop_ids_ = answerStopIds(tokenizer_);
    setStopStrings(request.stop);
    reset();
  }

  void reset() {
    messages_.clear();
    if (!system_.empty()) messages_.push_back({"system", system_});
    cache_.reset();
    cached_.clear();
  }

  /// New sampling options for the next answers; `reseed` restarts the generator from their seed.
  void setSampling(const SamplingOptions& sampling, bool reseed) {
    sampling_ = sampling;
    if (reseed) generator_ = at::make_generator<at::CPUGeneratorImpl>(sampling.seed);
  }
  const SamplingOptions& sampling() const { return sampling_; }

  /// Replaces the system message of the conversation in place (an empty one removes it). The
  /// cache keeps only what the new rendering still shares, so the next turn recomputes the rest.
  void setSystem(const std::string& system) {
    system_ = system;
    const bool has = !messages_.empty() && messages_[0].role == "system";
    if (system.empty()) {
      if (has) messages_.erase(messages_.begin());
    } else if (has) {
      messages_[0].content = system;
    } else {
      messages_.insert(messages_.begin(), {"system", system});
    }
  }
  const std::string& system() const { return system_; }

  /// The caller's stop strings, plus `\nUser:` for the plain template (its next turn).
  void setStopStrings(const std::vector<std::string>& stops) {
    stop_strings_ = stops;
    if (template_.family == ChatFamily::Plain) stop_strings_.push_back("\nUser:");
  }
  const std::vector<std::string>& stopStrings() const { return stop_strings_; }
  const std::vector<int64_t>& stopIds() const { return stop_ids_; }
  const ChatTemplate& chatTemplate() const { return template_; }
  const LoadedModel& loaded() const { return loaded_; }
  CausalLmImpl& model() const { return model_; }

  /// Puts the adapter of `dir` (a PEFT folder) on the loaded base in place of the current one, or
  /// only takes the current one off when `dir` is empty. The base is never reloaded; an adapter
  /// used before in this session is attached again from memory. The KV cache is dropped: its keys
  /// and values were computed with the other adapter. All or nothing: a folder that cannot be
  /// loaded leaves the current adapter on.
  void setAdapter(const std::filesystem::path& dir) {
    const std::shared_ptr<Adapter> current = loaded_.adapter;
    if (current) {
      adapters_.emplace(key(loaded_.adapter_dir), current);
      current->detach();
    }
    std::shared_ptr<Adapter> next;
    try {
      if (!dir.empty()) {
        auto it = adapters_.find(key(dir));
        if (it != adapters_.end()) {
          next = it->second;
          next->attach();
        } else {
          next = loadAdapterForInference(loaded_, dir);
          adapters_.emplace(key(dir), next);
        }
      }
    } catch (...) {
      if (current) current->attach();
      throw;
    }
    loaded_.adapter = next;
    loaded_.adapter_dir = next ? dir : std::filesystem::path();
    cache_.reset();
    cached_.clear();
  }

  /// Answers `user`. `emit` receives each piece of settled text as it streams; `interrupted`
  /// (optional) is asked before every new token and ends the answer when it returns true.
  TurnResult turn(const std::string& user, const std::function<void(const std::string&)>& emit,
                  const std::function<bool()>& interrupted = {}) {
    TurnResult result;
    messages_.push_back({"user", user});
    std::vector<int64_t> prompt = fittedPrompt();
    if (prompt.empty()) {
      messages_.pop_back();
      result.reason = "too_long";
      return result;
    }
    auto started = std::chrono::steady_clock::now();
    torch::NoGradGuard no_grad;
    // Prefix reuse: keep the cached positions the new prompt starts with (all of them when it
    // extends the last turn, the usual case) and feed only the rest, at least one token.
    size_t reused = 0;
    if (request_.reuse_cache) {
      const size_t limit = std::min(cached_.size(), prompt.size() - 1);
      while (reused < limit && cached_[reused] == prompt[reused]) ++reused;
    }
    // The cache is filled in place at [length, length + T) (kv_cache.h): rewinding its length to
    // `reused` keeps those positions' keys and values and lets the new ones overwrite the rest. A
    // soft prompt's positions come first in the cache; with nothing reused they are computed again.
    cache_.reset();
    if (reused > 0) cache_.advance(model_.virtualTokens() + static_cast<int64_t>(reused));
    cached_.resize(reused);
    torch::Tensor logits = feed(std::vector<int64_t>(prompt.begin() + static_cast<long>(reused), prompt.end()));
    result.prefill_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    TextStream stream(stop_strings_);
    std::vector<int> answer_ids;
    auto send = [&](const std::string& text) {
      if (!text.empty()) emit(text);
    };
    result.reason = "max_new_tokens";
    for (int64_t i = 0; i < sampling_.max_new_tokens; ++i) {
      if (interrupted && interrupted()) {
        result.reason = "interrupted";
        break;
      }
      int64_t next = sampleToken(logits[0][-1].to(torch::kCPU), sampling_, generator_);
      if (std::find(stop_ids_.begin(), stop_ids_.end(), next) != stop_ids_.end()) {
        result.reason = "eos";
        break;
      }
      answer_ids.push_back(static_cast<int>(next));
      send(stream.update(tokenizer_.decode(answer_ids)));
      if (stream.stopped()) {
        result.reason = "stop";
        break;
      }
      if (static_cast<int64_t>(cached_.size()) >= model_.tokenContext()) {
        result.reason = "context";
        break;
      }
      logits = feed({next});
    }
    send(stream.finish());
    // The history keeps the answer without the whitespace it started with: the template writes its
    // own separator after the role ("Assistant: "), and the space the model produced after the
    // generation prompt ("Assistant:") would otherwise be doubled in the next turn's prompt.
    const std::string& printed = stream.printed();
    const size_t first = printed.find_first_not_of(" \t\n");
    messages_.push_back({"assistant", first == std::string::npos ? std::string() : printed.substr(first)});
    result.text = stream.printed();
    result.tokens = static_cast<int64_t>(answer_ids.size());
    result.prompt_tokens = prompt.size();
    result.reused_tokens = reused;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
  }

 private:
  // The rendered conversation's ids; the oldest exchanges (after a system message) are dropped
  // until the prompt leaves room for at least one new token. Empty when the last message alone
  // does not fit.
  std::vector<int64_t> fittedPrompt() {
    const size_t first = !messages_.empty() && messages_[0].role == "system" ? 1 : 0;
    while (true) {
      ChatEncoding encoded = encodeChat(tokenizer_, renderChat(template_, messages_, true));
      if (static_cast<int64_t>(encoded.ids.size()) < model_.tokenContext()) {
        return std::vector<int64_t>(encoded.ids.begin(), encoded.ids.end());
      }
      if (messages_.size() <= first + 1) return {};
      // A user message and its answer go together so roles keep alternating.
      messages_.erase(messages_.begin() + static_cast<long>(first),
                      messages_.begin() + static_cast<long>(std::min(first + 2, messages_.size() - 1)));
    }
  }

  torch::Tensor feed(const std::vector<int64_t>& ids) {
    auto input = torch::tensor(ids, torch::kLong).view({1, -1}).to(model_.device());
    torch::Tensor logits = model_.forward(input, &cache_);
    cached_.insert(cached_.end(), ids.begin(), ids.end());
    return logits;
  }

  const ChatRequest& request_;
  static std::string key(const std::filesystem::path& dir) {
    return std::filesystem::absolute(dir).lexically_normal().string();
  }

  LoadedModel loaded_;
  std::map<std::string, std::shared_ptr<Adapter>> adapters_;  ///< by folder: every adapter loaded so far
  CausalLmImpl& model_;
  const Tokenizer& tokenizer_;
  ChatTemplate template_;
  KvCache cache_;
  std::vector<int64_t> cached_;  ///< the ids whose keys and values are in cache_
  SamplingOptions sampling_;
  std::string system_;
  torch::Generator generator_;
  std::vector<int64_t> stop_ids_;
  std::vector<std::string> stop_strings_;
  std::vector<ChatMessage> messages_;
};

// --- the JSON-lines protocol -----------------------------------------------------------------

void writeLine(std::FILE* out, const Json& line) {
  // Generated text is settled UTF-8 (TextStream), but a model can still emit byte tokens that
  // never form a character; those are replaced rather than ending the session.
  const std::string text = line.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), out);
  std::fflush(out);
}

Json message(const std::string& type) { return events::make(type, ""); }

Json samplingJson(const SamplingOptions& s) {
  return Json{{"temperature", s.temperature},
              {"top_p", s.top_p},
              {"top_k", s.top_k},
              {"max_new_tokens", s.max_new_tokens},
              {"seed", s.seed}};
}

/// One input line, parsed on the reader thread: an object, or why it is not one.
struct Incoming {
  Json message;
  std::string error;
};

/// The lines read so far, shared by the reader thread and the session (which may outlive the
/// other when `exit` ends the session while the reader still waits for input).
struct Inbox {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<Incoming> items;
  bool closed = false;  ///< end of input
};

void readLines(std::istream& in, const std::shared_ptr<Inbox>& inbox) {
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    Incoming item;
    item.message = Json::parse(line, nullptr, false);
    if (item.message.is_discarded() || !item.message.is_object()) {
      item.message = Json();
      item.error = "input line " + std::to_string(number) + ": expected one JSON object per line, got `" +
                   line.substr(0, 80) + (line.size() > 80 ? "…" : "") + "`";
    } else if (!item.message.contains("type") || !item.message["type"].is_string()) {
      item.error =
          "input line " + std::to_string(number) + ": the object has no string `type` (user, stop, reset, set or exit)";
    }
    std::lock_guard<std::mutex> lock(inbox->mutex);
    inbox->items.push_back(std::move(item));
    inbox->ready.notify_one();
  }
  std::lock_guard<std::mutex> lock(inbox->mutex);
  inbox->closed = true;
  inbox->ready.notify_one();
}

bool isType(const Incoming& item, const char* type) {
  return item.error.empty() && item.message.value("type", std::string()) == type;
}

// A `stop` that arrived while an answer streams ends it; it is taken from the inbox unless a
// later `user` message comes before it (that stop belongs to the next answer).
bool takeStop(Inbox& inbox) {
  std::lock_guard<std::mutex> lock(inbox.mutex);
  for (auto it = inbox.items.begin(); it != inbox.items.end(); ++it) {
    if (isType(*it, "user")) return false;
    if (isType(*it, "stop")) {
      inbox.items.erase(it);
      return true;
    }
  }
  return false;
}

// Reads a `set` message's `sampling` object onto `sampling`. Throws Error(InvalidConfig) naming
// the key and what it expected; nothing is applied then.
void readSampling(const Json& object, SamplingOptions& sampling, bool& reseed) {
  if (!object.is_object()) throw Error(ErrorKind::InvalidConfig, "set: `sampling` must be an object");
  for (const auto& [key, value] : object.items()) {
    const bool integer = value.is_number_integer();
    if (key == "temperature" || key == "top_p") {
      if (!value.is_number()) throw Error(ErrorKind::InvalidConfig, "set: `sampling." + key + "` must be a number");
      (key == "temperature" ? sampling.temperature : sampling.top_p) = value.get<double>();
    } else if (key == "top_k" || key == "max_new_tokens") {
      if (!integer) throw Error(ErrorKind::InvalidConfig, "set: `sampling." + key + "` must be an integer");
      (key == "top_k" ? sampling.top_k : sampling.max_new_tokens) = value.get<int64_t>();
    } else if (key == "seed") {
      if (!value.is_number_unsigned()) {
        throw Error(ErrorKind::InvalidConfig, "set: `sampling.seed` must be an integer of 0 or more");
      }
      sampling.seed = value.get<uint64_t>();
      reseed = true;
    } else {
      throw Error(ErrorKind::InvalidConfig,
                  "set: unknown key `sampling." + key + "`; known: temperature, top_p, top_k, max_new_tokens, seed");
    }
  }
  validateSampling(sampling);
}

Json settingsLine(const ChatSession& session) {
  Json line = message("settings");
  line["sampling"] = samplingJson(session.sampling());
  line["system"] = session.system();
  line["stop_strings"] = session.stopStrings();
  return line;
}

// Applies a `set` message: everything in it or, on an error, nothing.
void applySet(const Json& set, ChatSession& session, const std::vector<std::string>& request_stops) {
  SamplingOptions sampling = session.sampling();
  bool reseed = false;
  if (set.contains("sampling")) readSampling(set["sampling"], sampling, reseed);
  std::vector<std::string> stops = request_stops;
  if (set.contains("stop")) {
    const Json& list = set["stop"];
    if (!list.is_array()) throw Error(ErrorKind::InvalidConfig, "set: `stop` must be an array of strings");
    stops.clear();
    for (const Json& s : list) {
      if (!s.is_string()) throw Error(ErrorKind::InvalidConfig, "set: `stop` must be an array of strings");
      stops.push_back(s.get<std::string>());
    }
  }
  if (set.contains("system") && !set["system"].is_string()) {
    throw Error(ErrorKind::InvalidConfig, "set: `system` must be a string");
  }
  for (const auto& [key, value] : set.items()) {
    if (key != "type" && key != "sampling" && key != "stop" && key != "system" && key != "v") {
      throw Error(ErrorKind::InvalidConfig, "set: unknown key `" + key + "`; known: sampling, system, stop");
    }
  }
  session.setSampling(sampling, reseed);
  if (set.contains("stop")) session.setStopStrings(stops);
  if (set.contains("system")) session.setSystem(set["system"].get<std::string>());
}

Json adapterJson(const ChatSession& session) {
  return session.loaded().adapter ? Json(session.loaded().adapter_dir.string()) : Json(nullptr);
}

Json readyLine(const ChatSession& session, const RuntimeInfo& runtime) {
  const LoadedModel& loaded = session.loaded();
  Json line = message("ready");
  line["model"] = loaded.info.dir.string();
  line["family"] = loaded.info.family;
  line["architecture"] = loaded.info.architecture;
  line["parameters"] = loaded.info.parameters;
  line["template"] = chatFamilyName(session.chatTemplate().family);
  line["context"] = session.model().tokenContext();
  line["vocab"] = session.model().vocabSize();
  line["stop_ids"] = session.stopIds();
  line["stop_strings"] = session.stopStrings();
  line["sampling"] = samplingJson(session.sampling());
  line["system"] = session.system();
  line["device"] = runtime.device;
  line["precision"] = session.model().parameters().front().scalar_type() == torch::kBFloat16 ? "bf16" : "fp32";
  line["adapter"] = adapterJson(session);
  line["adapter_kind"] = loaded.adapter ? Json(loaded.adapter->kind()) : Json(nullptr);
  return line;
}

}  // namespace

int runChat(const ChatRequest& request, std::istream& in, std::FILE* out, bool interactive) {
  validateSampling(request.sampling);
  RuntimeInfo runtime = configureRuntime(request.threads, request.device);
  ChatSession session(request, loadModelForInference(request.model_dir, runtime.device,
                                                     resolveInferencePrecision(request.precision, runtime.device),
                                                     request.adapter_dir));
  if (interactive) std::fprintf(stderr, "(/reset starts over, /exit or Ctrl-D ends)\n");
  std::string line;
  while (true) {
    if (interactive) {
      std::fputs("> ", out);
      std::fflush(out);
    }
    if (!std::getline(in, line)) break;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "/exit" || line == "/quit") break;
    if (line == "/reset") {
      session.reset();
      if (interactive) std::fprintf(stderr, "(new conversation)\n");
      continue;
    }
    if (line.empty()) continue;
    TurnResult result = session.turn(line, [out](const std::string& text) {
      std::fwrite(text.data(), 1, text.size(), out);
      std::fflush(out);
    });
    if (result.reason == "too_long") {
      std::fprintf(stderr, "(that message does not fit in the model's context of %lld tokens)\n",
                   static_cast<long long>(session.model().tokenContext()));
      continue;
    }
    std::fputs("\n", out);
    std::fflush(out);
    if (result.reason == "context") std::fprintf(stderr, "(the answer reached the model's context and was cut)\n");
    if (request.verbose) {
      std::fprintf(stderr, "[prompt %zu tokens, %zu from the cache; %lld new tokens; %.1f tokens/s]\n",
                   result.prompt_tokens, result.reused_tokens, static_cast<long long>(result.tokens),
                   result.tokensPerSecond());
    }
  }
  return 0;
}

int runChatJson(const ChatRequest& request, std::istream& in, std::FILE* out) {
  validateSampling(request.sampling);
  RuntimeInfo runtime = configureRuntime(request.threads, request.device);
  // A folder that cannot be loaded ends the command before `ready`; main() reports the error
  // (an `error` event on stdout when stdout is a pipe, and the exit code).
  ChatSession session(request, loadModelForInference(request.model_dir, runtime.device,
                                                     resolveInferencePrecision(request.precision, runtime.device),
                                                     request.adapter_dir));
  writeLine(out, readyLine(session, runtime));

  auto inbox = std::make_shared<Inbox>();
  std::thread reader([&in, inbox] { readLines(in, inbox); });
  bool exit_requested = false;
  while (!exit_requested) {
    Incoming item;
    {
      std::unique_lock<std::mutex> lock(inbox->mutex);
      inbox->ready.wait(lock, [&] { return !inbox->items.empty() || inbox->closed; });
      if (inbox->items.empty()) break;  // end of input
      item = std::move(inbox->items.front());
      inbox->items.pop_front();
    }
    if (!item.error.empty()) {
      Json error = message("error");
      error["message"] = item.error;
      writeLine(out, error);
      continue;
    }
    const std::string type = item.message["type"].get<std::string>();
    try {
      if (type == "user") {
        if (!item.message.contains("content") || !item.message["content"].is_string()) {
          throw Error(ErrorKind::InvalidInput, "user: `content` must be a string");
        }
        TurnResult result = session.turn(
            item.message["content"].get<std::string>(),
            [out](const std::string& text) {
              Json token = message("token");
              token["text"] = text;
              writeLine(out, token);
            },
            [&inbox] { return takeStop(*inbox); });
        Json end = message("answer_end");
        end["reason"] = result.reason;
        end["text"] = result.text;
        end["tokens"] = result.tokens;
        end["prompt_tokens"] = result.prompt_tokens;
        end["reused_tokens"] = result.reused_tokens;
        end["prefill_s"] = result.prefill_s;
        end["seconds"] = result.seconds;
        end["tokens_per_s"] = result.tokensPerSecond();
        end["adapter"] = adapterJson(session);
        if (result.reason == "too_long") {
          end["message"] = "the message does not fit in the model's context of " +
                           std::to_string(session.model().tokenContext()) + " tokens";
        }
        writeLine(out, end);
      } else if (type == "reset") {
        session.reset();
        writeLine(out, message("reset_done"));
      } else if (type == "set") {
        applySet(item.message, session, request.stop);
        writeLine(out, settingsLine(session));
      } else if (type == "adapter") {
        const Json& path = item.message.contains("path") ? item.message["path"] : Json();
        if (!path.is_null() && !path.is_string()) {
          throw Error(ErrorKind::InvalidInput, "adapter: `path` must be a folder or null");
        }
        session.setAdapter(path.is_string() ? std::filesystem::path(path.get<std::string>()) : std::filesystem::path());
        Json set = message("adapter_set");
        set["adapter"] = adapterJson(session);
        set["adapter_kind"] = session.loaded().adapter ? Json(session.loaded().adapter->kind()) : Json(nullptr);
        set["context"] = session.model().tokenContext();
        writeLine(out, set);
      } else if (type == "stop") {
        // No answer is streaming (it ended before the stop was read): nothing to do.
      } else if (type == "exit") {
        exit_requested = true;
      } else {
        throw Error(ErrorKind::InvalidInput,
                    "unknown message type `" + type + "`; known: user, stop, reset, set, adapter, exit");
      }
    } catch (const Error& e) {
      Json error = message("error");
      error["message"] = e.what();
      writeLine(out, error);
    }
  }
  // After `exit` the reader may still wait for input that never comes; it owns its share of
  // the inbox, so it can be left to end with the process.
  if (exit_requested) {
    reader.detach();
  } else {
    reader.join();
  }
  return 0;
}

}  // namespace temper
