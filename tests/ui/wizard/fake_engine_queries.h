#pragma once
/// EngineQueries for tests: answers from tables the test fills, either at once (inside the call)
/// or on the next turn of the event loop, and remembers what it was asked.
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include "ui/client/engine_queries.h"

namespace temper::studio {

class FakeEngineQueries : public EngineQueries {
 public:
  /// The engine of the contract (docs/wizard.md) with the keys the tests use; its PEFT kinds are
  /// the real engine's today (full, LoRA, prompt tuning; adapters and prefix tuning not yet).
  FakeEngineQueries();
  /// Bottleneck adapters as the engine will list them: the kind available for the finetuning
  /// methods, with its keys.
  void enableAdapters();
  /// The online methods (grpo, ppo) available with their reward keys, a prompts file with an
  /// `answer` field, and a reward model folder.
  void enableOnlineMethods();

  EngineReply info_reply;
  QMap<QString, EngineReply> models;  ///< by folder; an unknown folder is an error
  QMap<QString, EngineReply> data;    ///< by the paths joined with '|'; unknown paths are an error
  EngineReply dry_run_reply;
  /// A config's own answer by its `peft` value (what an adapter trains), or by "peft/base-quant"
  /// ("lora/nf4") when the config quantises the base and such an entry exists; dry_run_reply otherwise.
  QMap<QString, EngineReply> dry_run_by_peft;
  bool deferred = false;

  /// Reward models by folder: the score of an answer is this factor times its length.
  QMap<QString, double> reward_models;
  QStringList scored_answers;  ///< "prompt|answer" of every scoreAnswer, in order

  QStringList data_tokenizers;  ///< the tokenizer of every data inspection, in order
  QVector<QJsonObject> dry_run_configs;
  int info_calls = 0;

  static EngineReply ok(const QJsonObject& json) { return {true, json, {}, 0, {}}; }
  /// The engine refusing, as it does for a bad input (exit code 3).
  static EngineReply failed(const QString& error) { return {false, {}, error, 3, {}}; }

  void info(QObject* context, EngineCallback done) override {
    ++info_calls;
    answer(context, std::move(done), info_reply);
  }
  void inspectModel(const QString& dir, QObject* context, EngineCallback done) override {
    answer(context, std::move(done),
           models.value(dir, failed(QStringLiteral("%1: no config.json (not a Hugging Face model folder)").arg(dir))));
  }
  void inspectData(const QStringList& paths, const QString& tokenizer, QObject* context, EngineCallback done) override {
    data_tokenizers << tokenizer;
    const QString key = paths.join(QLatin1Char('|'));
    answer(context, std::move(done), data.value(key, failed(QStringLiteral("%1: no such file").arg(key))));
  }
  void dryRun(const QJsonObject& config, QObject* context, EngineCallback done) override {
    dry_run_configs << config;
    const QString peft = config.value(QStringLiteral("peft")).toString();
    const QString quantised = peft + QLatin1Char('/') + config.value(QStringLiteral("base-quant")).toString();
    if (config.contains(QStringLiteral("base-quant")) && dry_run_by_peft.contains(quantised)) {
      answer(context, std::move(done), dry_run_by_peft.value(quantised));
      return;
    }
    answer(context, std::move(done), dry_run_by_peft.value(peft, dry_run_reply));
  }
  // The wizard never evaluates or exports.
  void evaluate(const QString&, const QString&, QObject* context, EngineCallback done) override {
    answer(context, std::move(done), failed(QStringLiteral("the fake engine does not evaluate")));
  }
  void exportRun(const QString&, const QString&, bool, QObject* context, EngineCallback done) override {
    answer(context, std::move(done), failed(QStringLiteral("the fake engine does not export")));
  }
  /// A reward model's score: by folder, a fixed score per answer length (so that the preview's
  /// sums are checkable); an unknown folder is an error.
  void scoreAnswer(const QString& model_dir, const QString& prompt, const QString& answer_text, QObject* context,
                   EngineCallback done) override {
    scored_answers << prompt + QLatin1Char('|') + answer_text;
    if (!reward_models.contains(model_dir)) {
      answer(context, std::move(done), failed(QStringLiteral("%1: no config.json").arg(model_dir)));
      return;
    }
    const double score = reward_models.value(model_dir) * static_cast<double>(answer_text.size());
    answer(context, std::move(done), ok(QJsonObject{{"reward", score}}));
  }

 private:
  void answer(QObject* context, EngineCallback done, const EngineReply& reply) {
    if (!deferred) {
      done(reply);
      return;
    }
    QTimer::singleShot(0, context, [done = std::move(done), reply] { done(reply); });
  }
};

}  // namespace temper::studio
