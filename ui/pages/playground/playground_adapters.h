#pragma once
/// What the Playground knows of PEFT adapter folders (docs/peft.md): which ones fit the loaded
/// base, read from their adapter_config.json, and the words its Adapter box and the transcript's
/// captions use for them. The page itself only talks to the chat session.
#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>
#include <optional>

namespace temper::studio {

class LibraryModel;

/// An adapter folder as the Adapter box lists it (read from its adapter_config.json).
struct PlaygroundAdapter {
  QString path;
  QString kind;  ///< lora, adapters, prompt-tuning, prefix-tuning
  QString base;  ///< base_model_name_or_path
  QString name;  ///< the run's name, else the folder's
  /// A SEQ_CLS adapter (a classify run's): it scores labels, it does not chat, so it is never offered.
  bool classifier = false;
};

/// The adapter_config.json of `dir` (a few hundred bytes: read here rather than asking the engine
/// once per run); nullopt when `dir` holds no adapter Temper loads.
std::optional<PlaygroundAdapter> readAdapterFolder(const QString& dir);
/// Whether two paths name one folder (through links where both exist).
bool sameFolder(const QString& a, const QString& b);
/// A folder's name as the boxes show it: a run's "final" by its run folder, a checkpoint as
/// "<run> · step-50".
QString folderLabel(const QString& path);

/// Every adapter the Playground has seen, by folder, and those added by hand for the loaded base.
class PlaygroundAdapters {
 public:
  void remember(const PlaygroundAdapter& adapter) { known_.insert(adapter.path, adapter); }
  bool knows(const QString& dir) const { return known_.contains(dir); }
  PlaygroundAdapter value(const QString& dir) const { return known_.value(dir); }

  /// A folder added by hand ("Add folder…") stays offered until another base is loaded.
  void addByHand(const QString& dir);
  void forgetByHand() { by_hand_.clear(); }

  /// What the Adapter box offers on `base`: the runs of `models` (may be null) whose final/ is an
  /// adapter of that base, then the folders added by hand; each listed once.
  QVector<PlaygroundAdapter> offeredFor(const LibraryModel* models, const QString& base);

  /// "LoRA", "Bottleneck adapters", "Prompt tuning", "Prefix tuning" (translated).
  static QString kindLabel(const QString& kind);
  /// The run's name, else the folder's.
  QString name(const QString& dir) const;
  /// "LoRA adapter “name”", "soft prompt “name”", ... (translated).
  QString title(const QString& dir) const;
  /// The line under an answer given by `dir` ("— with LoRA adapter “name”"; empty dir: the base).
  QString caption(const QString& dir) const;

 private:
  QHash<QString, PlaygroundAdapter> known_;
  QStringList by_hand_;
};

}  // namespace temper::studio
