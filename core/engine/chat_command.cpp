#include "core/engine/chat_command.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>

#include "core/common/error.h"
#include "core/engine/model_inspect_command.h"
#include "core/engine/model_loading.h"
#include "core/engine/runtime.h"
#include "core/engine/text_stream.h"
#include "core/tokenizer/chat_template.h"

namespace temper {
namespace {

// The template: the override, else the folder's own, else plain (a model without one was not
// trained on any chat format, and plain is the least surprising text to continue).
ChatTemplate chooseTemplate(const ChatRequest& request, const Tokenizer& tokenizer) {
  if (!request.chat_template.empty() || folderHasChatTemplate(request.model_dir)) {
    return loadChatTemplate(request.model_dir, request.chat_template);
  }
  // The eos text only helps when the tokenizer turns it back into the eos id.
  std::string eos;
  if (tokenizer.eosId() >= 0) {
    std::string piece = tokenizer.pieceFor(tokenizer.eosId());
    if (tokenizer.encode(piece) == std::vector<int>{tokenizer.eosId()}) eos = piece;
  }
  std::fprintf(stderr, "(%s has no chat template; using plain)\n", request.model_dir.string().c_str());
  return chatTemplateByName("plain", "", eos);
}

class ChatSession {
 public:
  ChatSession(const ChatRequest& request, LoadedModel loaded)
      : request_(request),
        loaded_(std::move(loaded)),
        model_(*loaded_.model),
        tokenizer_(*loaded_.tokenizer),
        template_(chooseTemplate(request, tokenizer_)),
        cache_(model_.makeCache(1)),
        generator_(at::make_generator<at::CPUGeneratorImpl>(request.sampling.seed)) {
    for (int id : tokenizer_.stopIds()) stop_ids_.push_back(id);
    // The template's end-of-turn marker ends an answer too when it is one token.
    for (const char* marker : {"<|im_end|>", "<|eot_id|>"}) {
      int id = tokenizer_.tokenId(marker);
      if (id >= 0) stop_ids_.push_back(id);
    }
    stop_strings_ = request.stop;
    if (template_.family == ChatFamily::Plain) stop_strings_.push_back("\nUser:");
    reset();
  }

  void reset() {
    messages_.clear();
    if (!request_.system.empty()) messages_.push_back({"system", request_.system});
    cache_.reset();
    cached_.clear();
  }

  /// Answers `user`, streaming to `out`.
  void turn(const std::string& user, std::FILE* out) {
    messages_.push_back({"user", user});
    std::vector<int64_t> prompt = fittedPrompt();
    if (prompt.empty()) {
      messages_.pop_back();
      std::fprintf(stderr, "(that message does not fit in the model's context of %lld tokens)\n",
                   static_cast<long long>(model_.contextLength()));
      return;
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
    // `reused` keeps those positions' keys and values and lets the new ones overwrite the rest.
    cache_.reset();
    cache_.advance(static_cast<int64_t>(reused));
    cached_.resize(reused);
    torch::Tensor logits = feed(std::vector<int64_t>(prompt.begin() + static_cast<long>(reused), prompt.end()));
    TextStream stream(stop_strings_);
    std::vector<int> answer_ids;
    auto emit = [&](const std::string& text) {
      if (text.empty()) return;
      std::fwrite(text.data(), 1, text.size(), out);
      std::fflush(out);
    };
    bool context_full = false;
    for (int64_t i = 0; i < request_.sampling.max_new_tokens; ++i) {
      int64_t next = sampleToken(logits[0][-1].to(torch::kCPU), request_.sampling, generator_);
      if (std::find(stop_ids_.begin(), stop_ids_.end(), next) != stop_ids_.end()) break;
      answer_ids.push_back(static_cast<int>(next));
      emit(stream.update(tokenizer_.decode(answer_ids)));
      if (stream.stopped()) break;
      if (static_cast<int64_t>(cached_.size()) >= model_.contextLength()) {
        context_full = true;
        break;
      }
      logits = feed({next});
    }
    emit(stream.finish());
    emit("\n");
    if (context_full) std::fprintf(stderr, "(the answer reached the model's context and was cut)\n");
    messages_.push_back({"assistant", stream.printed()});
    if (request_.verbose) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "[prompt %zu tokens, %zu from the cache; %zu new tokens; %.1f tokens/s]\n", prompt.size(),
                   reused, answer_ids.size(), static_cast<double>(answer_ids.size()) / std::max(seconds, 1e-9));
    }
  }

 private:
  // The rendered conversation's ids; the oldest exchanges (after a system message) are dropped
  // until the prompt leaves room for at least one new token. Empty when the last message alone
  // does not fit.
  std::vector<int64_t> fittedPrompt() {
    const size_t first = !messages_.empty() && messages_[0].role == "system" ? 1 : 0;
    while (true) {
      ChatEncoding encoded = encodeChat(tokenizer_, renderChat(template_, messages_, true));
      if (static_cast<int64_t>(encoded.ids.size()) < model_.contextLength()) {
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
  LoadedModel loaded_;
  CausalLmImpl& model_;
  const Tokenizer& tokenizer_;
  ChatTemplate template_;
  KvCache cache_;
  std::vector<int64_t> cached_;  ///< the ids whose keys and values are in cache_
  torch::Generator generator_;
  std::vector<int64_t> stop_ids_;
  std::vector<std::string> stop_strings_;
  std::vector<ChatMessage> messages_;
};

}  // namespace

int runChat(const ChatRequest& request, std::istream& in, std::FILE* out, bool interactive) {
  validateSampling(request.sampling);
  RuntimeInfo runtime = configureRuntime(request.threads, request.device);
  ChatSession session(request, loadModelForInference(request.model_dir, runtime.device));
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
    session.turn(line, out);
  }
  return 0;
}

}  // namespace temper
