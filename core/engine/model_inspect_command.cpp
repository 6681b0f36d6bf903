#include "core/engine/model_inspect_command.h"

#include "core/common/error.h"
#include "core/model/hf_model.h"
#include "core/model/model_shape.h"
#include "core/peft/adapter_folder.h"
#include "core/peft/peft_shape.h"
#include "core/tensor_io/safetensors_file.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {
namespace {

ModelShape shapeOf(const HfModelInfo& info) {
  return modelShapeFromHfConfig(info.family, info.config, (info.dir / "config.json").string());
}

std::string tokenizerKind(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(dir / "tokenizer.model", ec)) return "sentencepiece";
  if (std::filesystem::is_regular_file(dir / "tokenizer.json", ec)) return "byte-level-bpe";
  return "none";
}

std::string chatTemplateKind(const std::filesystem::path& dir) {
  if (!folderHasChatTemplate(dir)) return "none";
  try {
    return chatFamilyName(loadChatTemplate(dir).family);
  } catch (const Error&) {
    return "unsupported";  // a template Temper cannot render exactly (chat_template.h says which)
  }
}

}  // namespace

bool folderHasChatTemplate(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(dir / "chat_template.jinja", ec)) return true;
  const auto config_path = dir / "tokenizer_config.json";
  if (!std::filesystem::is_regular_file(config_path, ec)) return false;
  Json config = readJsonFile(config_path);
  return config.is_object() && config.contains("chat_template") && !config["chat_template"].is_null();
}

Json AdapterInspection::toJson() const {
  return Json{{"adapter", true},
              {"kind", kind},
              {"peft_type", peft_type},
              {"task_type", task_type},
              {"base", base},
              {"base_on_disk", base_on_disk},
              {"targets", targets},
              {"settings", settings},
              {"trainable_parameters", trainable_parameters},
              {"bytes", bytes},
              {"trained_here", trained_here}};
}

AdapterInspection inspectAdapter(const std::filesystem::path& dir) {
  const AdapterFolderInfo info = inspectAdapterFolder(dir);
  AdapterInspection a;
  a.kind = info.kind;
  a.peft_type = info.peft_type;
  a.task_type = info.task_type;
  a.base = info.base;
  a.base_on_disk = !info.baseDir().empty();
  a.trained_here = info.temper.is_object();
  const Json& c = info.config;
  if (info.kind == "lora") {
    a.targets = c.value("target_modules", Json());
    for (const char* key : {"r", "lora_alpha", "lora_dropout", "use_rslora", "use_dora", "bias", "modules_to_save"}) {
      if (c.contains(key)) a.settings[key] = c[key];
    }
  } else if (info.kind == "adapters") {
    for (const char* key : {"placement", "reduction_factor", "bottleneck_size", "non_linearity", "layers", "scaling"}) {
      if (c.contains(key)) a.settings[key] = c[key];
    }
  } else if (info.kind == "prefix-tuning") {
    for (const char* key : {"num_virtual_tokens", "token_dim", "num_attention_heads", "num_layers", "prefix_projection",
                            "encoder_hidden_size"}) {
      if (c.contains(key)) a.settings[key] = c[key];
    }
  } else {
    for (const char* key : {"num_virtual_tokens", "token_dim", "prompt_tuning_init"}) {
      if (c.contains(key)) a.settings[key] = c[key];
    }
  }
  const std::filesystem::path weights = dir / kAdapterWeightsFile;
  const auto file = SafetensorsFile::open(weights);  // held: tensors() refers into it
  for (const auto& tensor : file->tensors()) a.trainable_parameters += tensor.numel();
  a.bytes = std::filesystem::file_size(weights);
  return a;
}

ModelInspection inspectModelFolder(const std::filesystem::path& dir) {
  HfModelInfo info = inspectHfModel(dir);
  ModelInspection m;
  m.family = info.family;
  m.architecture = info.architecture;
  m.model_type = info.model_type;
  m.dtype = info.dtype;
  m.parameters = info.parameters;
  m.shape = shapeOf(info);
  m.tokenizer = tokenizerKind(dir);
  m.chat_template = chatTemplateKind(dir);
  m.task = info.task;
  m.labels = info.labels;
  for (const auto& file : info.weight_files) {
    m.files.push_back(file.lexically_relative(dir).string());
    m.bytes += std::filesystem::file_size(file);
  }
  return m;
}

Json ModelInspection::toJson() const {
  // The projections a LoRA may target, as the wizard's module picker lists them.
  Json modules = Json::array();
  for (const NamedLinear& linear : projectionsOf(shape)) {
    modules.push_back({{"name", linear.name},
                       {"block", linear.block},
                       {"role", linearRoleName(linear.role)},
                       {"in", linear.in},
                       {"out", linear.out},
                       {"parameters", linear.in * linear.out + (linear.bias ? linear.out : 0)}});
  }
  return Json{{"family", family},
              {"architecture", architecture},
              {"model_type", model_type},
              {"parameters", parameters},
              {"dtype", dtype},
              {"layers", shape.layers},
              {"hidden", shape.hidden},
              {"heads", shape.heads},
              {"kv_heads", shape.kvHeads()},
              {"head_dim", shape.headDim()},
              {"intermediate", shape.mlpWidth()},
              {"ctx", shape.ctx},
              {"vocab", shape.vocab},
              {"tied", shape.tied},
              {"tokenizer", tokenizer},
              {"chat_template", chat_template},
              {"task", task},
              {"labels", labels},
              {"files", files},
              {"bytes", bytes},
              {"modules", std::move(modules)}};
}

}  // namespace temper
