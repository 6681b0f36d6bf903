#pragma once
/// Training a SentencePiece tokenizer on a person's own files.
///
/// Models trained here are made for code as much as prose: identity normalization, whitespace
/// kept as written and no dummy prefix, so decode(encode(x)) == x for any UTF-8 `x`; byte fallback
/// (bpe, unigram) so no input ever becomes <unk>; digits split one per piece; runs of spaces
/// may form pieces (indentation). Special ids are fixed: pad=0, unk=1, bos=2 ("<s>"), eos=3 ("</s>").
/// bpe/unigram then have the 256 byte pieces "<0x00>".."<0xFF>" at ids 4..259; char has the tab at
/// id 4 (SentencePiece cannot learn it) and no byte fallback: a character the corpus never had is <unk>.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace temper {

struct TokenizerTrainOptions {
  /// Files and folders. Folders are searched recursively for `extensions`; a file named here is
  /// used whatever its extension. .jsonl files contribute the `text` field of each line.
  std::vector<std::filesystem::path> inputs;
  /// Empty means `.ts,.tsx,.js,.jsx,.md,.txt,.jsonl`; "md" and ".md" both work; "*" means any.
  std::vector<std::string> extensions;
  /// For bpe and unigram the exact size (an error says the largest the corpus allows when it is
  /// too large). For char an upper bound: the corpus's distinct characters decide.
  int vocab_size = 8000;
  std::string model_type = "bpe";  ///< bpe | unigram | char
  /// The .model file to write, or a folder (existing, or a path not ending in .model) that gets
  /// tokenizer.model. Parent folders are created. Written atomically.
  std::filesystem::path out;
  int threads = 0;  ///< 0 = all hardware threads
};

struct TokenizerTrainReport {
  int64_t files_used = 0;
  int64_t files_skipped_binary = 0;
  int64_t files_skipped_not_utf8 = 0;
  int64_t files_skipped_extension = 0;
  int64_t files_skipped_empty = 0;
  int64_t bytes = 0;   ///< bytes of text trained on (for .jsonl, the `text` fields only)
  int vocab_size = 0;  ///< of the model written (for char, what the corpus decided)
  std::filesystem::path model_path;
};

/// Trains and writes the model. Blocking; safe to call from any thread, but SentencePiece's
/// trainer keeps global state, so run one training per process at a time.
/// Throws Error(InvalidConfig) for a bad option (unknown model_type, vocab_size out of what the
/// corpus supports, with the limit), Error(Io) for missing inputs or an unwritable output, and
/// Error(InvalidInput) for unusable corpus files (see collectCorpusFiles, forEachDocument).
TokenizerTrainReport trainTokenizer(const TokenizerTrainOptions& options);

}  // namespace temper
