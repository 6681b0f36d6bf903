#include "core/tokenizer/tokenizer_trainer.h"

#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "core/common/error.h"
#include "core/common/json_io.h"
#include "core/common/text_utils.h"
#include "core/tokenizer/corpus_files.h"
#include "core/tokenizer/spm_loader.h"
#include "core/tokenizer/spm_tokenizer.h"
#include "core/tokenizer/training_sentences.h"

namespace temper {
namespace {

constexpr int kSpecialTokens = 4;    // pad, unk, bos, eos
constexpr int kFallbackBytes = 256;  // <0x00> .. <0xFF>
constexpr int kMaxVocabSize = 1 << 21;

void validate(const TokenizerTrainOptions& options) {
  if (options.model_type != "bpe" && options.model_type != "unigram" && options.model_type != "char") {
    throwConfigError("model_type `" + options.model_type + "` is not supported; use bpe, unigram or char");
  }
  if (options.vocab_size <= kSpecialTokens || options.vocab_size > kMaxVocabSize) {
    throwConfigError("vocab_size " + std::to_string(options.vocab_size) + " is out of range; use " +
                     std::to_string(kSpecialTokens + 1) + " to " + std::to_string(kMaxVocabSize));
  }
  if (options.threads < 0) throwConfigError("threads must be 0 (all) or more, got " + std::to_string(options.threads));
  if (options.out.empty()) throwConfigError("no output path for the tokenizer model");
}

std::filesystem::path resolveOutputPath(const std::filesystem::path& out) {
  std::error_code ec;
  bool is_folder = std::filesystem::is_directory(out, ec) || out.extension() != ".model";
  std::filesystem::path model_path = is_folder ? out / "tokenizer.model" : out;
  std::filesystem::create_directories(model_path.parent_path().empty() ? "." : model_path.parent_path(), ec);
  if (ec) throwIoError("cannot create folder " + model_path.parent_path().string() + ": " + ec.message());
  return model_path;
}

std::vector<std::pair<std::string, std::string>> trainerFlags(const TokenizerTrainOptions& options) {
  const bool is_char = options.model_type == "char";
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  std::vector<std::pair<std::string, std::string>> flags = {
      {"model_type", options.model_type},
      {"vocab_size", std::to_string(options.vocab_size)},
      {"pad_id", "0"},
      {"unk_id", "1"},
      {"bos_id", "2"},
      {"eos_id", "3"},
      {"pad_piece", "<pad>"},
      {"unk_piece", "<unk>"},
      {"bos_piece", "<s>"},
      {"eos_piece", "</s>"},
      // Code must survive a round trip: no NFKC (it rewrites characters), no whitespace folding,
      // no invisible leading space.
      {"normalization_rule_name", "identity"},
      {"remove_extra_whitespaces", "false"},
      {"add_dummy_prefix", "false"},
      {"allow_whitespace_only_pieces", "true"},
      {"split_digits", "true"},
      {"byte_fallback", is_char ? "false" : "true"},
      // A char model is its characters; others leave the rarest to byte fallback.
      {"character_coverage", is_char ? "1.0" : "0.9995"},
      // For char the size is an upper bound; for the others an exact size (the error tells the max).
      {"hard_vocab_limit", is_char ? "false" : "true"},
      {"max_sentence_length", std::to_string(2 * TrainingSentences::kMaxSentenceBytes)},
      // About 1 GB of sentences is sampled at most; SentencePiece keeps them all in memory.
      {"input_sentence_size", "500000"},
      {"shuffle_input_sentence", "true"},
      {"num_threads", std::to_string(threads > 0 ? threads : 1)},
      {"minloglevel", "2"},
  };
  // SentencePiece's trainer reserves the tab for its own bookkeeping and never learns it as a
  // piece; bpe/unigram cover it by byte fallback, a char model needs it declared (id 4).
  if (is_char) flags.emplace_back("user_defined_symbols", "\t");
  return flags;
}

std::string describeCorpus(const TokenizerTrainOptions& options, int64_t bytes) {
  std::string names;
  for (size_t i = 0; i < options.inputs.size() && i < 3; ++i) names += (i ? ", " : "") + options.inputs[i].string();
  if (options.inputs.size() > 3) names += ", ...";
  return "the corpus (" + names + ", " + humanBytes(static_cast<uint64_t>(bytes)) + " of text)";
}

// The first run of digits after `marker` in `message`, or -1. (Not std::regex: GCC 12 warns
// inside its headers under the sanitizer flags.)
long long numberAfter(const std::string& message, const std::string& marker) {
  size_t at = message.find(marker);
  if (at == std::string::npos) return -1;
  at = message.find_first_of("0123456789", at + marker.size());
  if (at == std::string::npos) return -1;
  return std::stoll(message.substr(at, message.find_first_not_of("0123456789", at) - at));
}

// SentencePiece's own wording names its internal flags and source lines; say what to do instead.
// Its messages: "Vocabulary size too high (5000). Please set it to a value <= 2191." and
// "Vocabulary size is smaller than required_chars. 100 vs 331. ..."
[[noreturn]] void rephraseTrainingError(const std::string& message, const TokenizerTrainOptions& options,
                                        int64_t bytes) {
  const std::string requested = std::to_string(options.vocab_size);
  if (long long most = numberAfter(message, "Please set it to a value <="); most >= 0) {
    throwConfigError("vocab_size " + requested + " is too large for " + describeCorpus(options, bytes) + ": a " +
                     options.model_type + " model can have at most " + std::to_string(most) +
                     " pieces from it; use vocab_size " + std::to_string(most) + " or less, or add more text");
  }
  if (long long needed = numberAfter(message, "smaller than required_chars. " + requested + " vs"); needed >= 0) {
    long long characters = needed - kSpecialTokens - (options.model_type == "char" ? 0 : kFallbackBytes);
    throwConfigError("vocab_size " + requested + " is too small for " + describeCorpus(options, bytes) +
                     ": it needs at least " + std::to_string(needed) + " (" + std::to_string(kSpecialTokens) +
                     " special tokens, " + std::to_string(kFallbackBytes) + " byte-fallback pieces and " +
                     std::to_string(characters) + " distinct characters)");
  }
  throw Error(ErrorKind::Internal,
              "SentencePiece training failed on " + describeCorpus(options, bytes) + ": " + message);
}

}  // namespace

TokenizerTrainReport trainTokenizer(const TokenizerTrainOptions& options) {
  validate(options);
  CorpusFiles corpus = collectCorpusFiles(options.inputs, options.extensions);
  const std::filesystem::path model_path = resolveOutputPath(options.out);
  const SpmApi& api = spmApi();

  std::vector<std::string> keys, values;
  for (auto& [key, value] : trainerFlags(options)) {
    keys.push_back(key);
    values.push_back(value);
  }
  std::vector<const char*> key_ptrs, value_ptrs;
  for (size_t i = 0; i < keys.size(); ++i) {
    key_ptrs.push_back(keys[i].c_str());
    value_ptrs.push_back(values[i].c_str());
  }

  TrainingSentences sentences(corpus.files);
  char* model_bytes = nullptr;
  size_t model_len = 0;
  char err[2048] = {};
  int status = api.train(key_ptrs.data(), value_ptrs.data(), key_ptrs.size(), &TrainingSentences::nextForShim,
                         &sentences, &model_bytes, &model_len, err, sizeof err);
  sentences.rethrowError();  // a corpus error (bad JSONL line) explains more than SentencePiece's
  if (status != 0) {
    if (sentences.documents() == 0) throwInputError(describeCorpus(options, 0) + " has no text to train on");
    rephraseTrainingError(err, options, sentences.bytes());
  }
  std::string serialized(model_bytes, model_len);
  api.free_buffer(model_bytes);

  // Load before writing: the report's vocab size comes from the model itself, and a model that
  // cannot be loaded never reaches its final name.
  auto trained = SpmTokenizer::fromBytes(serialized, "the model just trained");
  writeFileAtomic(model_path, serialized);

  TokenizerTrainReport report;
  report.files_used = static_cast<int64_t>(corpus.files.size());
  report.files_skipped_binary = corpus.skipped_binary;
  report.files_skipped_not_utf8 = corpus.skipped_not_utf8;
  report.files_skipped_extension = corpus.skipped_extension;
  report.files_skipped_empty = corpus.skipped_empty;
  report.bytes = sentences.bytes();
  report.vocab_size = trained->vocabSize();
  report.model_path = model_path;
  return report;
}

}  // namespace temper
