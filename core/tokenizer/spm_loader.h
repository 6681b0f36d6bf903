#pragma once
/// Finds and loads libtemper_spm_shim.so at run time (PLATFORM.md, trap 1: SentencePiece's protobuf
/// must not meet LibTorch's in one symbol namespace, so temper_tokenizer never links SentencePiece).
///
/// Where the shim is looked for, first match wins:
///   1. $TEMPER_SPM_SHIM (when set, only there),
///   2. <dir of /proc/self/exe>/../lib/libtemper_spm_shim.so   (build tree: build/bin + build/lib),
///   3. <exe dir>/libtemper_spm_shim.so,
///   4. <exe dir>/../lib/temper/libtemper_spm_shim.so           (install layout),
///   5. <exe dir>/<bindir→libdir>/temper/libtemper_spm_shim.so  (install layout with a multiarch libdir).
/// The library is loaded once per process and never unloaded.
#include <filesystem>
#include <vector>

#include "core/tokenizer/spm_shim_api.h"

namespace temper {

/// The shim's entry points. Thread-safe: plain function pointers, filled once.
struct SpmApi {
  decltype(&temper_spm_load_file) load_file = nullptr;
  decltype(&temper_spm_load_bytes) load_bytes = nullptr;
  decltype(&temper_spm_free) free_model = nullptr;
  decltype(&temper_spm_vocab_size) vocab_size = nullptr;
  decltype(&temper_spm_bos_id) bos_id = nullptr;
  decltype(&temper_spm_eos_id) eos_id = nullptr;
  decltype(&temper_spm_pad_id) pad_id = nullptr;
  decltype(&temper_spm_unk_id) unk_id = nullptr;
  decltype(&temper_spm_piece) piece = nullptr;
  decltype(&temper_spm_encode) encode = nullptr;
  decltype(&temper_spm_encode_offsets) encode_offsets = nullptr;
  decltype(&temper_spm_piece_to_id) piece_to_id = nullptr;
  decltype(&temper_spm_decode) decode = nullptr;
  decltype(&temper_spm_train) train = nullptr;
  decltype(&temper_spm_free_buffer) free_buffer = nullptr;
};

/// The places searched, in order (for messages and tests).
std::vector<std::filesystem::path> spmShimCandidates();

/// Loads the shim on first use (thread-safe) and returns its entry points. Throws Error(Io)
/// listing the places tried when it is absent, or naming the file when it cannot be loaded or is
/// from another version of Temper.
const SpmApi& spmApi();

}  // namespace temper
