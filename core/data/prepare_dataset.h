#pragma once
/// Turning a corpus into a prepared dataset: out_dir/train.bin, out_dir/val.bin (token ids, see
/// token_file.h) and out_dir/meta.json (dataset_meta.h).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/data/dataset_meta.h"

namespace temper {

struct PrepareOptions {
  std::filesystem::path tokenizer;  ///< a .model, a tokenizer.json, or a model folder (openTokenizer)
  /// Files and folders, as for tokenizer training (corpus_files.h): a plain text file is one
  /// document, each line of a .jsonl file is one document (its `text` field).
  std::vector<std::filesystem::path> inputs;
  std::vector<std::string> extensions;  ///< empty: `.ts,.tsx,.js,.jsx,.md,.txt,.jsonl`
  std::filesystem::path out_dir;        ///< created if needed
  /// Share of documents held out for validation, 0 to 0.5. With two or more documents val gets
  /// round(n * val_fraction) of them, at least 1 (when > 0) and at most n - 1; a single document is
  /// split instead at its token tail (its last val_fraction of tokens go to val).
  double val_fraction = 0.1;  ///< ignored when val_inputs is given
  /// Explicit validation files or folders: every document of `inputs` trains, every document of
  /// these validates (e.g. the last 10% of a corpus, cut beforehand, as nanoGPT does).
  std::vector<std::filesystem::path> val_inputs;
  uint64_t seed = 1337;  ///< which documents go to val: the same seed and corpus give the same split
  /// Called after each document with (documents done, documents total); may be empty.
  std::function<void(int64_t, int64_t)> on_progress;
};

/// Tokenizes every document, appends eos after each, and writes the split. Files are written
/// under temporary names and renamed; an old meta.json is removed first and the new one written
/// last, so a folder with a meta.json is always complete. Blocking; not for concurrent use on
/// the same out_dir.
/// Throws Error(InvalidConfig) for val_fraction outside [0, 0.5] or no out_dir, Error(Io) for
/// missing inputs / tokenizer or unwritable output, Error(InvalidInput) for an unusable corpus
/// (no documents, a bad JSONL line as "file:line: ...") or a tokenizer without eos.
DatasetMeta prepareDataset(const PrepareOptions& options);

}  // namespace temper
