#include "core/tokenizer/spm_loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/common/error.h"

namespace temper {
namespace {

constexpr const char* kShimFileName = "libtemper_spm_shim.so";

// RTLD_DEEPBIND makes the shim resolve its own dependencies (SentencePiece and the protobuf copy
// inside it) before the process's global symbols, which is what keeps LibTorch's protobuf out.
// AddressSanitizer refuses DEEPBIND, so sanitizer builds go without it (they load no torch).
#ifdef TEMPER_SPM_NO_DEEPBIND
constexpr int kDlopenFlags = RTLD_NOW | RTLD_LOCAL;
#else
constexpr int kDlopenFlags = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
#endif

std::filesystem::path executableDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

template <typename Fn>
void bind(void* handle, const std::filesystem::path& path, const char* name, Fn& slot) {
  void* symbol = ::dlsym(handle, name);
  if (symbol == nullptr) {
    throwIoError(path.string() + " is not a Temper SentencePiece shim of this version (missing " + name +
                 "); rebuild or reinstall Temper");
  }
  slot = reinterpret_cast<Fn>(symbol);
}

SpmApi loadApi() {
  std::filesystem::path found;
  std::string tried;
  for (const auto& candidate : spmShimCandidates()) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) {
      found = candidate;
      break;
    }
    tried += "\n  " + candidate.string();
  }
  if (found.empty()) {
    throwIoError(std::string("cannot find the SentencePiece shim ") + kShimFileName + "; looked in:" + tried +
                 "\nset TEMPER_SPM_SHIM to its path");
  }
  void* handle = ::dlopen(found.c_str(), kDlopenFlags);
  if (handle == nullptr) {
    const char* reason = ::dlerror();
    throwIoError("cannot load the SentencePiece shim " + found.string() + ": " + (reason ? reason : "unknown error"));
  }
  // The handle is deliberately never closed: models may outlive any single caller.
  decltype(&temper_spm_abi_version) abi_version = nullptr;
  bind(handle, found, "temper_spm_abi_version", abi_version);
  if (abi_version() != TEMPER_SPM_ABI_VERSION) {
    throwIoError(found.string() + " speaks shim ABI " + std::to_string(abi_version()) + ", this Temper needs " +
                 std::to_string(TEMPER_SPM_ABI_VERSION) + "; rebuild or reinstall Temper");
  }
  SpmApi api;
  bind(handle, found, "temper_spm_load_file", api.load_file);
  bind(handle, found, "temper_spm_load_bytes", api.load_bytes);
  bind(handle, found, "temper_spm_free", api.free_model);
  bind(handle, found, "temper_spm_vocab_size", api.vocab_size);
  bind(handle, found, "temper_spm_bos_id", api.bos_id);
  bind(handle, found, "temper_spm_eos_id", api.eos_id);
  bind(handle, found, "temper_spm_pad_id", api.pad_id);
  bind(handle, found, "temper_spm_unk_id", api.unk_id);
  bind(handle, found, "temper_spm_piece", api.piece);
  bind(handle, found, "temper_spm_encode", api.encode);
  bind(handle, found, "temper_spm_encode_offsets", api.encode_offsets);
  bind(handle, found, "temper_spm_piece_to_id", api.piece_to_id);
  bind(handle, found, "temper_spm_decode", api.decode);
  bind(handle, found, "temper_spm_train", api.train);
  bind(handle, found, "temper_spm_free_buffer", api.free_buffer);
  return api;
}

}  // namespace

std::vector<std::filesystem::path> spmShimCandidates() {
  if (const char* explicit_path = std::getenv("TEMPER_SPM_SHIM"); explicit_path != nullptr && *explicit_path) {
    return {std::filesystem::path(explicit_path)};
  }
  std::vector<std::filesystem::path> candidates;
  auto exe_dir = executableDir();
  if (exe_dir.empty()) return candidates;
  auto add = [&](const std::filesystem::path& p) {
    auto normal = p.lexically_normal();
    if (std::find(candidates.begin(), candidates.end(), normal) == candidates.end()) candidates.push_back(normal);
  };
  add(exe_dir / ".." / "lib" / kShimFileName);
  add(exe_dir / kShimFileName);
  add(exe_dir / ".." / "lib" / "temper" / kShimFileName);
#ifdef TEMPER_SPM_SHIM_INSTALL_RELDIR
  add(exe_dir / TEMPER_SPM_SHIM_INSTALL_RELDIR / kShimFileName);
#endif
  return candidates;
}

const SpmApi& spmApi() {
  // A throwing initializer leaves the static uninitialised, so a later call tries again.
  static const SpmApi api = loadApi();
  return api;
}

}  // namespace temper
