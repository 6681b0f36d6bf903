#include "fake_engine_queries.h"

#include <QJsonDocument>

namespace temper::studio {

namespace {

/// The engine's own help texts (core/train/train_config_keys.cpp), so screenshots read true.
QString help(const char* name) {
  static const QMap<QString, QString> texts{
      {"batch-size", "sequences per micro-batch"},
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
      {"peft", "what is trained: none (every weight), lora or prompt-tuning"},
      {"lora-r", "LoRA rank r"},
      {"lora-alpha", "LoRA alpha; the update is scaled by alpha / r (default 2 × r)"},
      {"lora-dropout", "dropout on the LoRA input"},
      {"lora-targets",
       "projections LoRA adapts: attention-qv, attention, all-linear, a comma "
       "list of module names (q_proj,v_proj) or a regex over module paths"},
      {"use-rslora", "rank-stabilised LoRA: scale by alpha / sqrt(r)"},
      {"use-dora", "DoRA: a trained magnitude per output row on top of LoRA"},
      {"lora-bias", "biases trained with the adapter"},
      {"prompt-tokens", "prompt tuning: virtual tokens in the soft prompt"},
      {"prompt-init", "prompt tuning: how the prompt starts"},
      {"prompt-init-text", "prompt tuning: the text whose tokens start the prompt"},
      {"adapter-placement", "where the bottleneck adapter sits in each block"},
      {"adapter-reduction", "hidden size / bottleneck width"},
      {"adapter-act", "the bottleneck's activation"},
      {"adapter-layers", "blocks that get an adapter: all, or a list such as 0-3,6"},
      {"base-quant",
       "QLoRA: store the frozen base's projections quantised in blocks of 64 (int8, or 4-bit NormalFloat as "
       "bitsandbytes), dequantised one layer at a time; needs a `peft` kind"},
      {"base-quant-double",
       "QLoRA: quantise the per-block scales too (double quantisation, 0.37 bits per weight "
       "less for nf4)"}};
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

const QStringList kFinetuning{"continued-pretrain", "sft", "classify"};
// The methods that take an adapter kind (the real engine's MethodSpec::peft lists).
const QStringList kAdaptable{"continued-pretrain", "sft"};

// The data formats of the real engine's methods (`temper info --json`).
const QStringList kText{"text", "prepared"};
const QStringList kPrompted{"prompt-completion", "alpaca", "messages"};
const QStringList kAnyButPreference = kText + kPrompted + QStringList{"text-label"};

QJsonObject method(const char* name, bool available, const char* reason, const char* base, QStringList formats,
                   QStringList metrics = {}) {
  const bool adaptable = kAdaptable.contains(QLatin1String(name));
  return QJsonObject{{"name", name},
                     {"peft", adaptable ? QJsonArray{"none", "lora", "prompt-tuning"} : QJsonArray{"none"}},
                     {"title", QStringLiteral("Title of %1").arg(name)},
                     {"summary", "engine summary"},
                     {"available", available},
                     {"reason", reason},
                     {"needs_base", QLatin1String(base) != QLatin1String("none")},
                     {"base", base},
                     {"formats", QJsonArray::fromStringList(formats)},
                     {"metrics", QJsonArray::fromStringList(metrics)}};
}

QJsonObject peftKind(const char* name, const char* title, bool available, const char* reason, QStringList methods) {
  return QJsonObject{
      {"name", name},           {"title", title},   {"summary", QStringLiteral("engine summary of %1").arg(name)},
      {"available", available}, {"reason", reason}, {"methods", QJsonArray::fromStringList(methods)}};
}

const QStringList kAll{"pretrain", "continued-pretrain", "sft", "classify"};

/// GPT-2 124M's projections as `model inspect` lists them: four per block, bias included.
QJsonArray gpt2Modules(int blocks, int hidden) {
  struct Projection {
    const char* name;
    const char* role;
    int in, out;
  };
  const Projection projections[] = {{"attn.c_attn", "qkv", hidden, 3 * hidden},
                                    {"attn.c_proj", "o", hidden, hidden},
                                    {"mlp.c_fc", "mlp-up", hidden, 4 * hidden},
                                    {"mlp.c_proj", "mlp-down", 4 * hidden, hidden}};
  QJsonArray modules;
  for (int b = 0; b < blocks; ++b) {
    for (const Projection& p : projections) {
      modules.append(QJsonObject{{"name", QStringLiteral("transformer.h.%1.%2").arg(b).arg(p.name)},
                                 {"block", b},
                                 {"role", p.role},
                                 {"in", p.in},
                                 {"out", p.out},
                                 {"parameters", qint64(p.in) * p.out + p.out}});
    }
  }
  return modules;
}

/// A dry run's answer for a model of `parameters` of which `trainable` train (the weights at fp32
/// unless `weights` says otherwise).
EngineReply estimate(qint64 parameters, qint64 trainable, qint64 total, qint64 weights = -1) {
  return FakeEngineQueries::ok(QJsonObject{{"parameters", parameters},
                                           {"trainable_parameters", trainable},
                                           {"bytes", QJsonObject{{"weights", weights >= 0 ? weights : parameters * 4},
                                                                 {"gradients", trainable * 4},
                                                                 {"optimizer", trainable * 8},
                                                                 {"activations", 301989888},
                                                                 {"total", double(total)}}},
                                           {"device", "cpu"}});
}

}  // namespace

void FakeEngineQueries::enableAdapters() {
  QJsonObject json = info_reply.json;
  QJsonArray kinds = json["peft_kinds"].toArray();
  kinds[2] = peftKind("adapters", "Bottleneck adapters", true, "", kAdaptable);
  json["peft_kinds"] = kinds;
  QJsonArray methods = json["methods"].toArray();
  for (int i = 0; i < methods.size(); ++i) {
    QJsonObject m = methods[i].toObject();
    if (!kAdaptable.contains(m["name"].toString())) continue;
    m["peft"] = QJsonArray{"none", "lora", "adapters", "prompt-tuning"};
    methods[i] = m;
  }
  json["methods"] = methods;
  QJsonArray keys = json["train_keys"].toArray();
  for (int i = 0; i < keys.size(); ++i) {
    if (keys[i].toObject()["key"] != "peft") continue;
    QJsonObject peft = keys[i].toObject();
    peft["choices"] = QJsonArray{"none", "lora", "adapters", "prompt-tuning"};
    keys[i] = peft;
  }
  keys.append(key("adapter-placement", "choice", "after-ffn", 0, 0,
                  {"after-attention", "after-ffn", "both", "parallel"}, kAdaptable));
  keys.append(key("adapter-reduction", "integer", 16, 1, 4096, {}, kAdaptable));
  keys.append(key("adapter-act", "choice", "relu", 0, 0, {"relu", "gelu", "silu"}, kAdaptable));
  keys.append(key("adapter-layers", "text", "all", 0, 0, {}, kAdaptable));
  json["train_keys"] = keys;
  info_reply = ok(json);
  dry_run_by_peft.insert(QStringLiteral("adapters"), estimate(124439808, 894528, 910163968));
}

void FakeEngineQueries::enableOnlineMethods() {
  QJsonObject json = info_reply.json;
  const QStringList online{"grpo", "ppo"};
  const QStringList prompts = kPrompted + QStringList{"preference", "prompt-only"};
  QJsonArray methods = json["methods"].toArray();
  for (int i = 0; i < methods.size(); ++i) {
    if (methods[i].toObject()["name"] == "ppo") methods.removeAt(i--);
  }
  for (const QString& name : online) {
    QJsonObject m = method(name == "grpo" ? "grpo" : "ppo", true, "", "language-model", prompts, {"reward"});
    // As the real engine: the online methods take adapters (here LoRA, the kind the tests use).
    m["peft"] = QJsonArray{"none", "lora"};
    methods.append(m);
  }
  json["methods"] = methods;
  QJsonArray kinds = json["peft_kinds"].toArray();
  kinds[1] = peftKind("lora", "LoRA", true, "", kAdaptable + online);
  json["peft_kinds"] = kinds;
  QJsonArray keys = json["train_keys"].toArray();
  for (int i = 0; i < keys.size(); ++i) {
    QJsonObject k = keys[i].toObject();
    const QStringList methods_of_key = k["methods"].toVariant().toStringList();
    // The keys every method with a base takes, and LoRA's, apply to the online methods too.
    if (methods_of_key == kAdaptable || methods_of_key == kFinetuning) {
      k["methods"] = QJsonArray::fromStringList(methods_of_key + online);
      keys[i] = k;
    }
  }
  keys.append(key("reward-rules", "text", "", 0, 0, {}, online));
  keys.append(key("reward-model", "text", "", 0, 0, {}, online));
  keys.append(key("reward-model-weight", "number", 1.0, 0, 1000, {}, online));
  keys.append(key("num-generations", "integer", 8, 2, 1024, {}, {"grpo"}));
  keys.append(key("beta", "number", 0.0, 0, 1000, {}, online));
  json["train_keys"] = keys;
  info_reply = ok(json);

  data.insert(
      QStringLiteral("/data/prompts.jsonl"),
      ok(QJsonObject{
          {"files", 1},
          {"skipped_files", 0},
          {"format", "prompt-only"},
          {"fields", QJsonArray{"prompt"}},
          {"records", 200},
          {"documents", 200},
          {"bytes", 9000},
          {"preview",
           QJsonArray{QJsonObject{{"prompt", "What is 6 x 7?"}, {"answer", "42"}},
                      QJsonObject{{"prompt", "What is 2 + 2?"}, {"answer", 4}},
                      QJsonObject{{"prompt", "Name a prime above 10."}, {"answer", "11"}, {"topic", "primes"}}}}}));
  models.insert(QStringLiteral("/runs/rm/final"), ok(QJsonObject{{"family", "gpt2"},
                                                                 {"architecture", "GPT2ForSequenceClassification"},
                                                                 {"model_type", "gpt2"},
                                                                 {"parameters", 123520},
                                                                 {"dtype", "F32"},
                                                                 {"layers", 2},
                                                                 {"hidden", 64},
                                                                 {"heads", 2},
                                                                 {"kv_heads", 2},
                                                                 {"ctx", 64},
                                                                 {"vocab", 512},
                                                                 {"tokenizer", "sentencepiece"},
                                                                 {"chat_template", "none"},
                                                                 {"task", "sequence-classification"},
                                                                 {"labels", QJsonArray{"LABEL_0"}},
                                                                 {"files", QJsonArray{"model.safetensors"}},
                                                                 {"bytes", 494080}}));
  reward_models.insert(QStringLiteral("/runs/rm/final"), 0.5);
}

FakeEngineQueries::FakeEngineQueries() {
  const QJsonValue null(QJsonValue::Null);
  QJsonArray keys{
      key("method", "choice", "pretrain", 0, 0, {"pretrain", "continued-pretrain", "sft", "classify"}),
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
      key("peft", "choice", "none", 0, 0, {"none", "lora", "prompt-tuning"}, kAdaptable),
      key("lora-r", "integer", 8, 1, 4096, {}, kAdaptable),
      key("lora-alpha", "number", null, 1e-6, 1e6, {}, kAdaptable),
      key("lora-dropout", "number", 0.0, 0, 0.95, {}, kAdaptable),
      key("lora-targets", "text", "attention-qv", 0, 0, {}, kAdaptable),
      key("use-rslora", "boolean", false, 0, 0, {}, kAdaptable),
      key("use-dora", "boolean", false, 0, 0, {}, kAdaptable),
      key("lora-bias", "choice", "none", 0, 0, {"none", "lora-only", "all"}, kAdaptable),
      key("prompt-tokens", "integer", 20, 1, 4096, {}, kAdaptable),
      key("prompt-init", "choice", "vocab", 0, 0, {"vocab", "text", "random"}, kAdaptable),
      key("prompt-init-text", "text", "", 0, 0, {}, kAdaptable),
      // As the real engine: listed for every finetuning method, refused with `peft none`.
      key("base-quant", "choice", "none", 0, 0, {"none", "int8", "nf4"}, kFinetuning),
      key("base-quant-double", "boolean", true, 0, 0, {}, kFinetuning),
      key("seed", "integer", 1337, 0, 9007199254740991.0, {}),
      key("device", "choice", "auto", 0, 0, {"auto", "cpu", "cuda"}),
  };
  const char* lm = "language-model";
  QJsonArray methods{method("pretrain", true, "", "none", kText),
                     method("continued-pretrain", true, "", lm, kText),
                     method("sft", true, "", lm, kPrompted, {"token_accuracy"}),
                     method("classify", true, "", "language-model-or-classifier", {"text-label"}, {"accuracy"}),
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
      {"peft_kinds",
       QJsonArray{peftKind("none", "Full", true, "", kAll), peftKind("lora", "LoRA", true, "", kAdaptable),
                  peftKind("adapters", "Bottleneck adapters", false, "not in the engine yet", {}),
                  peftKind("prompt-tuning", "Prompt tuning", true, "", kAdaptable),
                  peftKind("prefix-tuning", "Prefix tuning", false, "not in the engine yet", {})}},
      {"train_keys", keys},
      {"presets", presets}});

  models.insert(QStringLiteral("/models/gpt2-small"), ok(QJsonObject{{"family", "gpt2"},
                                                                     {"modules", gpt2Modules(12, 768)},
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

  // A preference set of the workspace as `data inspect set:NAME` answers.
  data.insert(QStringLiteral("set:helpful"),
              ok(QJsonObject{
                  {"files", 0},
                  {"skipped_files", 0},
                  {"format", "preference"},
                  {"fields", QJsonArray{"prompt", "chosen", "rejected"}},
                  {"records", 8},
                  {"documents", 8},
                  {"bytes", 2048},
                  {"preview", QJsonArray{QJsonObject{
                                  {"prompt", "Hi?"}, {"chosen", "Hello, how can I help?"}, {"rejected", "Go away."}}}},
                  {"preference_set", QJsonObject{{"name", "helpful"},
                                                 {"pairs", 12},
                                                 {"labelled_pairs", 10},
                                                 {"usable", 8},
                                                 {"unlabelled", 2},
                                                 {"no_preference", 1},
                                                 {"no_majority", 1},
                                                 {"labellers", 2},
                                                 {"multiply_labelled_pairs", 5},
                                                 {"raw_agreement", 0.8},
                                                 {"krippendorff_alpha", 0.58}}}}));

  dry_run_reply = ok(QJsonObject{{"parameters", 124439808},
                                 {"trainable_parameters", 124439808},
                                 {"bytes", QJsonObject{{"weights", 497759232},
                                                       {"gradients", 497759232},
                                                       {"optimizer", 995518464},
                                                       {"activations", 301989888},
                                                       {"total", 2293026816.0}}},
                                 {"device", "cpu"}});
  // What an adapter trains on the 124 M model: LoRA r 8 on c_attn, a 20-token prompt.
  dry_run_by_peft.insert(QStringLiteral("lora"), estimate(124439808, 294912, 889192448));
  dry_run_by_peft.insert(QStringLiteral("prompt-tuning"), estimate(124439808, 15360, 800063488));
  // The same LoRA on an nf4 base: the projections at 4.127 bits (double quantisation), the frozen
  // embeddings in bf16, the rest at fp32.
  dry_run_by_peft.insert(QStringLiteral("lora/nf4"), estimate(124439808, 294912, 514501874, 123068658));
}

}  // namespace temper::studio
