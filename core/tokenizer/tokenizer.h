#pragma once
/// The tokenizer seen by the rest of Temper: text in, ids out, and back.
///
/// Two kinds sit behind it: SentencePiece models reached through the shim (spm_loader.h), and
/// byte-level BPE read from a Hugging Face tokenizer.json (bpe_tokenizer.h). openTokenizer
/// (tokenizer_open.h) picks one for a file or a model folder; data/, train/ and engine/ only see
/// this interface.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace temper {

/// Ids of a text with, for each id, the byte range [first, second) of the text it stands for.
/// Ranges follow the text's order and do not overlap, except that every token of a piece the
/// tokenizer's normalizer changed (e.g. NFC) gets the whole piece; a token that stands for no input
/// byte (a space the tokenizer inserted) has an empty range where it was inserted.
struct EncodedText {
  std::vector<int> ids;
  std::vector<std::pair<size_t, size_t>> offsets;
};

/// Immutable once loaded. Every method may be called from many threads at once.
class Tokenizer {
 public:
  virtual ~Tokenizer();

  /// Ids of `text` (UTF-8), without bos/eos: callers add those where their format needs them
  /// (prefixIds/suffixIds say what the model's own files add). Special tokens written in the text
  /// become their ids, as in Hugging Face, for a tokenizer.json ("<|im_start|>") and for a
  /// SentencePiece model opened from a folder with tokenizer_config.json ("<s>"); a bare .model
  /// encodes them as text. Throws Error(InvalidInput) when `text` is not valid UTF-8 (byte-level BPE).
  virtual std::vector<int> encode(std::string_view text) const = 0;
  /// encode() with the byte range of `text` behind each id (for loss masks on parts of a text).
  virtual EncodedText encodeWithOffsets(std::string_view text) const = 0;
  /// Text of `ids`. Control ids (pad/bos/eos, a tokenizer.json's special added tokens) decode to
  /// nothing. Byte-level BPE ids may end inside a UTF-8 character: such bytes become U+FFFD, as in
  /// Hugging Face (decode whole sequences, not ids one by one, when streaming). Throws
  /// Error(InvalidInput) naming the position of an id outside [0, vocabSize()).
  virtual std::string decode(const std::vector<int>& ids) const = 0;

  virtual int vocabSize() const = 0;
  /// -1 when the model has no such token. Models trained by Temper use pad=0, unk=1, bos=2, eos=3.
  virtual int bosId() const = 0;
  virtual int eosId() const = 0;
  virtual int padId() const = 0;
  virtual int unkId() const = 0;
  /// The piece of `id` as stored in the model (SentencePiece writes a space as U+2581 "▁" and a
  /// fallback byte as "<0x41>"). Throws Error(InvalidInput) when `id` is out of range.
  virtual std::string pieceFor(int id) const = 0;
  /// The id of a token given by its exact text ("<|eot_id|>", "</s>", "Ġthe"), or -1.
  virtual int tokenId(std::string_view token) const = 0;

  /// Ids that end generation: eosId() first, then any other end ids the model folder lists (Llama 3
  /// instruct's generation_config has [128001, 128009]). Empty when the model has no eos.
  virtual std::vector<int> stopIds() const;
  /// Ids the model's files put before / after one text when asked to "add special tokens"
  /// (Hugging Face's post-processor or add_bos_token; Llama 3: {<|begin_of_text|>}, GPT-2: none).
  virtual std::vector<int> prefixIds() const { return {}; }
  virtual std::vector<int> suffixIds() const { return {}; }
  /// prefixIds() + encode(text) + suffixIds().
  std::vector<int> encodeWithSpecialTokens(std::string_view text) const;

  /// "sentencepiece" or "byte-level-bpe" (for reports and run records).
  virtual std::string kind() const = 0;
};

/// The model file behind `path`: `path` itself when it is a file, `path/tokenizer.model` when it
/// is a folder. Throws Error(Io) naming the path when neither exists.
std::filesystem::path resolveTokenizerModelPath(const std::filesystem::path& path);

/// Loads a SentencePiece .model file, or a folder containing tokenizer.model. Throws Error(Io) for
/// a missing path or an absent shim, Error(InvalidInput) naming the file when it is corrupt or
/// truncated. The caller owns the result. For tokenizer.json files and Hugging Face model folders
/// use openTokenizer (tokenizer_open.h), which accepts everything this does.
std::unique_ptr<Tokenizer> loadTokenizer(const std::filesystem::path& path);

}  // namespace temper
