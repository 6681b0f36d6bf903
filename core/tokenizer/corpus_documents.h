#pragma once
/// What a corpus file contributes as documents: a plain text file is one document; a .jsonl file
/// is one document per line, its `text` field. Shared by tokenizer training and data preparation.
#include <cstdint>
#include <functional>
#include <string_view>

#include "core/tokenizer/corpus_files.h"

namespace temper {

/// Calls `on_document` with each non-empty document of `file`, in order. The view is valid only
/// during the call. Throws Error(Io) when the file cannot be read and Error(InvalidInput) for a
/// bad JSONL line, as "path:line: field `text` is missing" (lines count from 1). Blank JSONL lines
/// are skipped. Returns the number of documents delivered.
int64_t forEachDocument(const CorpusFile& file, const std::function<void(std::string_view)>& on_document);

}  // namespace temper
