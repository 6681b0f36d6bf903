#include "core/methods/pretrain/pretrain_methods.h"

#include "core/common/error.h"
#include "core/common/hashing.h"
#include "core/common/run_paths.h"
#include "core/data/dataset_meta.h"
#include "core/methods/method_setup.h"
#include "core/methods/peft_keys.h"
#include "core/methods/pretrain/prepared_data.h"
#include "core/methods/pretrain/pretrain_task.h"
#include "core/model/gpt.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {
namespace {

// The scratch GPT's shape: the preset, then the keys that override it. The run and its dry run
// both read it from here.
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

// The prepared folder's meta.json: read once by methodInputs; read here when it is missing, for
// the error that names the folder.
DatasetMeta preparedMeta(const MethodInputs& in) { return in.dataset ? *in.dataset : readDatasetMeta(in.config.data); }

// What both methods share once the model, the token folder and its meta.json are known.
MethodSetup startPretrainTask(PretrainSetup p, MethodSetup setup, const MethodInputs& in) {
  const TrainConfig& c = in.config;
  p.batch_size = c.batch_size;
  p.seed = static_cast<uint64_t>(c.seed);
  p.device = in.device;
  p.sample_prompts = c.sample_prompts;
  p.sample_tokens = c.sample_tokens;
  setup.base_description = p.source.description;
  setup.model = p.source.model;
  setup.data_summary = Json{{"format", "tokens"},
                            {"dataset", p.data_dir.string()},
                            {"train_tokens", p.meta.train_tokens},
                            {"val_tokens", p.meta.val_tokens}};
  auto task = std::make_unique<PretrainTask>(std::move(p));
  setup.sequence_length = task->context();
  setup.task = std::move(task);
  return setup;
}

MethodSetup setUpPretrain(const MethodInputs& in) {
  const TrainConfig& c = in.config;
  MethodSetup setup;
  PretrainSetup p;
  p.data_dir = std::filesystem::absolute(c.data);
  p.meta = preparedMeta(in);
  const DatasetMeta& meta = p.meta;
  setup.scratch_tokenizer =
      in.resume_dir.empty() ? datasetTokenizer(meta, p.data_dir) : RunPaths{in.resume_dir}.tokenizer();
  GptConfig shape = scratchShape(c, meta.vocab_size);
  auto tokenizer = openTokenizer(setup.scratch_tokenizer);
  shape.bos_id = tokenizer->bosId();
  shape.eos_id = tokenizer->eosId();
  shape.pad_id = tokenizer->padId();
  p.source = scratchGpt(shape, static_cast<uint64_t>(c.seed), setup.scratch_tokenizer);
  setup.model_config = toHfConfig(shape);
  setup.dataset = p.data_dir.string();
  return startPretrainTask(std::move(p), std::move(setup), in);
}

MethodShape pretrainShape(const MethodInputs& in) {
  return MethodShape{.model = modelShape(scratchShape(in.config, preparedMeta(in).vocab_size))};
}

void validatePretrain(const TrainConfig& c) {
  if (c.preset.empty() && (c.layers == 0 || c.dim == 0 || c.heads == 0 || c.ctx == 0)) {
    throwConfigError("give `preset` (tiny, small, gpt2-124m) or all of `layers`, `dim`, `heads`, `ctx`");
  }
}

MethodSetup setUpContinuedPretrain(const MethodInputs& in) {
  const TrainConfig& c = in.config;
  MethodSetup setup;
  PretrainSetup p;
  const PeftChoice peft = peftChoice(c);
  p.source = baseModel(*in.base, /*accept_classifier=*/false, quantizeWhileLoading(peft, in.device));
  p.source.peft = peft;
  p.context = c.ctx;
  p.data_dir = preparedData(c, c.base, in.workspace);
  // A folder prepared just now (raw text given) has no meta in the inputs yet.
  p.meta = in.dataset ? *in.dataset : readDatasetMeta(p.data_dir);
  setup.model_config = p.source.hf_config;
  setup.dataset = c.data;
  return startPretrainTask(std::move(p), std::move(setup), in);
}

}  // namespace

MethodSpec pretrainMethod() {
  MethodSpec m;
  m.name = "pretrain";
  m.title = "Pretrain from scratch";
  m.summary =
      "A new model on your own corpus, with its own tokenizer: when no existing model fits your language or code.";
  m.base = BaseUse::None;
  m.data_formats = {"text", "prepared"};
  m.keys = {"preset", "layers", "dim", "heads", "bias", "sample-prompts", "sample-tokens"};
  m.set_up = setUpPretrain;
  m.dry_run_shape = pretrainShape;
  m.validate = validatePretrain;
  return m;
}

MethodSpec continuedPretrainMethod() {
  MethodSpec m;
  m.name = "continued-pretrain";
  m.title = "Continued pretraining";
  m.summary =
      "Teach an existing model your domain (your codebase, your documents) from raw text before any finetuning.";
  m.base = BaseUse::LanguageModel;
  m.data_formats = {"text", "prepared"};
  m.keys = {"base", "val-data", "val-fraction", "ext", "sample-prompts", "sample-tokens"};
  // A model that already knows language: a small learning rate and a short warmup; weight decay
  // stays, as in pretraining.
  m.defaults = {{"lr", 1e-4},        {"min-lr", 1e-5},    {"warmup-steps", 20},      {"weight-decay", 0.1},
                {"max-steps", 1000}, {"eval-every", 100}, {"checkpoint-every", 500}, {"batch-size", 8}};
  m.peft = {"none", "lora", "adapters", "prompt-tuning", "prefix-tuning"};
  m.set_up = setUpContinuedPretrain;
  m.dry_run_shape = baseModelShape;
  return m;
}

}  // namespace temper
