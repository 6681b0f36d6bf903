#include "core/data/prepare_dataset.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <sstream>

#include "core/common/error.h"
#include "core/common/hashing.h"
#include "core/data/splitmix.h"
#include "core/data/token_writer.h"
#include "core/tokenizer/corpus_documents.h"
#include "core/tokenizer/corpus_files.h"
#include "core/tokenizer/tokenizer.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {
namespace {

void validate(const PrepareOptions& options) {
  if (!(options.val_fraction >= 0.0 && options.val_fraction <= 0.5)) {
    std::ostringstream value;
    value << options.val_fraction;
    throwConfigError("val_fraction " + value.str() + " is out of range; use 0 to 0.5");
  }
  if (options.out_dir.empty()) throwConfigError("no output folder for the prepared dataset");
}

int64_t countDocuments(const CorpusFiles& corpus) {
  int64_t total = 0;
  for (const auto& file : corpus.files) {
    // A plain file is one document (collectCorpusFiles skipped the empty ones); JSONL must be read,
    // which also finds a bad line before anything is written.
    total += file.jsonl ? forEachDocument(file, [](std::string_view) {}) : 1;
  }
  return total;
}

// Which documents go to val: a partial Fisher-Yates shuffle driven by (seed, step), so the choice
// is the same on every platform.
std::vector<bool> chooseValDocuments(int64_t documents, double val_fraction, uint64_t seed) {
  std::vector<bool> is_val(static_cast<size_t>(documents), false);
  if (documents < 2 || val_fraction <= 0.0) return is_val;
  auto wanted = static_cast<int64_t>(std::llround(static_cast<double>(documents) * val_fraction));
  wanted = std::clamp<int64_t>(wanted, 1, documents - 1);
  std::vector<int64_t> order(static_cast<size_t>(documents));
  std::iota(order.begin(), order.end(), 0);
  for (int64_t i = 0; i < wanted; ++i) {
    auto remaining = static_cast<uint64_t>(documents - i);
    auto pick = i + static_cast<int64_t>(boundedFromHash(counterHash(seed, static_cast<uint64_t>(i)), remaining));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(pick)]);
    is_val[static_cast<size_t>(order[static_cast<size_t>(i)])] = true;
  }
  return is_val;
}

// The lone document of a one-document corpus: its head trains, its tail validates. The head gets
// no eos (the document does not end there); the tail does.
void splitSingleDocument(const std::vector<int>& ids, int eos_id, double val_fraction, TokenWriter& train,
                         TokenWriter& val, DatasetMeta& meta) {
  const auto count = static_cast<int64_t>(ids.size());
  int64_t val_count = 0;
  if (val_fraction > 0.0 && count >= 2) {
    val_count = std::clamp<int64_t>(std::llround(static_cast<double>(count) * val_fraction), 1, count - 1);
  }
  std::span<const int> all(ids);
  train.append(all.first(static_cast<size_t>(count - val_count)));
  meta.train_documents = 1;
  if (val_count == 0) {
    train.append(eos_id);
    return;
  }
  val.append(all.last(static_cast<size_t>(val_count)));
  val.append(eos_id);
  meta.val_documents = 1;
}

}  // namespace

DatasetMeta prepareDataset(const PrepareOptions& options) {
  validate(options);
  // A .model, a tokenizer.json or a model folder; the file behind it is what meta.json pins.
  const auto model_path = std::filesystem::absolute(resolveTokenizerFile(options.tokenizer));
  std::unique_ptr<Tokenizer> tokenizer = openTokenizer(options.tokenizer);
  if (tokenizer->eosId() < 0) {
    throwInputError(model_path.string() + ": the tokenizer has no eos token, which separates documents");
  }
  CorpusFiles corpus = collectCorpusFiles(options.inputs, options.extensions);
  const int64_t documents = countDocuments(corpus);
  if (documents == 0) throwInputError("the corpus has no documents: every `text` field is empty");

  DatasetMeta meta;
  meta.tokenizer_path = model_path.string();
  meta.tokenizer_sha256 = sha256FileHex(model_path);
  meta.vocab_size = tokenizer->vocabSize();
  meta.eos_id = tokenizer->eosId();
  meta.dtype = dtypeForVocab(meta.vocab_size);

  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) throwIoError("cannot create folder " + options.out_dir.string() + ": " + ec.message());
  // Until the new meta.json lands, the folder must not look like a finished dataset.
  std::filesystem::remove(options.out_dir / "meta.json", ec);
  if (ec) throwIoError("cannot remove the old " + (options.out_dir / "meta.json").string() + ": " + ec.message());

  const int width = bytesPerToken(meta.dtype);
  TokenWriter train(options.out_dir / "train.bin", width);
  TokenWriter val(options.out_dir / "val.bin", width);
  const bool explicit_val = !options.val_inputs.empty();
  const std::vector<bool> is_val =
      chooseValDocuments(documents, explicit_val ? 0.0 : options.val_fraction, options.seed);

  int64_t index = 0;
  for (const auto& file : corpus.files) {
    forEachDocument(file, [&](std::string_view text) {
      if (index >= documents) throwIoError("the corpus grew while it was being prepared; run again");
      std::vector<int> ids = tokenizer->encode(text);
      meta.bytes += static_cast<int64_t>(text.size());
      if (documents == 1 && !explicit_val) {
        splitSingleDocument(ids, meta.eos_id, options.val_fraction, train, val, meta);
      } else {
        TokenWriter& target = is_val[static_cast<size_t>(index)] ? val : train;
        target.append(ids);
        target.append(meta.eos_id);
        ++(is_val[static_cast<size_t>(index)] ? meta.val_documents : meta.train_documents);
      }
      ++index;
      if (options.on_progress) options.on_progress(index, documents);
    });
  }
  if (index != documents) {
    throwIoError("the corpus shrank while it was being prepared (" + std::to_string(documents) + " documents, then " +
                 std::to_string(index) + "); run again");
  }
  if (explicit_val) {
    CorpusFiles val_corpus = collectCorpusFiles(options.val_inputs, options.extensions);
    for (const auto& file : val_corpus.files) {
      forEachDocument(file, [&](std::string_view text) {
        val.append(tokenizer->encode(text));
        val.append(meta.eos_id);
        meta.bytes += static_cast<int64_t>(text.size());
        ++meta.val_documents;
      });
    }
    if (meta.val_documents == 0) throwInputError("the validation inputs hold no documents");
  }
  meta.train_tokens = train.tokens();
  meta.val_tokens = val.tokens();
  train.commit();
  val.commit();
  writeDatasetMeta(options.out_dir, meta);
  return meta;
}

}  // namespace temper
