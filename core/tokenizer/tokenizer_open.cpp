#include "core/tokenizer/tokenizer_open.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/common/json_io.h"
#include "core/tokenizer/bpe_tokenizer.h"

namespace temper {
namespace {

bool endsWith(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

// A tokenizer plus the special ids and special-token splitting its model folder declares; every
// other call goes to the inner tokenizer.
class FolderTokenizer final : public Tokenizer {
 public:
  explicit FolderTokenizer(std::unique_ptr<Tokenizer> inner) : inner_(std::move(inner)) {
    bos_ = inner_->bosId();
    eos_ = inner_->eosId();
    pad_ = inner_->padId();
    unk_ = inner_->unkId();
    prefix_ = inner_->prefixIds();
    suffix_ = inner_->suffixIds();
  }

  std::vector<int> encode(std::string_view text) const override {
    if (split_tokens_.empty()) return inner_->encode(text);
    return encodeWithOffsets(text).ids;
  }
  EncodedText encodeWithOffsets(std::string_view text) const override {
    if (split_tokens_.empty()) return inner_->encodeWithOffsets(text);
    // Leftmost-longest occurrences of the special tokens; the text between them is encoded alone,
    // as transformers' slow tokenizers do.
    EncodedText out;
    size_t start = 0, pos = 0;
    auto flush = [&](size_t end) {
      if (end <= start) return;
      EncodedText part = inner_->encodeWithOffsets(text.substr(start, end - start));
      out.ids.insert(out.ids.end(), part.ids.begin(), part.ids.end());
      for (const auto& [b, e] : part.offsets) out.offsets.emplace_back(start + b, start + e);
    };
    while (pos < text.size()) {
      const std::pair<std::string, int>* found = nullptr;
      for (const auto& token : split_tokens_) {  // longest first
        if (text.compare(pos, token.first.size(), token.first) == 0) {
          found = &token;
          break;
        }
      }
      if (found == nullptr) {
        ++pos;
        continue;
      }
      flush(pos);
      out.ids.push_back(found->second);
      out.offsets.emplace_back(pos, pos + found->first.size());
      pos += found->first.size();
      start = pos;
    }
    flush(text.size());
    return out;
  }
  std::string decode(const std::vector<int>& ids) const override { return inner_->decode(ids); }
  int vocabSize() const override { return inner_->vocabSize(); }
  int bosId() const override { return bos_; }
  int eosId() const override { return eos_; }
  int padId() const override { return pad_; }
  int unkId() const override { return unk_; }
  std::string pieceFor(int id) const override { return inner_->pieceFor(id); }
  int tokenId(std::string_view token) const override { return inner_->tokenId(token); }
  std::vector<int> stopIds() const override { return stops_; }
  std::vector<int> prefixIds() const override { return prefix_; }
  std::vector<int> suffixIds() const override { return suffix_; }
  std::string kind() const override { return inner_->kind(); }

  std::unique_ptr<Tokenizer> inner_;
  int bos_, eos_, pad_, unk_;
  std::vector<int> stops_, prefix_, suffix_;
  std::vector<std::pair<std::string, int>> split_tokens_;  // text -> id, longest first
};

std::optional<Json> readOptionalJson(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  Json json = readJsonFile(path);
  if (!json.is_object()) throwInputError(path.string() + ": expected a JSON object");
  return json;
}

// The text of a special token entry: "x", {"content": "x", ...} or null.
std::optional<std::string> tokenText(const Json& config, const std::string& field, const std::filesystem::path& file) {
  if (!config.contains(field) || config[field].is_null()) return std::nullopt;
  const Json& value = config[field];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("content") && value["content"].is_string()) {
    return value["content"].get<std::string>();
  }
  throwInputError(file.string() + ": field `" + field + "`: expected a string, {\"content\": string} or null");
}

// An `*_token_id` entry: an id, a list of ids, or null/absent.
std::vector<int> idList(const Json& config, const std::string& field, const std::filesystem::path& file, int vocab) {
  std::vector<int> ids;
  if (!config.contains(field) || config[field].is_null()) return ids;
  const Json& value = config[field];
  const Json list = value.is_array() ? value : Json::array({value});
  for (const Json& id : list) {
    if (!id.is_number_integer()) {
      throwInputError(file.string() + ": field `" + field + "`: " + id.dump() + " is not an integer id");
    }
    const long long v = id.get<long long>();
    if (v < 0 || v >= vocab) {
      throwInputError(file.string() + ": field `" + field + "`: id " + std::to_string(v) +
                      " is outside the tokenizer's vocabulary [0, " + std::to_string(vocab) + ")");
    }
    ids.push_back(static_cast<int>(v));
  }
  return ids;
}

void applyFolderConfig(FolderTokenizer& tok, const std::filesystem::path& dir) {
  const auto tc_path = dir / "tokenizer_config.json";
  const auto gc_path = dir / "generation_config.json";
  const auto mc_path = dir / "config.json";
  const std::optional<Json> tc = readOptionalJson(tc_path);
  const std::optional<Json> gc = readOptionalJson(gc_path);
  const std::optional<Json> mc = readOptionalJson(mc_path);
  const int vocab = tok.vocabSize();

  auto fromTokenConfig = [&](const std::string& field) -> std::optional<int> {
    if (!tc) return std::nullopt;
    auto text = tokenText(*tc, field, tc_path);
    if (!text) return std::nullopt;
    const int id = tok.inner_->tokenId(*text);
    if (id < 0) {
      throwInputError(tc_path.string() + ": field `" + field + "`: \"" + *text + "\" is not a token of the tokenizer");
    }
    return id;
  };
  auto fromIdConfigs = [&](const std::string& field) -> std::optional<int> {
    if (gc) {
      auto ids = idList(*gc, field, gc_path, vocab);
      if (!ids.empty()) return ids.front();
    }
    if (mc) {
      auto ids = idList(*mc, field, mc_path, vocab);
      if (!ids.empty()) return ids.front();
    }
    return std::nullopt;
  };
  auto pick = [&](const std::string& token_field, const std::string& id_field, int& target) {
    if (auto id = fromTokenConfig(token_field)) {
      target = *id;
    } else if (!id_field.empty()) {
      if (auto id2 = fromIdConfigs(id_field)) target = *id2;
    }
  };
  pick("bos_token", "bos_token_id", tok.bos_);
  pick("eos_token", "eos_token_id", tok.eos_);
  pick("pad_token", "pad_token_id", tok.pad_);
  pick("unk_token", "", tok.unk_);

  tok.stops_.clear();
  auto addStop = [&](int id) {
    if (id >= 0 && std::find(tok.stops_.begin(), tok.stops_.end(), id) == tok.stops_.end()) tok.stops_.push_back(id);
  };
  addStop(tok.eos_);
  if (gc) {
    for (int id : idList(*gc, "eos_token_id", gc_path, vocab)) addStop(id);
  }
  if (mc) {
    for (int id : idList(*mc, "eos_token_id", mc_path, vocab)) addStop(id);
  }

  if (tok.kind() != "sentencepiece" || !tc) return;
  // transformers' LlamaTokenizer: bos before every text unless add_bos_token is false.
  auto flag = [&](const char* field, bool fallback) {
    if (!tc->contains(field) || (*tc)[field].is_null()) return fallback;
    if (!(*tc)[field].is_boolean())
      throwInputError(tc_path.string() + ": field `" + field + "`: expected true or false");
    return (*tc)[field].get<bool>();
  };
  tok.prefix_.clear();
  tok.suffix_.clear();
  if (flag("add_bos_token", true) && tok.bos_ >= 0) tok.prefix_.push_back(tok.bos_);
  if (flag("add_eos_token", false) && tok.eos_ >= 0) tok.suffix_.push_back(tok.eos_);
  std::vector<std::string> texts;
  for (const char* field : {"bos_token", "eos_token", "unk_token", "pad_token"}) {
    if (auto text = tokenText(*tc, field, tc_path)) texts.push_back(*text);
  }
  if (tc->contains("added_tokens_decoder")) {
    const Json& added = (*tc)["added_tokens_decoder"];
    if (!added.is_object()) throwInputError(tc_path.string() + ": field `added_tokens_decoder`: expected an object");
    for (const auto& [id, entry] : added.items()) {
      if (!entry.is_object() || !entry.contains("content") || !entry["content"].is_string()) {
        throwInputError(tc_path.string() + ": field `added_tokens_decoder[\"" + id +
                        "\"]`: expected {\"content\": ...}");
      }
      texts.push_back(entry["content"].get<std::string>());
    }
  }
  for (const std::string& text : texts) {
    const int id = tok.inner_->tokenId(text);
    if (text.empty() || id < 0) continue;  // a token SentencePiece does not have cannot be cut out
    if (std::none_of(tok.split_tokens_.begin(), tok.split_tokens_.end(),
                     [&](const auto& t) { return t.first == text; })) {
      tok.split_tokens_.emplace_back(text, id);
    }
  }
  std::stable_sort(tok.split_tokens_.begin(), tok.split_tokens_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

}  // namespace

std::filesystem::path resolveTokenizerFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    for (const char* name : {"tokenizer.model", "tokenizer.json"}) {
      if (std::filesystem::is_regular_file(path / name, ec)) return path / name;
    }
    throwIoError(path.string() +
                 ": folder has neither tokenizer.model nor tokenizer.json (expected a SentencePiece "
                 ".model, a Hugging Face tokenizer.json, or a model folder holding one)");
  }
  if (!std::filesystem::exists(path, ec)) throwIoError(path.string() + ": no such tokenizer file or folder");
  return path;
}

std::unique_ptr<Tokenizer> openTokenizer(const std::filesystem::path& path) {
  const std::filesystem::path file = resolveTokenizerFile(path);
  const std::string name = file.filename().string();
  std::unique_ptr<Tokenizer> tokenizer;
  if (endsWith(name, ".json")) {
    tokenizer = BpeTokenizer::fromFile(file);
  } else {
    tokenizer = loadTokenizer(file);
  }
  if (name != "tokenizer.json" && name != "tokenizer.model") return tokenizer;
  auto folder = std::make_unique<FolderTokenizer>(std::move(tokenizer));
  applyFolderConfig(*folder, file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path());
  return folder;
}

}  // namespace temper
