#pragma once
/// `temper info`: what this engine is and can do, for people and for the studio (About box,
/// status bar, the wizard's method and hyperparameter pages): versions, device, methods with
/// their availability, every train key with its kind, default, range and methods, the presets.
#include "core/common/json_io.h"

namespace temper {

/// Does not touch the workspace. Device detection may start LibTorch's CUDA probe.
Json engineInfo();

}  // namespace temper
