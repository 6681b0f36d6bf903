#include "core/engine/adapted_classifier.h"

#include "core/common/error.h"
#include "core/peft/adapter_folder.h"
#include "core/peft/base_fingerprint.h"

namespace temper {

AdaptedClassifier loadAdaptedClassifier(const std::filesystem::path& base_dir, const std::filesystem::path& adapter_dir,
                                        const std::string& device) {
  const AdapterFolderInfo folder = inspectAdapterFolder(adapter_dir);
  const std::string config_file = (adapter_dir / kAdapterConfigFile).string();
  if (folder.task_type != "SEQ_CLS") {
    throwInputError(config_file + ": `task_type` is " + folder.task_type +
                    "; a classifier needs a SEQ_CLS adapter (one a classify run trained)");
  }
  const HfModelInfo base = inspectHfModel(base_dir);
  AdaptedClassifier out;
  if (base.isClassifier()) {
    out.classifier = loadSequenceClassifier(base);
  } else {
    out.classifier.info = base;
    out.classifier.backbone = loadHfModel(base);
  }
  const Json recorded = folder.temper.is_object() ? folder.temper.value("base_fingerprint", Json()) : Json();
  if (recorded.is_object())
    requireSameBase(recorded, base.weight_files, base.dir, "the adapter in " + adapter_dir.string());
  if (device == "cuda") out.classifier.backbone->to(torch::kCUDA);
  out.classifier.backbone->eval();

  torch::Tensor score;
  out.adapter = loadAdapter(folder, out.classifier.backbone, &score);
  out.adapter->setTraining(false);
  const int64_t hidden = out.classifier.backbone->hiddenSize();
  if (score.size(1) != hidden) {
    throwInputError((adapter_dir / kAdapterWeightsFile).string() + ": the label head has " +
                    std::to_string(score.size(1)) + " columns but the base's hidden size is " + std::to_string(hidden));
  }
  out.classifier.score = score.to(out.classifier.backbone->device());

  const size_t rows = static_cast<size_t>(score.size(0));
  std::vector<std::string> labels;
  if (folder.temper.is_object() && folder.temper.contains("labels")) {
    const std::string temper_file = (adapter_dir / kAdapterTemperFile).string();
    try {
      labels = folder.temper.at("labels").get<std::vector<std::string>>();
    } catch (const Json::exception&) {
      throwInputError(temper_file + ": `labels` must be a list of strings");
    }
    if (labels.size() != rows) {
      throwInputError(temper_file + ": `labels` has " + std::to_string(labels.size()) + " entries but the head has " +
                      std::to_string(rows) + " rows");
    }
  } else if (out.classifier.labels.size() == rows) {
    labels = out.classifier.labels;
  } else {
    for (size_t i = 0; i < rows; ++i) labels.push_back("LABEL_" + std::to_string(i));
  }
  out.classifier.labels = std::move(labels);
  return out;
}

}  // namespace temper
