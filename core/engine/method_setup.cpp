#include "core/engine/method_setup.h"

#include <type_traits>

#include "core/common/error.h"
#include "core/common/hashing.h"
#include "core/data/dataset_meta.h"
#include "core/data/prepare_dataset.h"
#include "core/methods/classify_task.h"
#include "core/methods/pretrain_task.h"
#include "core/methods/sft_task.h"
#include "core/model/gpt.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {
namespace {

constexpr const char* kRunTokenizerFile = "tokenizer.model";

torch::Device deviceOf(const RuntimeInfo& runtime) {
  return runtime.device == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

GptConfig scratchShape(const TrainConfig& c, int64_t vocab_size) {
  GptConfig shape = c.preset.empty() ? GptConfig{} : presetConfig(c.preset);
  if (c.layers) shape.layers = c.layers;
  if (c.dim) shape.dim = c.dim;
  if (c.heads) shape.heads = c.heads;
  if (c.ctx) shape.context = c.ctx;
  shape.dropout = c.dropout;
  shape.bias = c.bias;
  shape.vocab_size = vocab_size;
  shape.validate();
  return shape;
}

// The tokenizer the dataset was made with, unchanged since (its hash is in meta.json).
std::filesystem::path datasetTokenizer(const DatasetMeta& meta, const std::filesystem::path& data_dir) {
  std::filesystem::path path = meta.tokenizer_path;
  if (!std::filesystem::exists(path)) {
    throwInputError(data_dir.string() + "/meta.json: its tokenizer " + path.string() +
                    " no longer exists; prepare the data again");
  }
  if (sha256FileHex(path) != meta.tokenizer_sha256) {
    throwInputError(path.string() + " changed after " + data_dir.string() +
                    " was prepared with it (sha256 differs); prepare the data again");
  }
  return path;
}

std::vector<std::filesystem::path> splitPaths(const std::string& text) {
  std::vector<std::filesystem::path> paths;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) paths.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return paths;
}

// A folder of record files stands for the .jsonl/.json/.csv files in it, sorted.
std::vector<std::filesystem::path> recordFiles(const std::string& text) {
  std::vector<std::filesystem::path> files;
  for (const auto& path : splitPaths(text)) {
    if (!std::filesystem::exists(path)) throwIoError(path.string() + ": no such file or folder");
    if (!std::filesystem::is_directory(path)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
      const auto ext = entry.path().extension();
      if (entry.is_regular_file() && (ext == ".jsonl" || ext == ".json" || ext == ".csv")) found.push_back(entry.path());
    }
    if (found.empty()) throwInputError(path.string() + ": no .jsonl, .json or .csv files in this folder");
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

// Continued pretraining on raw text: tokenized once with the base's tokenizer into the workspace's
// dataset cache, keyed by the tokenizer, the inputs (path, size, time) and the split settings, so a
// second run on the same data starts at once.
std::filesystem::path preparedData(const TrainConfig& c, const std::filesystem::path& base, const WorkspacePaths& ws) {
  const std::filesystem::path data(c.data);
  if (std::filesystem::exists(data / "meta.json")) return std::filesystem::absolute(data);
  std::string key = sha256FileHex(resolveTokenizerFile(base)) + "|" + c.ext + "|" + std::to_string(c.val_fraction) +
                    "|" + std::to_string(c.seed);
  auto describe = [&key](const std::vector<std::filesystem::path>& paths) {
    for (const auto& p : paths) {
      if (!std::filesystem::exists(p)) throwIoError(p.string() + ": no such file or folder");
      for (auto it = std::filesystem::recursive_directory_iterator(
               std::filesystem::is_directory(p) ? p : p.parent_path());
           it != std::filesystem::recursive_directory_iterator(); ++it) {
        if (!std::filesystem::is_directory(p) && it->path() != p) continue;
        if (it->is_regular_file()) {
          key += "|" + std::filesystem::absolute(it->path()).string() + ":" + std::to_string(it->file_size()) + ":" +
                 std::to_string(it->last_write_time().time_since_epoch().count());
        }
      }
    }
  };
  auto inputs = splitPaths(c.data);
  auto val_inputs = splitPaths(c.val_data);
  describe(inputs);
  key += "|val";
  describe(val_inputs);
  const auto out = ws.root / "datasets" / sha256Hex(key).substr(0, 16);
  if (std::filesystem::exists(out / "meta.json")) return out;
  PrepareOptions options;
  options.tokenizer = base;
  options.inputs = inputs;
  options.val_inputs = val_inputs;
  options.val_fraction = c.val_fraction;
  options.seed = static_cast<uint64_t>(c.seed);
  options.out_dir = out;
  if (!c.ext.empty()) {
    for (const auto& e : splitPaths(c.ext)) options.extensions.push_back(e.string());
  }
  prepareDataset(options);
  return out;
}

// What SFT and classify share: a base model, record files, a validation split, the batch shape.
template <typename Setup>
Setup recordMethodSetup(const TrainConfig& c, const RuntimeInfo& runtime) {
  Setup s;
  s.source = baseModel(c.base, /*accept_classifier=*/std::is_same_v<Setup, ClassifySetup>);
  s.train_files = recordFiles(c.data);
  if (!c.val_data.empty()) s.val_files = recordFiles(c.val_data);
  s.val_fraction = c.val_fraction;
  s.context = c.ctx;
  s.batch_size = c.batch_size;
  s.seed = static_cast<uint64_t>(c.seed);
  s.device = deviceOf(runtime);
  return s;
}

template <typename Task, typename Setup>
void startRecordTask(MethodSetup& setup, Setup s, const TrainConfig& c) {
  setup.model = s.source.model;
  setup.base_description = s.source.description;
  setup.model_config = s.source.hf_config;
  setup.dataset = c.data;
  auto task = std::make_unique<Task>(std::move(s));
  setup.data_summary = task->dataSummary();
  setup.sequence_length = task->context();
  setup.task = std::move(task);
}

int64_t countTrainable(TrainingTask& task) {
  int64_t total = 0;
  for (const auto& [name, p] : task.trainableParameters()) total += p.numel();
  return total;
}

}  // namespace

MethodSetup setUpMethod(const TrainConfig& c, const RuntimeInfo& runtime, const WorkspacePaths& workspace,
                        const std::filesystem::path& resume_dir) {
  MethodSetup setup;
  const uint64_t seed = static_cast<uint64_t>(c.seed);
  if (c.method == "pretrain" || c.method == "continued-pretrain") {
    PretrainSetup p;
    if (c.method == "pretrain") {
      p.data_dir = std::filesystem::absolute(c.data);
      DatasetMeta meta = readDatasetMeta(p.data_dir);
      setup.scratch_tokenizer = resume_dir.empty() ? datasetTokenizer(meta, p.data_dir) : resume_dir / kRunTokenizerFile;
      GptConfig shape = scratchShape(c, meta.vocab_size);
      auto tokenizer = openTokenizer(setup.scratch_tokenizer);
      shape.bos_id = tokenizer->bosId();
      shape.eos_id = tokenizer->eosId();
      shape.pad_id = tokenizer->padId();
      p.source = scratchGpt(shape, seed, setup.scratch_tokenizer);
      setup.model_config = toHfConfig(shape);
    } else {
      p.source = baseModel(c.base);
      p.context = c.ctx;
      p.data_dir = preparedData(c, c.base, workspace);
      setup.model_config = p.source.hf_config;
    }
    setup.base_description = p.source.description;
    setup.dataset = c.method == "pretrain" ? p.data_dir.string() : c.data;
    p.batch_size = c.batch_size;
    p.seed = seed;
    p.device = deviceOf(runtime);
    p.sample_prompts = c.sample_prompts;
    p.sample_tokens = c.sample_tokens;
    setup.model = p.source.model;
    const DatasetMeta meta = readDatasetMeta(p.data_dir);
    setup.data_summary = Json{{"format", "tokens"}, {"dataset", p.data_dir.string()},
                              {"train_tokens", meta.train_tokens}, {"val_tokens", meta.val_tokens}};
    setup.task = std::make_unique<PretrainTask>(std::move(p));
    setup.sequence_length = static_cast<PretrainTask&>(*setup.task).context();
  } else if (c.method == "sft") {
    SftSetup s = recordMethodSetup<SftSetup>(c, runtime);
    s.packing = c.packing;
    s.drop_long = c.drop_long;
    s.response_template = c.response_template;
    s.chat_template = c.chat_template == "auto" ? "" : c.chat_template;
    // The table's default prompt (a newline) suits pretraining; SFT samples its validation prompts.
    if (!(c.sample_prompts.size() == 1 && c.sample_prompts[0] == "\n")) s.sample_prompts = c.sample_prompts;
    s.sample_tokens = c.sample_tokens;
    startRecordTask<SftTask>(setup, std::move(s), c);
  } else if (c.method == "classify") {
    ClassifySetup s = recordMethodSetup<ClassifySetup>(c, runtime);
    s.train_last_blocks = c.train_last_blocks;
    startRecordTask<ClassifyTask>(setup, std::move(s), c);
  } else {
    throwConfigError("method `" + c.method + "` is not in this engine");
  }
  setup.trainable_parameters = countTrainable(*setup.task);
  return setup;
}

}  // namespace temper
