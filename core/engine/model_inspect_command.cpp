#include "core/engine/model_inspect_command.h"

#include <cstdio>

#include "core/common/error.h"
#include "core/model/hf_model.h"
#include "core/model/model_shape.h"
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

std::string byteText(uint64_t bytes) {
  char buffer[32];
  if (bytes >= (uint64_t{1} << 30)) {
    std::snprintf(buffer, sizeof buffer, "%.2f GiB", static_cast<double>(bytes) / (1 << 30));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  }
  return buffer;
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
              {"bytes", bytes}};
}

std::string ModelInspection::toText() const {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer,
                "family          %s (%s, model_type %s)\n"
                "parameters      %lld (%s)\n"
                "layers          %lld\nhidden          %lld\nheads           %lld (kv heads %lld, head dim %lld)\n"
                "mlp width       %lld\ncontext         %lld\nvocabulary      %lld%s\n"
                "tokenizer       %s\nchat template   %s\n",
                family.c_str(), architecture.c_str(), model_type.c_str(), static_cast<long long>(parameters),
                dtype.c_str(), static_cast<long long>(shape.layers), static_cast<long long>(shape.hidden),
                static_cast<long long>(shape.heads), static_cast<long long>(shape.kvHeads()),
                static_cast<long long>(shape.headDim()), static_cast<long long>(shape.mlpWidth()),
                static_cast<long long>(shape.ctx), static_cast<long long>(shape.vocab),
                shape.tied ? " (head tied to the embedding)" : "", tokenizer.c_str(), chat_template.c_str());
  std::string text = buffer;
  if (task == "sequence-classification") {
    text += "labels          ";
    for (size_t i = 0; i < labels.size(); ++i) text += (i ? ", " : "") + labels[i];
    text += "\n";
  }
  text += "files           ";
  for (size_t i = 0; i < files.size(); ++i) text += (i ? ", " : "") + files[i];
  text += " (" + byteText(bytes) + ")\n";
  return text;
}

}  // namespace temper
