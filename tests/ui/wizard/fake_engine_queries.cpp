#include "fake_engine_queries.h"

#include <QJsonDocument>

namespace temper::studio {

namespace {

/// The engine's own help texts (core/train/train_config_keys.cpp), so screenshots read true.
QString help(const char* name) {
  static const QMap<QString, QString> texts{{"batch-size", "sequences per micro-batch"},
                                            {"grad-accum", "micro-batches per optimizer step"},
                                            {"max-steps", "optimizer steps"},
                                            {"lr", "peak learning rate"},
                                            {"min-lr", "learning rate at the end of the cosine decay"},
                                            {"warmup-steps", "linear warmup steps"},
                                            {"weight-decay", "AdamW decoupled weight decay (2-D weights only)"},
                                            {"eval-every", "steps between validation passes"},
                                            {"checkpoint-every", "steps between checkpoints"},
                                            {"ctx", "context length in tokens"},
                                            {"layers", "transformer blocks (overrides the preset)"},
                                            {"dim", "embedding width (overrides the preset)"},
                                            {"heads", "attention heads; must divide dim"},
                                            {"bias", "biases in the Linear layers"},
                                            {"seed", "seed for initialisation, data order and dropout"},
                                            {"device", "where to train"},
                                            {"train-last-blocks", "blocks trained besides the head (0: all)"},
                                            {"lora-rank", "rank of the LoRA matrices"}};
  return texts.value(QLatin1String(name), QStringLiteral("help of %1").arg(QLatin1String(name)));
}

QJsonObject key(const char* name, const char* kind, QJsonValue def, double min, double max, QStringList choices,
                QStringList methods = {}) {
  return QJsonObject{{"key", name},        {"kind", kind},
                     {"default", def},     {"min", min},
                     {"max", max},         {"choices", QJsonArray::fromStringList(choices)},
                     {"help", help(name)}, {"methods", QJsonArray::fromStringList(methods)}};
}

/// The engine's per-method defaults (`method_defaults`), as the real engine sends them.
QJsonObject withMethodDefaults(QJsonObject key, const QJsonObject& defaults) {
  key["method_defaults"] = defaults;
  return key;
}

const QStringList kFinetuning{"continued-pretrain", "sft", "classify", "lora"};

// The data formats of the real engine's methods (`temper info --json`).
const QStringList kText{"text", "prepared"};
const QStringList kPrompted{"prompt-completion", "alpaca", "messages"};
const QStringList kAnyButPreference = kText + kPrompted + QStringList{"text-label"};

QJsonObject method(const char* name, bool available, const char* reason, const char* base, QStringList formats,
                   QStringList metrics = {}) {
  return QJsonObject{{"name", name},
                     {"title", QStringLiteral("Title of %1").arg(name)},
                     {"summary", "engine summary"},
                     {"available", available},
                     {"reason", reason},
                     {"needs_base", QLatin1String(base) != QLatin1String("none")},
                     {"base", base},
                     {"formats", QJsonArray::fromStringList(formats)},
                     {"metrics", QJsonArray::fromStringList(metrics)}};
}

}  // namespace

FakeEngineQueries::FakeEngineQueries() {
  const QJsonValue null(QJsonValue::Null);
  QJsonArray keys{
      key("method", "choice", "pretrain", 0, 0, {"pretrain", "continued-pretrain", "sft", "classify", "lora"}),
      key("data", "text", null, 0, 0, {}),
      key("name", "text", "", 0, 0, {}),
      key("preset", "choice", null, 0, 0, {"tiny", "small"}, {"pretrain"}),
      key("base", "text", null, 0, 0, {}),
      key("tokenizer", "text", null, 0, 0, {}, {"pretrain"}),
      key("val-fraction", "number", 0.1, 0.001, 0.5, {}, kFinetuning),
      key("val-data", "text", "", 0, 0, {}, kFinetuning),
      key("layers", "integer", null, 1, 256, {}, {"pretrain"}),
      key("dim", "integer", null, 8, 32768, {}, {"pretrain"}),
      key("heads", "integer", null, 1, 256, {}, {"pretrain"}),
      key("ctx", "integer", null, 2, 65536, {}),
      key("batch-size", "integer", 12, 1, 65536, {}),
      key("grad-accum", "integer", 1, 1, 4096, {}),
      withMethodDefaults(key("max-steps", "integer", 2000, 1, 100000000, {}), {{"sft", 500}}),
      withMethodDefaults(key("lr", "number", 1e-3, 1e-9, 10, {}), {{"classify", 3e-5}}),
      key("min-lr", "number", 1e-4, 0, 10, {}),
      withMethodDefaults(key("warmup-steps", "integer", 100, 0, 100000000, {}), {{"sft", 10}, {"classify", 10}}),
      key("weight-decay", "number", 0.1, 0, 10, {}),
      key("eval-every", "integer", 250, 1, 100000000, {}),
      key("checkpoint-every", "integer", 500, 1, 100000000, {}),
      key("bias", "boolean", true, 0, 0, {}, {"pretrain"}),
      key("train-last-blocks", "integer", 0, 0, 256, {}, {"classify"}),
      key("lora-rank", "integer", 8, 1, 1024, {}, {"lora"}),
      key("seed", "integer", 1337, 0, 9007199254740991.0, {}),
      key("device", "choice", "auto", 0, 0, {"auto", "cpu", "cuda"}),
  };
  const char* lm = "language-model";
  QJsonArray methods{method("pretrain", true, "", "none", kText),
                     method("continued-pretrain", true, "", lm, kText),
                     method("sft", true, "", lm, kPrompted, {"token_accuracy"}),
                     method("classify", true, "", "language-model-or-classifier", {"text-label"}, {"accuracy"}),
                     method("lora", true, "", lm, kAnyButPreference),
                     method("adapters", false, "not in the engine yet", lm, kAnyButPreference),
                     method("prompt-tuning", false, "not in the engine yet", lm, kAnyButPreference),
                     method("few-shot", false, "not in the engine yet", lm, kPrompted + QStringList{"text-label"}),
                     method("reward-model", false, "not in the engine yet", lm, {"preference"}),
                     method("dpo", false, "arrives with the RLHF issue", lm, {"preference"}),
                     method("ppo", false, "arrives with the RLHF issue", lm, kPrompted)};
  QJsonArray presets{
      QJsonObject{{"name", "tiny"}, {"layers", 2}, {"dim", 64}, {"heads", 2}, {"ctx", 64}, {"parameters", 123456}},
      QJsonObject{
          {"name", "small"}, {"layers", 6}, {"dim", 384}, {"heads", 6}, {"ctx", 256}, {"parameters", 10700000}}};
  info_reply = ok(QJsonObject{
      {"temper", "0.1.0"},
      {"libtorch", "1.13.0"},
      {"sentencepiece", "0.1.97"},
      {"sqlite", "3.40.1"},
      {"device",
       QJsonObject{
           {"cuda_available", false}, {"cuda_devices", QJsonArray{}}, {"cpu_threads", 2}, {"blas", "openblas-openmp"}}},
      {"methods", methods},
      {"train_keys", keys},
      {"presets", presets}});

  models.insert(QStringLiteral("/models/gpt2-small"), ok(QJsonObject{{"family", "gpt2"},
                                                                     {"architecture", "GPT2LMHeadModel"},
                                                                     {"model_type", "gpt2"},
                                                                     {"parameters", 124439808},
                                                                     {"dtype", "F32"},
                                                                     {"layers", 12},
                                                                     {"hidden", 768},
                                                                     {"heads", 12},
                                                                     {"kv_heads", 12},
                                                                     {"ctx", 1024},
                                                                     {"vocab", 50257},
                                                                     {"tokenizer", "byte-level-bpe"},
                                                                     {"chat_template", "none"},
                                                                     {"task", "causal-lm"},
                                                                     {"files", QJsonArray{"model.safetensors"}},
                                                                     {"bytes", 497774208}}));
  models.insert(QStringLiteral("/runs/r1/final"), ok(QJsonObject{{"family", "gpt2"},
                                                                 {"architecture", "GPT2LMHeadModel"},
                                                                 {"model_type", "gpt2"},
                                                                 {"parameters", 123456},
                                                                 {"dtype", "F32"},
                                                                 {"layers", 2},
                                                                 {"hidden", 64},
                                                                 {"heads", 2},
                                                                 {"kv_heads", 2},
                                                                 {"ctx", 64},
                                                                 {"vocab", 512},
                                                                 {"tokenizer", "sentencepiece"},
                                                                 {"chat_template", "none"},
                                                                 {"task", "causal-lm"},
                                                                 {"files", QJsonArray{"model.safetensors"}},
                                                                 {"bytes", 493824}}));

  data.insert(QStringLiteral("/data/corpus"),
              ok(QJsonObject{{"files", 3},
                             {"skipped_files", 1},
                             {"format", "text"},
                             {"fields", QJsonArray{}},
                             {"records", 3},
                             {"documents", 3},
                             {"bytes", 120000},
                             {"tokens", 40000},
                             {"preview", QJsonArray{QJsonObject{{"text", "function add(a, b) {\n  return a + b;\n}"}},
                                                    QJsonObject{{"text", "# Notes\nplain text"}}}}}));
  const QJsonArray sft_preview{QJsonObject{{"prompt", "How many rows?"}, {"completion", "SELECT COUNT(*) FROM t"}},
                               QJsonObject{{"prompt", "Names?"}, {"completion", "SELECT name FROM t"}, {"id", 7}}};
  data.insert(QStringLiteral("/data/sft.jsonl"), ok(QJsonObject{{"files", 1},
                                                                {"skipped_files", 0},
                                                                {"format", "prompt-completion"},
                                                                {"fields", QJsonArray{"prompt", "completion"}},
                                                                {"records", 1000},
                                                                {"documents", 1000},
                                                                {"bytes", 123456},
                                                                {"tokens", 98765},
                                                                {"preview", sft_preview}}));
  data.insert(QStringLiteral("/data/labels.jsonl"),
              ok(QJsonObject{{"files", 1},
                             {"skipped_files", 0},
                             {"format", "text-label"},
                             {"fields", QJsonArray{"text", "label"}},
                             {"records", 22},
                             {"documents", 22},
                             {"bytes", 2000},
                             {"tokens", 500},
                             {"preview", QJsonArray{QJsonObject{{"text", "great"}, {"label", "pos"}}}},
                             {"labels", QJsonObject{{"pos", 10}, {"neg", 12}}}}));
  data.insert(QStringLiteral("/data/prefs.jsonl"),
              ok(QJsonObject{{"files", 1},
                             {"skipped_files", 0},
                             {"format", "preference"},
                             {"fields", QJsonArray{"prompt", "chosen", "rejected"}},
                             {"records", 5},
                             {"documents", 5},
                             {"bytes", 500},
                             {"preview", QJsonArray{}}}));

  dry_run_reply = ok(QJsonObject{{"parameters", 124439808},
                                 {"trainable_parameters", 124439808},
                                 {"bytes", QJsonObject{{"weights", 497759232},
                                                       {"gradients", 497759232},
                                                       {"optimizer", 995518464},
                                                       {"activations", 301989888},
                                                       {"total", 2293026816.0}}},
                                 {"device", "cpu"}});
}

}  // namespace temper::studio
