#pragma once
/// Bottleneck adapters' settings, as the `adapter-*` train keys describe them (docs/peft.md).
/// Torch-free: the dry run counts their parameters from a model's shape.
#include <cstdint>
#include <string>
#include <vector>

namespace temper {

struct BottleneckOptions {
  /// after-attention: on the attention sublayer's output; after-ffn: on the MLP's (Pfeiffer et al.
  /// 2020); both: the two (Houlsby et al. 2019); parallel: beside the MLP, reading its input and
  /// added to its output (He et al. 2022).
  std::string placement = "after-ffn";
  /// The bottleneck is hidden / reduction wide (AdapterHub's reduction_factor).
  int64_t reduction = 16;
  std::string act = "relu";  ///< relu | gelu | silu, between the down- and the up-projection
  /// Blocks that get adapters: "all", or a comma list of indices and ranges ("0-3,6").
  std::string layers = "all";
  /// The adapter's output is multiplied by this; the train key defaults to 1, and to 4 for
  /// parallel (He et al.'s scaled parallel adapter).
  double scaling = 1.0;

  bool afterAttention() const { return placement == "after-attention" || placement == "both"; }
  bool afterFfn() const { return placement == "after-ffn" || placement == "both"; }
  bool parallel() const { return placement == "parallel"; }
  /// Adapters per chosen block: 2 for both, else 1.
  int64_t perBlock() const { return placement == "both" ? 2 : 1; }
};

/// The blocks `spec` names ("all", "2", "0-3,6"), sorted and each once. Throws
/// Error(InvalidConfig) naming `adapter-layers` for text that is no such list or an index not
/// below `layer_count`.
std::vector<int64_t> adapterLayers(const std::string& spec, int64_t layer_count);

/// The bottleneck's width for a model of `hidden` size; throws Error(InvalidConfig) naming
/// `adapter-reduction` when it is below 1 or leaves no unit.
int64_t bottleneckWidth(int64_t hidden, int64_t reduction);

/// Parameters the adapters train on a model of that shape: per adapter, down (C·b + b) and
/// up (b·C + C).
int64_t bottleneckTrainableParameters(int64_t hidden, int64_t layer_count, const BottleneckOptions& options);

}  // namespace temper
