#pragma once
/// Which `temper` the studio starts. Temper has two engine builds (docs/gpu-engine.md): the CPU build
/// (Debian's LibTorch 1.13, beside the studio) and the CUDA build (LibTorch 2.x from the PyPI wheel,
/// `make cuda-engine`). The studio links neither: it picks one at run time — the CUDA build when a
/// CUDA device is visible and that build exists, else the CPU build — unless Settings or the
/// environment say otherwise.
#include <QString>

namespace temper::studio {

/// Environment variable that overrides everything (tests, packagers, people with two builds).
inline constexpr const char* kEngineEnvVar = "TEMPER_ENGINE";
/// Where the CUDA build is, when it is neither beside the studio (as `temper-cuda`) nor in the
/// build folder CMake was told about (TEMPER_CUDA_ENGINE_DIR).
inline constexpr const char* kCudaEngineEnvVar = "TEMPER_CUDA_ENGINE";

/// The Settings choice of build; a path in Settings overrides it.
enum class EngineBuild { Automatic, Cpu, Cuda };
/// "auto", "cpu", "cuda" (as stored in Settings) and back; unknown text reads as Automatic.
QString engineBuildKey(EngineBuild build);
EngineBuild engineBuildFromKey(const QString& key);

/// What the studio knows about the machine and the installed engines, gathered by systemEngineProbe();
/// tests make their own.
struct EngineProbe {
  bool cuda_device_visible = false;
  QString cpu_engine;   ///< path of the CPU build, empty when none is found
  QString cuda_engine;  ///< path of the CUDA build, empty when none is found
};

/// A CUDA device is visible when the NVIDIA driver exposes one (/dev/nvidia0, ...) and
/// CUDA_VISIBLE_DEVICES does not hide them all. The CPU build is `temper` beside the studio or on
/// PATH; the CUDA build is TEMPER_CUDA_ENGINE, `temper-cuda` beside the studio or on PATH, or
/// `temper` in the CUDA build folder this studio was configured with.
EngineProbe systemEngineProbe();

struct EngineChoice {
  QString path;    ///< empty when no engine was found
  QString build;   ///< "cpu", "cuda" or "custom" (a path given by TEMPER_ENGINE or Settings)
  QString reason;  ///< why this one, in words for the environment panel (translated)
};

/// TEMPER_ENGINE if set; else `configured_path` (Settings) if it names an executable file; else by
/// `build`: Automatic takes the CUDA build when a CUDA device is visible and the build exists, else
/// the CPU build; Cpu and Cuda take that build, falling back to the other (saying so) when it is
/// missing.
EngineChoice chooseEngine(const QString& configured_path, EngineBuild build, const EngineProbe& probe);

}  // namespace temper::studio
