// libtemper_spm_shim.so: SentencePiece behind a C interface (see spm_shim_api.h for why).
// Every entry point catches everything: an exception must never unwind into the C caller.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/tokenizer/spm_shim_api.h"

#define TEMPER_SPM_EXPORT extern "C" __attribute__((visibility("default")))

struct TemperSpmModel {
  sentencepiece::SentencePieceProcessor processor;
};

namespace {

void setError(char* err, size_t err_len, const std::string& message) {
  if (err == nullptr || err_len == 0) return;
  std::snprintf(err, err_len, "%s", message.c_str());
}

// malloc'd copy, so the caller can free it through temper_spm_free_buffer from any module.
template <typename T>
T* mallocCopy(const T* data, size_t count, size_t extra = 0) {
  auto* out = static_cast<T*>(std::malloc((count + extra) * sizeof(T)));
  if (out == nullptr) throw std::bad_alloc();
  if (count > 0) std::memcpy(out, data, count * sizeof(T));
  return out;
}

TemperSpmModel* finishLoad(std::unique_ptr<TemperSpmModel> model, const sentencepiece::util::Status& status,
                           const std::string& what, char* err, size_t err_len) {
  if (!status.ok()) {
    setError(err, err_len, what + ": " + status.ToString());
    return nullptr;
  }
  if (model->processor.GetPieceSize() <= 0) {
    setError(err, err_len, what + ": the model has no pieces");
    return nullptr;
  }
  return model.release();
}

// Adapts the C callback to SentencePiece's pull-style iterator.
class CallbackSentenceIterator : public sentencepiece::SentenceIterator {
 public:
  CallbackSentenceIterator(TemperSpmNextSentence next, void* user) : next_(next), user_(user) { Next(); }
  bool done() const override { return done_; }
  void Next() override {
    const char* text = nullptr;
    size_t len = 0;
    int result = next_(user_, &text, &len);
    if (result == 1) {
      value_.assign(text, len);
      return;
    }
    done_ = true;
    if (result < 0) {
      status_ =
          sentencepiece::util::Status(sentencepiece::util::StatusCode::kAborted, "reading the training corpus failed");
    }
  }
  const std::string& value() const override { return value_; }
  sentencepiece::util::Status status() const override { return status_; }

 private:
  TemperSpmNextSentence next_;
  void* user_;
  std::string value_;
  bool done_ = false;
  sentencepiece::util::Status status_;
};

}  // namespace

TEMPER_SPM_EXPORT int temper_spm_abi_version(void) { return TEMPER_SPM_ABI_VERSION; }

TEMPER_SPM_EXPORT TemperSpmModel* temper_spm_load_file(const char* path, char* err, size_t err_len) {
  try {
    auto model = std::make_unique<TemperSpmModel>();
    auto status = model->processor.Load(path);
    return finishLoad(std::move(model), status, path, err, err_len);
  } catch (const std::exception& e) {
    setError(err, err_len, std::string(path) + ": " + e.what());
  } catch (...) {
    setError(err, err_len, std::string(path) + ": unknown failure while loading");
  }
  return nullptr;
}

TEMPER_SPM_EXPORT TemperSpmModel* temper_spm_load_bytes(const char* data, size_t len, char* err, size_t err_len) {
  try {
    auto model = std::make_unique<TemperSpmModel>();
    auto status = model->processor.LoadFromSerializedProto(std::string_view(data, len));
    return finishLoad(std::move(model), status, "serialized model", err, err_len);
  } catch (const std::exception& e) {
    setError(err, err_len, e.what());
  } catch (...) {
    setError(err, err_len, "unknown failure while loading a serialized model");
  }
  return nullptr;
}

TEMPER_SPM_EXPORT void temper_spm_free(TemperSpmModel* model) { delete model; }

TEMPER_SPM_EXPORT int temper_spm_vocab_size(const TemperSpmModel* model) { return model->processor.GetPieceSize(); }
TEMPER_SPM_EXPORT int temper_spm_bos_id(const TemperSpmModel* model) { return model->processor.bos_id(); }
TEMPER_SPM_EXPORT int temper_spm_eos_id(const TemperSpmModel* model) { return model->processor.eos_id(); }
TEMPER_SPM_EXPORT int temper_spm_pad_id(const TemperSpmModel* model) { return model->processor.pad_id(); }
TEMPER_SPM_EXPORT int temper_spm_unk_id(const TemperSpmModel* model) { return model->processor.unk_id(); }

TEMPER_SPM_EXPORT const char* temper_spm_piece(const TemperSpmModel* model, int id, size_t* len) {
  // SentencePiece does not range-check IdToPiece; an out-of-range id would read past its table.
  if (id < 0 || id >= model->processor.GetPieceSize()) return nullptr;
  const std::string& piece = model->processor.IdToPiece(id);
  if (len != nullptr) *len = piece.size();
  return piece.c_str();
}

TEMPER_SPM_EXPORT int temper_spm_encode(const TemperSpmModel* model, const char* text, size_t len, int** ids_out,
                                        size_t* count_out, char* err, size_t err_len) {
  try {
    std::vector<int> ids;
    auto status = model->processor.Encode(std::string_view(text, len), &ids);
    if (!status.ok()) {
      setError(err, err_len, status.ToString());
      return 1;
    }
    *ids_out = ids.empty() ? nullptr : mallocCopy(ids.data(), ids.size());
    *count_out = ids.size();
    return 0;
  } catch (const std::exception& e) {
    setError(err, err_len, e.what());
  } catch (...) {
    setError(err, err_len, "unknown failure while encoding");
  }
  return 1;
}

TEMPER_SPM_EXPORT int temper_spm_encode_offsets(const TemperSpmModel* model, const char* text, size_t len,
                                                int** ids_out, size_t** begins_out, size_t** ends_out,
                                                size_t* count_out, char* err, size_t err_len) {
  try {
    sentencepiece::ImmutableSentencePieceText spt;
    auto status = model->processor.Encode(std::string_view(text, len), spt.mutable_proto());
    if (!status.ok()) {
      setError(err, err_len, status.ToString());
      return 1;
    }
    const size_t count = spt.pieces_size();
    std::vector<int> ids(count);
    std::vector<size_t> begins(count), ends(count);
    for (size_t i = 0; i < count; ++i) {
      auto piece = spt.pieces(static_cast<int>(i));
      ids[i] = static_cast<int>(piece.id());
      begins[i] = piece.begin();
      ends[i] = piece.end();
    }
    *ids_out = count == 0 ? nullptr : mallocCopy(ids.data(), count);
    *begins_out = count == 0 ? nullptr : mallocCopy(begins.data(), count);
    *ends_out = count == 0 ? nullptr : mallocCopy(ends.data(), count);
    *count_out = count;
    return 0;
  } catch (const std::exception& e) {
    setError(err, err_len, e.what());
  } catch (...) {
    setError(err, err_len, "unknown failure while encoding");
  }
  return 1;
}

TEMPER_SPM_EXPORT int temper_spm_piece_to_id(const TemperSpmModel* model, const char* piece, size_t len) {
  try {
    const std::string_view wanted(piece, len);
    const int id = model->processor.PieceToId(wanted);
    // PieceToId answers unk_id for unknown pieces; only the unk piece itself really has that id.
    if (id < 0 || id >= model->processor.GetPieceSize() || model->processor.IdToPiece(id) != wanted) return -1;
    return id;
  } catch (...) {
    return -1;
  }
}

TEMPER_SPM_EXPORT int temper_spm_decode(const TemperSpmModel* model, const int* ids, size_t count, char** text_out,
                                        size_t* len_out, char* err, size_t err_len) {
  try {
    const int vocab = model->processor.GetPieceSize();
    for (size_t i = 0; i < count; ++i) {
      if (ids[i] < 0 || ids[i] >= vocab) {
        setError(err, err_len,
                 "id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
                     " is outside the vocabulary [0, " + std::to_string(vocab) + ")");
        return 1;
      }
    }
    std::string text;
    auto status = model->processor.Decode(std::vector<int>(ids, ids + count), &text);
    if (!status.ok()) {
      setError(err, err_len, status.ToString());
      return 1;
    }
    char* out = mallocCopy(text.data(), text.size(), 1);
    out[text.size()] = '\0';
    *text_out = out;
    *len_out = text.size();
    return 0;
  } catch (const std::exception& e) {
    setError(err, err_len, e.what());
  } catch (...) {
    setError(err, err_len, "unknown failure while decoding");
  }
  return 1;
}

TEMPER_SPM_EXPORT int temper_spm_train(const char* const* keys, const char* const* values, size_t option_count,
                                       TemperSpmNextSentence next, void* user, char** model_out, size_t* model_len,
                                       char* err, size_t err_len) {
  try {
    std::unordered_map<std::string, std::string> options;
    for (size_t i = 0; i < option_count; ++i) options[keys[i]] = values[i];
    CallbackSentenceIterator sentences(next, user);
    std::string serialized;
    auto status = sentencepiece::SentencePieceTrainer::Train(options, &sentences, &serialized);
    if (!status.ok()) {
      setError(err, err_len, status.ToString());
      return 1;
    }
    *model_out = mallocCopy(serialized.data(), serialized.size());
    *model_len = serialized.size();
    return 0;
  } catch (const std::exception& e) {
    setError(err, err_len, e.what());
  } catch (...) {
    setError(err, err_len, "unknown failure while training");
  }
  return 1;
}

TEMPER_SPM_EXPORT void temper_spm_free_buffer(void* buffer) { std::free(buffer); }
