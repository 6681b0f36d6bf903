#include "core/methods/method_setup.h"

#include "core/methods/method_registry.h"
#include "core/methods/model_source.h"
#include "core/methods/peft_keys.h"
#include "core/peft/peft_shape.h"

namespace temper {
namespace {

int64_t countTrainable(TrainingTask& task) {
  int64_t total = 0;
  for (const auto& [name, p] : task.trainableParameters()) total += p.numel();
  return total;
}

}  // namespace

MethodInputs methodInputs(const TrainConfig& config, torch::Device device, const WorkspacePaths& workspace,
                          const std::filesystem::path& resume_dir) {
  const MethodSpec& spec = methodRegistry().require(config.method);
  MethodInputs in{config, device, workspace, resume_dir, std::nullopt, std::nullopt};
  if (spec.needsBase()) {
    in.base = inspectHfModel(config.base);
    if (in.base->isClassifier() && spec.base != BaseUse::LanguageModelOrClassifier) refuseClassifierBase(config.base);
  }
  std::error_code ec;
  if (std::filesystem::is_regular_file(std::filesystem::path(config.data) / "meta.json", ec)) {
    in.dataset = readDatasetMeta(config.data);
  }
  return in;
}

MethodSetup setUpMethod(const MethodInputs& inputs) {
  MethodSetup setup = methodRegistry().require(inputs.config.method).set_up(inputs);
  setup.trainable_parameters = countTrainable(*setup.task);
  setup.trains_adapter = peftChoice(inputs.config).adapter();
  if (setup.model) setup.model->setGradientCheckpointing(inputs.config.gradient_checkpointing);
  return setup;
}

namespace {

/// Bytes per weight QuantizedWeight::bytes() stores (core/quant/quantized_weight.h): the codes
/// (half a byte for nf4, one for int8) and, per block of 64, an fp32 scale, or with double
/// quantisation an int8 code plus an fp32 scale per 256 blocks.
double quantizedBytesPerWeight(const std::string& kind, bool double_quant) {
  const double code = kind == "nf4" ? 0.5 : 1.0;
  return code + (double_quant ? (1.0 + 4.0 / 256.0) / 64.0 : 4.0 / 64.0);
}

}  // namespace

MethodShape methodShape(const MethodInputs& inputs) {
  MethodShape shape = methodRegistry().require(inputs.config.method).dry_run_shape(inputs);
  const PeftChoice peft = peftChoice(inputs.config);
  if (peft.kind == "lora") shape.trainable_parameters = loraTrainableParameters(shape.model, peft.lora);
  if (peft.kind == "adapters") {
    shape.trainable_parameters = bottleneckTrainableParameters(shape.model.hidden, shape.model.layers, peft.adapters);
  }
  if (peft.kind == "prompt-tuning") shape.trainable_parameters = peft.prompt.tokens * shape.model.hidden;
  if (peft.kind == "prefix-tuning") {
    shape.trainable_parameters =
        prefixTrainableParameters(shape.model.layers, shape.model.kvHeads(), shape.model.headDim(), peft.prefix);
  }
  if (peft.adapter()) shape.trainable_parameters += shape.head_parameters;
  shape.unsaved_input_width = unsavedInputWidth(shape.model, peft);
  shape.adapter_saved_width = adapterSavedWidth(shape.model, peft);
  if (peft.adapter()) shape.recorded_blocks = recordedBlocksUnder(shape.model, peft);
  // classify's label head (head_parameters) has a loss of its own.
  shape.frozen_head = peft.adapter() && shape.head_parameters == 0;
  if (peft.base_quant != "none") {
    for (const NamedLinear& linear : projectionsOf(shape.model)) shape.quantized_parameters += linear.in * linear.out;
    shape.quantized_bytes_per_parameter = quantizedBytesPerWeight(peft.base_quant, peft.base_quant_double);
    // The embedding and an untied head go to bf16 beside them (a module to save would stay fp32).
    shape.half_parameters = shape.model.vocab * shape.model.hidden * (shape.model.tied ? 1 : 2);
  }
  return shape;
}

MethodShape baseModelShape(const MethodInputs& inputs) {
  const HfModelInfo& base = *inputs.base;
  return MethodShape{.model = modelShapeFromHfConfig(base.family, base.config, base.configPath().string())};
}

}  // namespace temper
