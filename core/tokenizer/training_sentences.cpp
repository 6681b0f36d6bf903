#include "core/tokenizer/training_sentences.h"

#include "core/tokenizer/corpus_documents.h"

namespace temper {
namespace {

// Longest prefix of `text` of at most `limit` bytes that does not end inside a UTF-8 sequence.
size_t utf8Cut(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text.size();
  size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return cut == 0 ? limit : cut;
}

}  // namespace

void splitIntoSentences(std::string_view document, std::vector<std::string>& out) {
  std::string current;
  auto flush = [&] {
    if (!current.empty()) out.push_back(std::move(current));
    current.clear();
  };
  size_t start = 0;
  while (start < document.size()) {
    size_t end = document.find('\n', start);
    end = end == std::string_view::npos ? document.size() : end + 1;
    std::string_view line = document.substr(start, end - start);
    start = end;
    if (current.size() + line.size() > TrainingSentences::kTargetSentenceBytes) flush();
    while (line.size() > TrainingSentences::kMaxSentenceBytes) {
      size_t cut = utf8Cut(line, TrainingSentences::kMaxSentenceBytes);
      out.emplace_back(line.substr(0, cut));
      line.remove_prefix(cut);
    }
    current.append(line);
  }
  flush();
}

void TrainingSentences::loadNextFile() {
  pending_.clear();
  next_pending_ = 0;
  const CorpusFile& file = files_[next_file_++];
  documents_ += forEachDocument(file, [&](std::string_view document) {
    bytes_ += static_cast<int64_t>(document.size());
    splitIntoSentences(document, pending_);
  });
}

bool TrainingSentences::next(std::string_view* sentence) {
  while (next_pending_ >= pending_.size()) {
    if (next_file_ >= files_.size()) return false;
    loadNextFile();
  }
  *sentence = pending_[next_pending_++];
  return true;
}

int TrainingSentences::nextForShim(void* self, const char** text, size_t* len) {
  auto* sentences = static_cast<TrainingSentences*>(self);
  try {
    std::string_view sentence;
    if (!sentences->next(&sentence)) return 0;
    *text = sentence.data();
    *len = sentence.size();
    return 1;
  } catch (...) {
    sentences->error_ = std::current_exception();
    return -1;
  }
}

void TrainingSentences::rethrowError() const {
  if (error_) std::rethrow_exception(error_);
}

}  // namespace temper
