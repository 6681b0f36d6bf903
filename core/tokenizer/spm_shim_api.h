#pragma once
/// The plain C interface of `libtemper_spm_shim.so`, the only code in Temper that touches
/// SentencePiece.
///
/// Why a C boundary: Debian's libsentencepiece carries its own protobuf 3.14 and LibTorch pulls in
/// the system protobuf 3.21; linked into one process they interpose on each other and crash
/// (docs: PLATFORM.md, trap 1). The shim is therefore loaded with
/// dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND) and nothing but C types crosses this line: no
/// std::string, no exceptions, no protobuf. The C++ side lives in spm_loader.* and spm_tokenizer.*.
///
/// Conventions for every function here:
/// - Failures return NULL or a non-zero status and write a NUL-terminated message into
///   `err` (at most `err_len` bytes, truncated if needed). `err` may be NULL.
/// - Buffers the shim allocates (`*_out` pointers) are released with temper_spm_free_buffer.
/// - A model handle is immutable once loaded; encode/decode/piece calls on one handle may run
///   concurrently from many threads. temper_spm_free must not race with them.
#include <stddef.h>  // NOLINT(modernize-deprecated-headers): this header is C as well as C++

#ifdef __cplusplus
extern "C" {
#endif

/// Bumped whenever a signature below changes; the loader refuses a shim with another version.
#define TEMPER_SPM_ABI_VERSION 2

typedef struct TemperSpmModel TemperSpmModel;

/// Produces the next training sentence. Returns 1 and sets `*text`/`*len` (valid until the next
/// call) when there is one, 0 at the end, -1 on failure (the caller keeps its own error; training
/// then stops with a generic message).
typedef int (*TemperSpmNextSentence)(void* user, const char** text, size_t* len);

int temper_spm_abi_version(void);

/// Loads a serialized ModelProto from a file. NULL (and `err`) when the file is missing, corrupt
/// or truncated; never aborts the process.
TemperSpmModel* temper_spm_load_file(const char* path, char* err, size_t err_len);
/// Same, from bytes in memory (used after training, before the model reaches its final name).
TemperSpmModel* temper_spm_load_bytes(const char* data, size_t len, char* err, size_t err_len);
void temper_spm_free(TemperSpmModel* model);

int temper_spm_vocab_size(const TemperSpmModel* model);
/// -1 when the model has no such token.
int temper_spm_bos_id(const TemperSpmModel* model);
int temper_spm_eos_id(const TemperSpmModel* model);
int temper_spm_pad_id(const TemperSpmModel* model);
int temper_spm_unk_id(const TemperSpmModel* model);
/// The piece text of `id`, owned by the model (valid while it lives); NULL when out of range.
const char* temper_spm_piece(const TemperSpmModel* model, int id, size_t* len);

/// Encodes UTF-8 `text` to ids (no bos/eos). On success returns 0 and a malloc'd array in
/// `*ids_out` (NULL when `*count_out` is 0).
int temper_spm_encode(const TemperSpmModel* model, const char* text, size_t len, int** ids_out, size_t* count_out,
                      char* err, size_t err_len);
/// encode with, for each id, the byte range [begins[i], ends[i]) of `text` it stands for (as
/// SentencePiece tracks it through its normalizer). The three malloc'd arrays are NULL when
/// `*count_out` is 0.
int temper_spm_encode_offsets(const TemperSpmModel* model, const char* text, size_t len, int** ids_out,
                              size_t** begins_out, size_t** ends_out, size_t* count_out, char* err, size_t err_len);
/// The id of piece `piece` (exact text, e.g. "</s>" or "\xE2\x96\x81the"), or -1 when the model has none.
int temper_spm_piece_to_id(const TemperSpmModel* model, const char* piece, size_t len);
/// Decodes ids (all must be in [0, vocab_size)) to text; returns 0 and a malloc'd, NUL-terminated
/// buffer in `*text_out` with its length (without the NUL) in `*len_out`.
int temper_spm_decode(const TemperSpmModel* model, const int* ids, size_t count, char** text_out, size_t* len_out,
                      char* err, size_t err_len);

/// Trains a model. `keys`/`values` are SentencePiece trainer flags (e.g. "model_type" = "bpe"),
/// passed through unchanged; sentences come from `next`. On success returns 0 and the serialized
/// model in a malloc'd `*model_out` of `*model_len` bytes; nothing is written to disk.
int temper_spm_train(const char* const* keys, const char* const* values, size_t option_count,
                     TemperSpmNextSentence next, void* user, char** model_out, size_t* model_len, char* err,
                     size_t err_len);

void temper_spm_free_buffer(void* buffer);

#ifdef __cplusplus
}  // extern "C"
#endif
