#pragma once
/// Turning the inputs a person names (files and folders) into the list of text files a corpus is
/// made of. Shared by tokenizer training and dataset preparation so both see the same files.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace temper {

struct CorpusFile {
  std::filesystem::path path;
  uint64_t bytes = 0;
  bool jsonl = false;  ///< a .jsonl file: one JSON object per line, its `text` field is the text
};

struct CorpusFiles {
  std::vector<CorpusFile> files;  ///< in input order; a folder's files sorted by path
  int64_t skipped_binary = 0;     ///< a NUL byte in the first 8 KiB
  int64_t skipped_not_utf8 = 0;
  int64_t skipped_extension = 0;
  int64_t skipped_empty = 0;
  uint64_t bytes = 0;  ///< total size of `files`
};

/// `.ts,.tsx,.js,.jsx,.md,.txt,.jsonl`.
const std::vector<std::string>& defaultCorpusExtensions();

/// Lower-cases and adds the leading dot ("TS" → ".ts"); empty → the defaults. "*" matches any file.
std::vector<std::string> normalizeExtensions(const std::vector<std::string>& extensions);

/// "a.ts" has one of `extensions` (already normalized)? Case-insensitive.
bool hasCorpusExtension(const std::filesystem::path& path, const std::vector<std::string>& extensions);

/// Walks `inputs`. A folder is searched recursively (not following links to folders, skipping
/// hidden folders and node_modules) for files with one of `extensions`; binary, non-UTF-8 and
/// empty files found there are skipped and counted. A file named explicitly is taken whatever its
/// extension, and must be non-empty UTF-8 text.
///
/// Throws Error(InvalidConfig) when `inputs` is empty; Error(Io) naming a path that does not
/// exist; Error(InvalidInput) for an explicitly named file that is empty, binary or not UTF-8
/// (with the byte offset), or a folder in which no usable file was found (naming the extensions
/// searched and what was skipped). Reads every file once, so it costs a pass over the corpus.
CorpusFiles collectCorpusFiles(const std::vector<std::filesystem::path>& inputs,
                               const std::vector<std::string>& extensions);

/// "3 binary, 1 not UTF-8, 12 with other extensions" (or "nothing") for messages.
std::string describeSkipped(const CorpusFiles& files);

}  // namespace temper
