#pragma once
/// The tokenizer seen by the rest of Temper: text in, ids out, and back.
///
/// Today every tokenizer is a SentencePiece model reached through the shim (spm_loader.h); the
/// interface is what data/, train/ and engine/ depend on, so other kinds (byte-level BPE from a
/// Hugging Face tokenizer.json) can join without touching them.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace temper {

/// Immutable once loaded. encode/decode/pieceFor may be called from many threads at once.
class Tokenizer {
 public:
  virtual ~Tokenizer();

  /// Ids of `text` (UTF-8), without bos/eos: callers add those where their format needs them.
  virtual std::vector<int> encode(std::string_view text) const = 0;
  /// Text of `ids`. Control ids (pad/bos/eos) decode to nothing. Throws Error(InvalidInput)
  /// naming the position of an id outside [0, vocabSize()).
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
};

/// The model file behind `path`: `path` itself when it is a file, `path/tokenizer.model` when it
/// is a folder. Throws Error(Io) naming the path when neither exists.
std::filesystem::path resolveTokenizerModelPath(const std::filesystem::path& path);

/// Loads a SentencePiece .model file, or a folder containing tokenizer.model. Throws Error(Io) for
/// a missing path or an absent shim, Error(InvalidInput) naming the file when it is corrupt or
/// truncated. The caller owns the result.
std::unique_ptr<Tokenizer> loadTokenizer(const std::filesystem::path& path);

}  // namespace temper
