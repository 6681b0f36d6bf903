#pragma once
/// What the wizard's pages share: the engine, its `info`, and each page's choices so far. Pages
/// write their own part and read the parts of the pages before them.
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>
#include <functional>

#include "ui/client/engine_queries.h"
#include "ui/client/engine_replies.h"

namespace temper::studio {

/// A model a previous run produced, offered on the first page (the caller fills the list).
struct PreviousRunModel {
  QString run_id;
  QString name;
  QString model_dir;  ///< a Hugging Face folder (the run's final/ or a checkpoint)
  QString method;     ///< the run's method, "" when unknown (a classifier's runs are no policy base)
  /// Whether the run's model generates text (not a reward model's or a classifier's scores).
  bool isLanguageModel() const {
    return method != QLatin1String("reward-model") && method != QLatin1String("classify");
  }
};

/// A preference set of the workspace, offered on the data page as `set:NAME` (the caller fills
/// the list from the store).
struct PreferenceSetChoice {
  QString name;
  qint64 pairs = 0;
  qint64 labelled_pairs = 0;
};

class WizardContext : public QObject {
  Q_OBJECT

 public:
  explicit WizardContext(EngineQueries* engine, QObject* parent = nullptr) : QObject(parent), engine_(engine) {}

  EngineQueries* engine() const { return engine_; }

  // --- `temper info` (asked once when the wizard opens)
  bool infoReady() const { return info_ready_; }
  const EngineInfo& info() const { return info_; }
  QString infoError() const { return info_error_; }
  void setInfo(const EngineInfo& info);
  void setInfoError(const QString& error);
  /// Whether the engine takes `key` in a train config at all.
  bool engineHasKey(const QString& key) const { return info_.key(key) != nullptr; }
  /// Whether the engine takes `key` for some method that starts this way (from scratch, or from a
  /// base model): what pages 1 and 2 ask before the method is chosen.
  bool keyAppliesToStart(const QString& key, bool from_scratch) const;
  /// Whether the config should carry `key`: the engine takes it for the chosen method (or, before
  /// one is chosen, for the current start). The wizard never writes a key the engine would refuse.
  bool writesKey(const QString& key) const;

  // --- page 1
  bool from_scratch = true;
  QString preset;
  QString base_dir;       ///< the base model folder when !from_scratch
  ModelInspection model;  ///< valid when model_ok
  bool model_ok = false;
  QVector<PreviousRunModel> previous_runs;

  // --- page 2
  QVector<PreferenceSetChoice> preference_sets;
  QStringList data_paths;
  QString tokenizer;    ///< the tokenizer used to count tokens (scratch) — the base model's otherwise
  DataInspection data;  ///< valid when data_ok
  bool data_ok = false;

  // --- page 3
  QString method;

  // --- page 3b, "What is trained" (shown when the method takes an adapter kind)
  QString peft = QStringLiteral("none");  ///< the chosen `peft` value
  /// Whether the chosen method takes a PEFT kind besides "none" (then page 3b is shown).
  bool methodTakesAdapters() const;
  /// What the run trains: page 3b's choice when the method takes it, else "none" (every weight).
  QString peftInUse() const;
  /// The soft prompt's or the prefix's length (`prompt-tokens`, `prefix-tokens`), set by page 3b.
  qint64 prompt_tokens = 0;
  /// The positions a soft prompt or a prefix takes from the model's context: prompt_tokens when
  /// prompt or prefix tuning.
  qint64 softPromptTokens() const {
    const QString kind = peftInUse();
    return kind == QLatin1String("prompt-tuning") || kind == QLatin1String("prefix-tuning") ? prompt_tokens : 0;
  }

  /// Values to start from (a template, the last used values, a run being duplicated). Each page
  /// applies its part once per generation, when it is first shown after the seed changed.
  QJsonObject seed() const { return seed_; }
  int seedGeneration() const { return seed_generation_; }
  void setSeed(const QJsonObject& seed);

  /// Builds the whole config from every page (set by the wizard).
  std::function<QJsonObject()> assembleConfig;

 Q_SIGNALS:
  void infoChanged();

 private:
  EngineQueries* engine_;
  bool info_ready_ = false;
  EngineInfo info_;
  QString info_error_;
  QJsonObject seed_;
  int seed_generation_ = 0;
};

}  // namespace temper::studio
