#pragma once
/// One entry point for every tokenizer Temper reads: a SentencePiece `.model`, a Hugging Face
/// `tokenizer.json` (byte-level BPE), or a model folder holding either, together with the special
/// ids that folder declares.
#include <filesystem>
#include <memory>

#include "core/tokenizer/tokenizer.h"

namespace temper {

/// The tokenizer file behind `path`: `path` itself when it is a file; for a folder,
/// `tokenizer.model` when present (SentencePiece is preferred: Llama 2, Mistral and TinyLlama ship
/// both and the .model is the original), else `tokenizer.json`. Throws Error(Io) naming the path
/// when there is no such file or the folder has neither.
std::filesystem::path resolveTokenizerFile(const std::filesystem::path& path);

/// Opens the tokenizer at `path` (see resolveTokenizerFile). A file ending in `.json` is read as a
/// tokenizer.json (BpeTokenizer), any other file as a SentencePiece model.
///
/// When the file is a folder's `tokenizer.model` or `tokenizer.json`, the folder's
/// tokenizer_config.json, generation_config.json and config.json (each optional) set the special
/// ids, first found wins:
///   bos  tokenizer_config `bos_token` > generation_config `bos_token_id` > config `bos_token_id`
///   eos  tokenizer_config `eos_token` > generation_config `eos_token_id` > config `eos_token_id`
///   pad  tokenizer_config `pad_token` > generation_config `pad_token_id` > config `pad_token_id`
///   unk  tokenizer_config `unk_token`
/// (tokens may be strings or {"content": ...}; an `*_token_id` may be a list, whose first id is
/// the eos). stopIds() is eos followed by every other id in those `eos_token_id` lists. Where none
/// says, the tokenizer's own value stays (-1 for a tokenizer.json: a model may have no pad).
/// prefixIds()/suffixIds(): a tokenizer.json's post-processor; a SentencePiece model in a folder
/// with tokenizer_config.json gets [bos] when `add_bos_token` (default true) and [eos] when
/// `add_eos_token` (default false), as transformers' LlamaTokenizer does, and its encode() cuts
/// the text at the special tokens the config names (bos/eos/unk/pad and `added_tokens_decoder`)
/// so "<s>" written in a chat template becomes the bos id.
///
/// Throws Error(Io) for missing files, Error(InvalidInput) naming the file and field for a
/// malformed or unsupported file, or a special token or id the vocabulary does not have.
std::unique_ptr<Tokenizer> openTokenizer(const std::filesystem::path& path);

}  // namespace temper
