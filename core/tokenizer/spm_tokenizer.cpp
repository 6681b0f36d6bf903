#include "core/tokenizer/spm_tokenizer.h"

#include <memory>

#include "core/common/error.h"
#include "core/tokenizer/spm_loader.h"

namespace temper {
namespace {

constexpr size_t kErrorBufferSize = 1024;

// Owns a buffer the shim malloc'd; it must go back through the shim's free.
template <typename T>
struct ShimBuffer {
  T* data = nullptr;
  ~ShimBuffer() {
    if (data != nullptr) spmApi().free_buffer(data);
  }
};

}  // namespace

SpmTokenizer::SpmTokenizer(TemperSpmModel* model)
    : model_(model),
      vocab_size_(spmApi().vocab_size(model)),
      bos_id_(spmApi().bos_id(model)),
      eos_id_(spmApi().eos_id(model)),
      pad_id_(spmApi().pad_id(model)),
      unk_id_(spmApi().unk_id(model)) {}

SpmTokenizer::~SpmTokenizer() { spmApi().free_model(model_); }

std::unique_ptr<SpmTokenizer> SpmTokenizer::fromFile(const std::filesystem::path& path) {
  const SpmApi& api = spmApi();
  char err[kErrorBufferSize] = {};
  TemperSpmModel* model = api.load_file(path.c_str(), err, sizeof err);
  if (model == nullptr) {
    throwInputError(path.string() +
                    ": not a usable SentencePiece model (corrupt, truncated or another format): " + err);
  }
  return std::unique_ptr<SpmTokenizer>(new SpmTokenizer(model));
}

std::unique_ptr<SpmTokenizer> SpmTokenizer::fromBytes(std::string_view bytes, const std::string& what) {
  const SpmApi& api = spmApi();
  char err[kErrorBufferSize] = {};
  TemperSpmModel* model = api.load_bytes(bytes.data(), bytes.size(), err, sizeof err);
  if (model == nullptr) throwInputError(what + ": not a usable SentencePiece model: " + err);
  return std::unique_ptr<SpmTokenizer>(new SpmTokenizer(model));
}

std::vector<int> SpmTokenizer::encode(std::string_view text) const {
  char err[kErrorBufferSize] = {};
  ShimBuffer<int> ids;
  size_t count = 0;
  if (spmApi().encode(model_, text.data(), text.size(), &ids.data, &count, err, sizeof err) != 0) {
    throwInputError(std::string("cannot encode text: ") + err);
  }
  return std::vector<int>(ids.data, ids.data + count);
}

EncodedText SpmTokenizer::encodeWithOffsets(std::string_view text) const {
  char err[kErrorBufferSize] = {};
  ShimBuffer<int> ids;
  ShimBuffer<size_t> begins, ends;
  size_t count = 0;
  if (spmApi().encode_offsets(model_, text.data(), text.size(), &ids.data, &begins.data, &ends.data, &count, err,
                              sizeof err) != 0) {
    throwInputError(std::string("cannot encode text: ") + err);
  }
  EncodedText out;
  out.ids.assign(ids.data, ids.data + count);
  out.offsets.reserve(count);
  for (size_t i = 0; i < count; ++i) out.offsets.emplace_back(begins.data[i], ends.data[i]);
  return out;
}

int SpmTokenizer::tokenId(std::string_view token) const {
  return spmApi().piece_to_id(model_, token.data(), token.size());
}

std::string SpmTokenizer::decode(const std::vector<int>& ids) const {
  char err[kErrorBufferSize] = {};
  ShimBuffer<char> text;
  size_t length = 0;
  if (spmApi().decode(model_, ids.data(), ids.size(), &text.data, &length, err, sizeof err) != 0) {
    throwInputError(std::string("cannot decode ids: ") + err);
  }
  return std::string(text.data, length);
}

std::string SpmTokenizer::pieceFor(int id) const {
  size_t length = 0;
  const char* piece = spmApi().piece(model_, id, &length);
  if (piece == nullptr) {
    throwInputError("token id " + std::to_string(id) + " is outside the vocabulary [0, " + std::to_string(vocab_size_) +
                    ")");
  }
  return std::string(piece, length);
}

}  // namespace temper
