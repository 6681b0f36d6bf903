#include "core/tokenizer/bpe_tokenizer.h"

#include <algorithm>
#include <climits>
#include <queue>
#include <set>
#include <tuple>

#include "core/common/error.h"
#include "core/tokenizer/byte_level.h"

namespace temper {
namespace {

constexpr size_t kCacheLimit = size_t{1} << 18;  // pre-tokens kept; cleared when full
constexpr size_t kSmallWord = 128;               // up to this many symbols: scan instead of a heap
constexpr size_t kCachedWordBytes = 256;         // longer pre-tokens are rare: not worth the memory

uint64_t pairKey(int left, int right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

std::string describe(const Json& value) {
  std::string text = value.dump();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

}  // namespace

BpeTokenizer::~BpeTokenizer() = default;

void BpeTokenizer::refuse(const std::string& field, const std::string& why) const {
  throwInputError(file_ + ": field `" + field + "`: " + why);
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::fromFile(const std::filesystem::path& path) {
  return fromJson(readJsonFile(path), path.string());
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::fromJson(const Json& json, const std::string& file) {
  std::unique_ptr<BpeTokenizer> tokenizer(new BpeTokenizer());
  tokenizer->file_ = file;
  tokenizer->load(json);
  return tokenizer;
}

void BpeTokenizer::load(const Json& json) {
  if (!json.is_object()) throwInputError(file_ + ": expected a JSON object (a Hugging Face tokenizer.json)");
  static const std::set<std::string> kKnown = {"version",      "truncation",     "padding",
                                               "added_tokens", "normalizer",     "pre_tokenizer",
                                               "model",        "post_processor", "decoder"};
  for (const auto& [key, value] : json.items()) {
    if (!kKnown.count(key))
      refuse(key,
             "unknown field; Temper reproduces tokenizer.json exactly and refuses what it "
             "does not know");
  }
  // truncation and padding are what transformers switches off unless a call asks for them; Temper
  // truncates and pads itself, so they do not change what encode() means.
  if (!json.contains("model")) refuse("model", "missing");
  loadModel(json["model"]);
  loadAddedTokens(json.value("added_tokens", Json::array()));
  loadNormalizer(json.value("normalizer", Json()), "normalizer");
  if (!json.contains("pre_tokenizer") || json["pre_tokenizer"].is_null()) {
    refuse("pre_tokenizer",
           "null: byte-level BPE needs a ByteLevel pre-tokenizer (Temper reads no other kind of "
           "tokenizer.json; SentencePiece models are read from tokenizer.model)");
  }
  loadPreTokenizer(json["pre_tokenizer"], "pre_tokenizer");
  loadPostProcessor(json.value("post_processor", Json()), "post_processor");
  loadDecoder(json.value("decoder", Json()));
}

void BpeTokenizer::loadModel(const Json& model) {
  if (!model.is_object()) refuse("model", "expected an object");
  const std::string type = model.value("type", std::string());
  if (type != "BPE") {
    refuse("model.type", "\"" + type +
                             "\" is not supported; Temper reads byte-level BPE (\"BPE\") from tokenizer.json "
                             "(WordPiece, WordLevel and Unigram are refused rather than approximated)");
  }
  static const std::set<std::string> kKnown = {"type",
                                               "dropout",
                                               "unk_token",
                                               "continuing_subword_prefix",
                                               "end_of_word_suffix",
                                               "fuse_unk",
                                               "byte_fallback",
                                               "ignore_merges",
                                               "vocab",
                                               "merges"};
  for (const auto& [key, value] : model.items()) {
    if (!kKnown.count(key)) refuse("model." + key, "unknown BPE option");
  }
  const Json dropout = model.value("dropout", Json());
  if (!dropout.is_null() && !(dropout.is_number() && dropout.get<double>() == 0.0)) {
    refuse("model.dropout", describe(dropout) + " is not supported: BPE dropout makes encoding random (null expected)");
  }
  for (const char* field : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    const Json value = model.value(field, Json());
    if (!value.is_null() && !(value.is_string() && value.get<std::string>().empty())) {
      refuse(std::string("model.") + field, describe(value) + " is not supported by byte-level BPE (null expected)");
    }
  }
  if (model.value("byte_fallback", false)) {
    refuse("model.byte_fallback",
           "true is not supported (byte fallback belongs to SentencePiece-style BPE; "
           "byte-level BPE has every byte in its vocab)");
  }
  fuse_unk_ = model.value("fuse_unk", false);
  ignore_merges_ = model.value("ignore_merges", false);

  const Json& vocab = model.contains("vocab") ? model["vocab"] : Json();
  if (!vocab.is_object() || vocab.empty()) refuse("model.vocab", "expected a non-empty object {token: id}");
  int max_id = -1;
  vocab_.reserve(vocab.size());
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer() || id.get<long long>() < 0 || id.get<long long>() > INT_MAX / 2) {
      refuse("model.vocab[\"" + token + "\"]", describe(id) + " is not a valid id (a non-negative integer)");
    }
    vocab_[token] = id.get<int>();
    max_id = std::max(max_id, id.get<int>());
  }
  tokens_.assign(static_cast<size_t>(max_id) + 1, std::string());
  assigned_.assign(tokens_.size(), 0);
  for (const auto& [token, id] : vocab_) {
    if (assigned_[id]) refuse("model.vocab", "id " + std::to_string(id) + " is given to two tokens");
    tokens_[id] = token;
    assigned_[id] = 1;
    if (auto raw = byte_level::decodeMapped(token)) raw_vocab_.emplace(std::move(*raw), id);
  }
  const auto& bytes = byte_level::utf8ForBytes();
  for (int b = 0; b < 256; ++b) {
    auto it = vocab_.find(bytes[b]);
    byte_ids_[b] = it == vocab_.end() ? -1 : it->second;
  }

  const Json unk = model.value("unk_token", Json());
  if (!unk.is_null()) {
    if (!unk.is_string()) refuse("model.unk_token", "expected a string or null");
    auto it = vocab_.find(unk.get<std::string>());
    if (it == vocab_.end()) refuse("model.unk_token", describe(unk) + " is not in model.vocab");
    unk_id_ = it->second;
  }

  const Json& merges = model.contains("merges") ? model["merges"] : Json();
  if (!merges.is_array()) refuse("model.merges", "expected an array of merges");
  merges_.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const Json& merge = merges[i];
    const std::string field = "model.merges[" + std::to_string(i) + "]";
    std::string left, right;
    if (merge.is_string()) {
      const std::string text = merge.get<std::string>();
      const size_t space = text.find(' ');
      if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos) {
        refuse(field, describe(merge) + " is not \"left right\" (two tokens separated by one space)");
      }
      left = text.substr(0, space);
      right = text.substr(space + 1);
    } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
      left = merge[0].get<std::string>();
      right = merge[1].get<std::string>();
    } else {
      refuse(field, describe(merge) + " is neither \"left right\" nor [\"left\", \"right\"]");
    }
    auto find = [&](const std::string& token) {
      auto it = vocab_.find(token);
      if (it == vocab_.end()) refuse(field, "token \"" + token + "\" is not in model.vocab");
      return it->second;
    };
    const int left_id = find(left), right_id = find(right), merged_id = find(left + right);
    // A later duplicate replaces an earlier one, as in the tokenizers library.
    merges_[pairKey(left_id, right_id)] = {static_cast<int>(i), merged_id};
  }
}

void BpeTokenizer::loadAddedTokens(const Json& added) {
  if (!added.is_array()) refuse("added_tokens", "expected an array");
  for (size_t i = 0; i < added.size(); ++i) {
    const Json& item = added[i];
    const std::string field = "added_tokens[" + std::to_string(i) + "]";
    if (!item.is_object() || !item.contains("content") || !item["content"].is_string() || !item.contains("id") ||
        !item["id"].is_number_integer() || item["id"].get<long long>() < 0 ||
        item["id"].get<long long>() > INT_MAX / 2) {
      refuse(field, "expected {\"id\": non-negative integer, \"content\": string, ...}");
    }
    for (const char* flag : {"single_word", "lstrip", "rstrip"}) {
      if (item.value(flag, false)) {
        refuse(field + "." + flag, "true is not supported (Temper matches added tokens exactly as written)");
      }
    }
    AddedToken token;
    token.content = item["content"].get<std::string>();
    token.id = item["id"].get<int>();
    token.special = item.value("special", false);
    token.normalized = item.value("normalized", !token.special);
    if (token.content.empty()) refuse(field + ".content", "empty");
    if (byte_level::firstInvalidUtf8(token.content) != std::string::npos) refuse(field + ".content", "not UTF-8");
    auto in_vocab = vocab_.find(token.content);
    if (in_vocab != vocab_.end() && in_vocab->second != token.id) {
      refuse(field + ".id", std::to_string(token.id) + " but model.vocab has \"" + token.content + "\" as " +
                                std::to_string(in_vocab->second));
    }
    if (static_cast<size_t>(token.id) >= tokens_.size()) {
      tokens_.resize(token.id + 1);
      assigned_.resize(token.id + 1, 0);
    }
    if (assigned_[token.id] && tokens_[token.id] != token.content) {
      refuse(field + ".id", std::to_string(token.id) + " already belongs to \"" + tokens_[token.id] + "\"");
    }
    tokens_[token.id] = token.content;
    assigned_[token.id] = 1;
    added_ids_[token.content] = token.id;
    added_.push_back(std::move(token));
  }
  special_.assign(tokens_.size(), 0);
  for (size_t i = 0; i < added_.size(); ++i) {
    if (added_[i].special) special_[added_[i].id] = 1;
    AddedMatcher& matcher = added_[i].normalized ? normalized_matcher_ : raw_matcher_;
    matcher.by_first_byte[static_cast<unsigned char>(added_[i].content[0])].push_back(static_cast<int>(i));
    matcher.empty = false;
  }
  for (AddedMatcher* matcher : {&raw_matcher_, &normalized_matcher_}) {
    for (auto& list : matcher->by_first_byte) {
      std::stable_sort(list.begin(), list.end(),
                       [&](int a, int b) { return added_[a].content.size() > added_[b].content.size(); });
    }
  }
  // What the ByteLevel decoder writes for each id: the bytes behind the mapped characters, or the
  // token's own text when some character is outside the map (as Hugging Face's decoder does).
  decoded_.assign(tokens_.size(), std::string());
  for (size_t id = 0; id < tokens_.size(); ++id) {
    if (!assigned_[id]) continue;
    auto raw = byte_level::decodeMapped(tokens_[id]);
    decoded_[id] = raw ? std::move(*raw) : tokens_[id];
  }
}

void BpeTokenizer::loadNormalizer(const Json& normalizer, const std::string& field) {
  if (normalizer.is_null()) return;
  const std::string type = normalizer.is_object() ? normalizer.value("type", std::string()) : std::string();
  static const std::vector<std::pair<std::string, UnicodeForm>> kForms = {
      {"NFC", UnicodeForm::Nfc}, {"NFD", UnicodeForm::Nfd}, {"NFKC", UnicodeForm::Nfkc}, {"NFKD", UnicodeForm::Nfkd}};
  for (const auto& [name, form] : kForms) {
    if (type != name) continue;
    if (normalizer_) refuse(field, "more than one Unicode normalization form in a sequence is not supported");
    normalizer_.emplace(form);
    return;
  }
  if (type == "Sequence") {
    const Json& list = normalizer.contains("normalizers") ? normalizer["normalizers"] : Json();
    if (!list.is_array()) refuse(field + ".normalizers", "expected an array");
    for (size_t i = 0; i < list.size(); ++i) loadNormalizer(list[i], field + ".normalizers[" + std::to_string(i) + "]");
    return;
  }
  refuse(field + ".type", "\"" + type +
                              "\" is not supported (Temper reproduces null, NFC, NFD, NFKC and NFKD; "
                              "others are refused rather than approximated)");
}

void BpeTokenizer::loadPreTokenizer(const Json& pre, const std::string& field) {
  if (!pre.is_object()) refuse(field, "expected an object");
  const std::string type = pre.value("type", std::string());
  if (!pre_steps_.empty() && pre_steps_.back().byte_level) {
    refuse(field, "a pre-tokenizer after ByteLevel is not supported (ByteLevel must come last)");
  }
  if (type == "Sequence") {
    const Json& list = pre.contains("pretokenizers") ? pre["pretokenizers"] : Json();
    if (!list.is_array()) refuse(field + ".pretokenizers", "expected an array");
    for (size_t i = 0; i < list.size(); ++i)
      loadPreTokenizer(list[i], field + ".pretokenizers[" + std::to_string(i) + "]");
  } else if (type == "ByteLevel") {
    PreStep step;
    step.byte_level = true;
    step.add_prefix_space = pre.value("add_prefix_space", true);
    if (pre.value("use_regex", true))
      step.regex = std::make_unique<RegexSplitter>(kGpt2SplitPattern, false, file_ + ": " + field);
    pre_steps_.push_back(std::move(step));
  } else if (type == "Split") {
    const std::string behavior = pre.value("behavior", std::string());
    if (behavior != "Isolated") {
      refuse(field + ".behavior",
             "\"" + behavior + "\" is not supported (only \"Isolated\", which byte-level models use)");
    }
    if (pre.value("invert", false)) refuse(field + ".invert", "true is not supported");
    const Json& pattern = pre.contains("pattern") ? pre["pattern"] : Json();
    PreStep step;
    if (pattern.is_object() && pattern.contains("Regex") && pattern["Regex"].is_string()) {
      step.regex = std::make_unique<RegexSplitter>(pattern["Regex"].get<std::string>(), false,
                                                   file_ + ": " + field + ".pattern");
    } else if (pattern.is_object() && pattern.contains("String") && pattern["String"].is_string()) {
      step.regex = std::make_unique<RegexSplitter>(pattern["String"].get<std::string>(), true,
                                                   file_ + ": " + field + ".pattern");
    } else {
      refuse(field + ".pattern", "expected {\"Regex\": string} or {\"String\": string}");
    }
    pre_steps_.push_back(std::move(step));
  } else if (type == "Digits") {
    // Rust's char::is_numeric is the general categories Nd, Nl and No: \p{N}.
    PreStep step;
    step.regex = std::make_unique<RegexSplitter>(pre.value("individual_digits", false) ? "\\p{N}" : "\\p{N}+", false,
                                                 file_ + ": " + field);
    pre_steps_.push_back(std::move(step));
  } else {
    refuse(field + ".type", "\"" + type +
                                "\" is not supported (Temper reproduces Sequence, Split, Digits and "
                                "ByteLevel, the pre-tokenizers of byte-level BPE models)");
  }
  if (field == "pre_tokenizer" && (pre_steps_.empty() || !pre_steps_.back().byte_level)) {
    refuse(field, "no ByteLevel step: Temper reads byte-level BPE only (ByteLevel must be the last pre-tokenizer)");
  }
}

void BpeTokenizer::loadPostProcessor(const Json& post, const std::string& field) {
  if (post.is_null()) return;
  const std::string type = post.is_object() ? post.value("type", std::string()) : std::string();
  if (type == "ByteLevel") return;  // it only trims offsets; ids are unchanged
  if (type == "Sequence") {
    const Json& list = post.contains("processors") ? post["processors"] : Json();
    if (!list.is_array()) refuse(field + ".processors", "expected an array");
    for (size_t i = 0; i < list.size(); ++i)
      loadPostProcessor(list[i], field + ".processors[" + std::to_string(i) + "]");
    return;
  }
  if (type != "TemplateProcessing") {
    refuse(field + ".type", "\"" + type +
                                "\" is not supported (Temper reproduces TemplateProcessing, ByteLevel and "
                                "Sequence of those)");
  }
  if (!prefix_ids_.empty() || !suffix_ids_.empty()) refuse(field, "two TemplateProcessing steps are not supported");
  const Json& single = post.contains("single") ? post["single"] : Json();
  const Json& specials = post.contains("special_tokens") ? post["special_tokens"] : Json::object();
  if (!single.is_array()) refuse(field + ".single", "expected an array");
  bool seen_sequence = false;
  for (size_t i = 0; i < single.size(); ++i) {
    const Json& item = single[i];
    const std::string item_field = field + ".single[" + std::to_string(i) + "]";
    if (item.is_object() && item.contains("Sequence")) {
      if (seen_sequence || item["Sequence"].value("id", std::string()) != "A") {
        refuse(item_field, "a single-sequence template holds sequence A exactly once");
      }
      seen_sequence = true;
    } else if (item.is_object() && item.contains("SpecialToken")) {
      const std::string name = item["SpecialToken"].value("id", std::string());
      if (!specials.is_object() || !specials.contains(name) || !specials[name].contains("ids") ||
          !specials[name]["ids"].is_array()) {
        refuse(item_field, "special token \"" + name + "\" is not listed in " + field + ".special_tokens");
      }
      for (const Json& id : specials[name]["ids"]) {
        if (!id.is_number_integer() || id.get<long long>() < 0 || id.get<long long>() >= vocabSize()) {
          refuse(field + ".special_tokens[\"" + name + "\"].ids", describe(id) + " is outside the vocabulary");
        }
        (seen_sequence ? suffix_ids_ : prefix_ids_).push_back(id.get<int>());
      }
    } else {
      refuse(item_field, "expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
    }
  }
  if (!seen_sequence) refuse(field + ".single", "has no {\"Sequence\": {\"id\": \"A\"}}");
}

void BpeTokenizer::loadDecoder(const Json& decoder) {
  const std::string type = decoder.is_object() ? decoder.value("type", std::string()) : std::string();
  if (type != "ByteLevel") {
    refuse("decoder", (decoder.is_null() ? std::string("null") : "\"" + type + "\"") +
                          " is not supported (byte-level BPE decodes with \"ByteLevel\")");
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

std::vector<int> BpeTokenizer::encode(std::string_view text) const {
  std::vector<int> ids;
  ids.reserve(text.size() / 3 + 4);
  encodeImpl(text, ids, nullptr);
  return ids;
}

EncodedText BpeTokenizer::encodeWithOffsets(std::string_view text) const {
  EncodedText out;
  encodeImpl(text, out.ids, &out.offsets);
  return out;
}

void BpeTokenizer::splitAdded(std::string_view text, const AddedMatcher& matcher,
                              std::vector<std::tuple<size_t, size_t, int>>& out) const {
  if (matcher.empty) {
    out.emplace_back(0, text.size(), -1);
    return;
  }
  size_t start = 0, pos = 0;
  while (pos < text.size()) {
    const auto& candidates = matcher.by_first_byte[static_cast<unsigned char>(text[pos])];
    const AddedToken* found = nullptr;
    for (int index : candidates) {
      const std::string& content = added_[index].content;
      if (text.compare(pos, content.size(), content) == 0) {
        found = &added_[index];
        break;  // longest first
      }
    }
    if (found == nullptr) {
      ++pos;
      continue;
    }
    if (pos > start) out.emplace_back(start, pos, -1);
    out.emplace_back(pos, pos + found->content.size(), found->id);
    pos += found->content.size();
    start = pos;
  }
  if (start < text.size()) out.emplace_back(start, text.size(), -1);
}

void BpeTokenizer::encodeImpl(std::string_view text, std::vector<int>& ids,
                              std::vector<std::pair<size_t, size_t>>* offsets) const {
  const size_t bad = byte_level::firstInvalidUtf8(text);
  if (bad != std::string_view::npos) {
    throwInputError("text is not valid UTF-8 at byte " + std::to_string(bad) + " (tokenizer " + file_ + ")");
  }
  std::vector<std::tuple<size_t, size_t, int>> segments, parts;
  splitAdded(text, raw_matcher_, segments);
  for (const auto& [begin, end, added_id] : segments) {
    if (added_id >= 0) {
      ids.push_back(added_id);
      if (offsets) offsets->emplace_back(begin, end);
      continue;
    }
    std::string_view segment = text.substr(begin, end - begin);
    std::string normalized;
    const bool exact = !normalizer_ || normalizer_->isNormalized(segment);
    if (!exact) {
      normalized = normalizer_->normalize(segment);
      segment = normalized;
    }
    parts.clear();
    splitAdded(segment, normalized_matcher_, parts);
    for (const auto& [part_begin, part_end, part_id] : parts) {
      if (part_id >= 0) {
        ids.push_back(part_id);
        if (offsets) offsets->emplace_back(exact ? begin + part_begin : begin, exact ? begin + part_end : end);
        continue;
      }
      encodeNormalizedPiece(segment.substr(part_begin, part_end - part_begin), begin + part_begin, exact, begin, end,
                            ids, offsets);
    }
  }
}

void BpeTokenizer::encodeNormalizedPiece(std::string_view text, size_t base, bool exact, size_t orig_begin,
                                         size_t orig_end, std::vector<int>& ids,
                                         std::vector<std::pair<size_t, size_t>>* offsets) const {
  if (text.empty()) return;
  std::vector<Piece> pieces{{0, text.size(), false}}, next;
  std::vector<std::pair<size_t, size_t>> ranges;
  std::string with_space;
  for (const PreStep& step : pre_steps_) {
    next.clear();
    for (const Piece& piece : pieces) {
      std::string_view sub = text.substr(piece.begin, piece.end - piece.begin);
      const bool add_space = step.byte_level && step.add_prefix_space && sub.front() != ' ';
      if (!step.regex) {
        next.push_back({piece.begin, piece.end, add_space});
        continue;
      }
      ranges.clear();
      if (!add_space) {
        step.regex->split(sub, ranges);
        for (const auto& [b, e] : ranges) next.push_back({piece.begin + b, piece.begin + e, false});
        continue;
      }
      // ByteLevel's add_prefix_space: the regex sees " " + piece; the space belongs to no input byte.
      with_space.assign(1, ' ');
      with_space.append(sub);
      step.regex->split(with_space, ranges);
      for (const auto& [b, e] : ranges) {
        next.push_back({b == 0 ? piece.begin : piece.begin + b - 1, piece.begin + e - 1, b == 0});
      }
    }
    pieces.swap(next);
  }
  std::string word;
  std::vector<int> word_ids;
  for (const Piece& piece : pieces) {
    std::string_view bytes = text.substr(piece.begin, piece.end - piece.begin);
    std::string_view key = bytes;
    if (piece.prefix_space) {
      word.assign(1, ' ');
      word.append(bytes);
      key = word;
    }
    const size_t first = ids.size();
    bpeWord(key, ids);
    if (!offsets) continue;
    if (!exact) {
      for (size_t i = first; i < ids.size(); ++i) offsets->emplace_back(orig_begin, orig_end);
      continue;
    }
    // Each token's bytes are consecutive bytes of the key; an unk may stand for several bytes, so
    // when the lengths do not add up every token gets the whole pre-token.
    size_t total = 0;
    for (size_t i = first; i < ids.size(); ++i) total += decoded_[ids[i]].size();
    const size_t begin = base + piece.begin, end = base + piece.end;
    if (total != key.size()) {
      for (size_t i = first; i < ids.size(); ++i) offsets->emplace_back(begin, end);
      continue;
    }
    size_t at = 0;  // position in the key
    auto map = [&](size_t k) { return piece.prefix_space ? (k == 0 ? begin : begin + k - 1) : begin + k; };
    for (size_t i = first; i < ids.size(); ++i) {
      const size_t len = decoded_[ids[i]].size();
      offsets->emplace_back(map(at), map(at + len));
      at += len;
    }
  }
}

void BpeTokenizer::bpeWord(std::string_view word, std::vector<int>& ids) const {
  if (word.empty()) return;
  if (word.size() > kCachedWordBytes) {
    std::vector<int> result;
    mergeWord(word, result);
    ids.insert(ids.end(), result.begin(), result.end());
    return;
  }
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(std::string(word));
    if (it != cache_.end()) {
      ids.insert(ids.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int> result;
  mergeWord(word, result);
  ids.insert(ids.end(), result.begin(), result.end());
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (cache_.size() >= kCacheLimit) cache_.clear();
  cache_.emplace(std::string(word), std::move(result));
}

void BpeTokenizer::mergeWord(std::string_view word, std::vector<int>& symbols) const {
  if (ignore_merges_) {
    auto it = raw_vocab_.find(std::string(word));
    if (it != raw_vocab_.end()) {
      symbols.push_back(it->second);
      return;
    }
  }
  // One symbol per byte. A byte missing from the vocab becomes unk (fused with a preceding unk when
  // fuse_unk) or, without an unk token, is dropped: what the tokenizers library does.
  bool last_was_unk = false;
  for (char c : word) {
    const int id = byte_ids_[static_cast<unsigned char>(c)];
    if (id >= 0) {
      symbols.push_back(id);
      last_was_unk = false;
    } else if (unk_id_ >= 0) {
      if (!(fuse_unk_ && last_was_unk)) symbols.push_back(unk_id_);
      last_was_unk = true;
    }
  }
  if (symbols.size() <= kSmallWord) {
    mergeSmall(symbols);
  } else {
    mergeLarge(symbols);
  }
}

// Repeatedly merges the adjacent pair of lowest rank, the leftmost among equals. The rank of each
// pair is kept so a merge only looks up its two new neighbours.
void BpeTokenizer::mergeSmall(std::vector<int>& symbols) const {
  if (symbols.size() < 2) return;
  std::vector<int> ranks(symbols.size() - 1), merged(symbols.size() - 1);
  auto lookup = [&](size_t i) {
    auto it = merges_.find(pairKey(symbols[i], symbols[i + 1]));
    if (it == merges_.end()) {
      ranks[i] = INT_MAX;
    } else {
      ranks[i] = it->second.first;
      merged[i] = it->second.second;
    }
  };
  for (size_t i = 0; i + 1 < symbols.size(); ++i) lookup(i);
  while (!ranks.empty()) {
    size_t best = 0;
    for (size_t i = 1; i < ranks.size(); ++i) {
      if (ranks[i] < ranks[best]) best = i;
    }
    if (ranks[best] == INT_MAX) break;
    symbols[best] = merged[best];
    symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(best) + 1);
    ranks.erase(ranks.begin() + static_cast<std::ptrdiff_t>(best));
    merged.erase(merged.begin() + static_cast<std::ptrdiff_t>(best));
    if (best > 0) lookup(best - 1);
    if (best < ranks.size()) lookup(best);
  }
}

// The same merges for long pre-tokens (runs of thousands of spaces or digits) in O(n log n): a
// heap of (rank, position) over a linked list of symbols, stale entries skipped when popped.
void BpeTokenizer::mergeLarge(std::vector<int>& symbols) const {
  const int n = static_cast<int>(symbols.size());
  std::vector<int> prev(n), next(n);
  std::vector<char> alive(n, 1);
  for (int i = 0; i < n; ++i) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  using Entry = std::tuple<int, int, int>;  // rank, position, merged id
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  auto push = [&](int pos) {
    if (pos < 0 || next[pos] < 0) return;
    auto it = merges_.find(pairKey(symbols[pos], symbols[next[pos]]));
    if (it != merges_.end()) heap.emplace(it->second.first, pos, it->second.second);
  };
  for (int i = 0; i + 1 < n; ++i) push(i);
  while (!heap.empty()) {
    auto [rank, pos, merged_id] = heap.top();
    heap.pop();
    if (!alive[pos] || next[pos] < 0) continue;
    auto it = merges_.find(pairKey(symbols[pos], symbols[next[pos]]));
    if (it == merges_.end() || it->second.second != merged_id) continue;  // the pair changed since
    const int right = next[pos];
    symbols[pos] = merged_id;
    alive[right] = 0;
    next[pos] = next[right];
    if (next[pos] >= 0) prev[next[pos]] = pos;
    push(prev[pos]);
    push(pos);
  }
  std::vector<int> out;
  for (int i = 0; i >= 0 && i < n; i = next[i]) out.push_back(symbols[i]);
  symbols.swap(out);
}

// ---------------------------------------------------------------------------------------------
// Decoding and lookups

std::string BpeTokenizer::decode(const std::vector<int>& ids) const {
  std::string bytes;
  for (size_t i = 0; i < ids.size(); ++i) {
    const int id = ids[i];
    if (id < 0 || id >= vocabSize() || !assigned_[id]) {
      throwInputError("id " + std::to_string(id) + " at position " + std::to_string(i) +
                      (id < 0 || id >= vocabSize()
                           ? " is outside the vocabulary [0, " + std::to_string(vocabSize()) + ")"
                           : " has no token in " + file_));
    }
    if (special_[id]) continue;
    bytes += decoded_[id];
  }
  return byte_level::utf8Lossy(bytes);
}

std::string BpeTokenizer::pieceFor(int id) const {
  if (id < 0 || id >= vocabSize() || !assigned_[id]) {
    throwInputError("token id " + std::to_string(id) + " is outside the vocabulary [0, " + std::to_string(vocabSize()) +
                    ")" + (id >= 0 && id < vocabSize() ? " (no token has it)" : ""));
  }
  return tokens_[id];
}

int BpeTokenizer::tokenId(std::string_view token) const {
  const std::string key(token);
  if (auto it = added_ids_.find(key); it != added_ids_.end()) return it->second;
  if (auto it = vocab_.find(key); it != vocab_.end()) return it->second;
  return -1;
}

bool BpeTokenizer::isSpecial(int id) const { return id >= 0 && id < vocabSize() && special_[id]; }

std::vector<std::string> BpeTokenizer::specialTokens() const {
  std::vector<std::string> out;
  for (const AddedToken& token : added_) {
    if (token.special) out.push_back(token.content);
  }
  return out;
}

}  // namespace temper
