#include "ui/wizard/hyperparameter_defaults.h"

#include <QString>
#include <algorithm>

#include "ui/wizard/peft_catalog.h"

namespace temper::studio {

namespace {

constexpr qint64 kMillion = 1000000;
constexpr qint64 kBillion = 1000000000;

bool fullFinetune(const QString& method) {
  return method == QLatin1String("continued-pretrain") || method == QLatin1String("sft") ||
         method == QLatin1String("classify");
}

/// Three significant digits, so a suggestion reads (and serialises) as 5e-06, not 4.9999999e-06.
double round3(double value) { return QString::number(value, 'g', 3).toDouble(); }

QJsonValue clampInto(const TrainKey& key, double value) {
  if (key.hasRange()) value = std::clamp(value, key.min, key.max);
  if (key.kind == TrainKey::Kind::Integer) return QJsonValue(static_cast<qint64>(value));
  return QJsonValue(round3(value));
}

}  // namespace

double suggestedLearningRate(const QString& method, const ModelSize& model, const QString& peft) {
  const qint64 n = model.parameters;
  const bool large = n >= kBillion;
  // Adapters start at zero and have few parameters: PEFT's, LLaMA-Factory's and Unsloth's examples
  // use 1e-4 to 2e-4 (the engine's LoRA default too, docs/peft.md).
  if (peft == QLatin1String("lora") || peft == QLatin1String("adapters")) return large ? 1e-4 : 2e-4;
  // Only a few vectors train and they must move far: PEFT's prompt-tuning examples use 3e-2.
  if (peft == QLatin1String("prompt-tuning")) return 3e-2;
  // Prefix tuning's papers (Li & Liang 2021, P-tuning v2) train prefixes at 5e-3 to 1e-2.
  if (peft == QLatin1String("prefix-tuning")) return 1e-2;
  // Pretraining from scratch: nanoGPT-scale models take 1e-3; GPT-2-small-scale 6e-4; larger 3e-4.
  if (method == QLatin1String("pretrain")) return n >= 500 * kMillion ? 3e-4 : (n >= 50 * kMillion ? 6e-4 : 1e-3);
  // Full finetuning of a pretrained model: 1e-4 for small models down to 2e-5 from a billion up,
  // so that what the model knows is not washed out in the first steps.
  if (fullFinetune(method)) return large ? 2e-5 : (n >= 100 * kMillion ? 5e-5 : 1e-4);
  if (method == QLatin1String("reward-model")) return large ? 5e-6 : 1e-5;
  if (method == QLatin1String("dpo")) return large ? 5e-7 : 1e-6;
  if (method == QLatin1String("ppo")) return large ? 1e-6 : 1e-5;
  return 0;
}

QJsonObject suggestedValues(const QString& method, const ModelSize& model, const EngineInfo& info,
                            const QString& peft) {
  QJsonObject suggestions;
  const double lr = suggestedLearningRate(method, model, peft);
  if (lr > 0) {
    suggestions[QStringLiteral("lr")] = lr;
    suggestions[QStringLiteral("min-lr")] = lr / 10;  // cosine decay to a tenth, as in nanoGPT and Chinchilla
  }
  if (method != QLatin1String("pretrain")) {
    // Finetuning sees far fewer tokens than pretraining: shorter runs, shorter warmup, smaller
    // batches of longer documents, evaluation and checkpoints more often.
    suggestions[QStringLiteral("max-steps")] = 1000;
    suggestions[QStringLiteral("warmup-steps")] = 30;
    suggestions[QStringLiteral("batch-size")] = 8;
    suggestions[QStringLiteral("eval-every")] = 100;
    suggestions[QStringLiteral("checkpoint-every")] = 250;
    suggestions[QStringLiteral("weight-decay")] = 0.01;
    if (model.ctx > 0) suggestions[QStringLiteral("ctx")] = static_cast<qint64>(std::min<qint64>(model.ctx, 1024));
  }
  // Who wins: the wizard's size-dependent values (the engine's defaults know the method, not the
  // model), then the engine's default for the method, then the wizard's method-only values, then
  // the key's plain default.
  static const QStringList size_dependent{QStringLiteral("lr"), QStringLiteral("min-lr"), QStringLiteral("ctx")};
  QJsonObject values;
  for (const TrainKey& key : info.train_keys) {
    if (!key.appliesTo(method) || structuralKeys().contains(key.key) || isPeftKey(key)) continue;
    const bool numeric = key.kind == TrainKey::Kind::Integer || key.kind == TrainKey::Kind::Number;
    const bool suggested = numeric && suggestions.contains(key.key);
    if (suggested && size_dependent.contains(key.key)) {
      values[key.key] = clampInto(key, suggestions.value(key.key).toDouble());
    } else if (key.method_defaults.contains(method)) {
      values[key.key] = key.method_defaults.value(method);
    } else if (suggested) {
      values[key.key] = clampInto(key, suggestions.value(key.key).toDouble());
    } else if (!key.default_value.isNull()) {
      values[key.key] = key.default_value;
    }
  }
  return values;
}

const QStringList& commonKeys() {
  static const QStringList keys{QStringLiteral("max-steps"), QStringLiteral("lr"), QStringLiteral("batch-size"),
                                QStringLiteral("grad-accum"), QStringLiteral("ctx"), QStringLiteral("warmup-steps"),
                                QStringLiteral("eval-every"), QStringLiteral("device"),
                                // What a preference or reward method is tuned by first (each shown
                                // only for the methods that take it).
                                QStringLiteral("num-generations"), QStringLiteral("beta")};
  return keys;
}

const QStringList& structuralKeys() {
  static const QStringList keys{QStringLiteral("method"),   QStringLiteral("data"),        QStringLiteral("name"),
                                QStringLiteral("preset"),   QStringLiteral("base"),        QStringLiteral("tokenizer"),
                                QStringLiteral("val-data"), QStringLiteral("val-fraction")};
  return keys;
}

const QStringList& rewardKeys() {
  static const QStringList keys{QStringLiteral("reward-rules"), QStringLiteral("reward-model"),
                                QStringLiteral("reward-model-weight")};
  return keys;
}

}  // namespace temper::studio
