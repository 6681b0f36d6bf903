#pragma once
/// Every answer of the engine's one-shot `--json` commands (docs/cli.md), read in one place: the
/// reply of a finished child (ok with its JSON object, or the engine's message and exit code) and
/// the parsers that turn that object into plain structs for the status bar, the wizard and the
/// pages: `info`, `model inspect`, `data inspect`, `train --dry-run`, `eval`, `export`. Qt Core
/// only; plain values, safe to copy between threads.
#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QMetaType>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QVector>
#include <optional>

namespace temper::studio {

// --- the reply of one command

/// What one `temper ... --json` child answered.
struct EngineReply {
  bool ok = false;
  QJsonObject json;  ///< the command's JSON object when ok
  /// When !ok, one line a person can act on: the engine's own message (its `error: ` prefix
  /// stripped), or why there is none (not started, killed, timed out, no JSON printed).
  QString error;
  /// The child's exit code; -1 when it was killed, crashed, timed out or never started.
  int exit_code = 0;
  QStringList stderr_tail;  ///< the last lines the child wrote to stderr, for reports
};

/// The one reader of a finished child's output. `exit_code` -1 means killed or crashed. A zero exit
/// with a JSON object on stdout is ok: the whole of stdout, else the last line that is an object
/// without `type` (event lines may precede it). Otherwise the reply carries the engine's message
/// (engineMessage) and the exit code. `command` names it in messages ("model inspect").
EngineReply readEngineReply(const QString& command, int exit_code, const QByteArray& out,
                            const QStringList& stderr_lines);

/// The engine's message about a failure: the `message` of an `error` event on stdout (the engine
/// prints one when stdout is a pipe), else the last non-empty stderr line; `error: ` is stripped
/// once from the front. Empty when the child said nothing.
QString engineMessage(const QByteArray& out, const QStringList& stderr_lines);

// --- `temper info --json`

/// One `temper train` key as `info` describes it.
struct TrainKey {
  enum class Kind { Integer, Number, Text, Choice, Boolean };
  QString key;  ///< kebab-case
  Kind kind = Kind::Text;
  QJsonValue default_value;  ///< Null: no default (the key is optional or required)
  double min = 0, max = 0;   ///< inclusive; meaningful for Integer and Number when min < max
  QStringList choices;
  QString help;
  QStringList methods;          ///< empty: every method uses the key
  QJsonObject method_defaults;  ///< the engine's default for some methods, by method name (optional)
  /// The PEFT kind the key sets ("lora" for `lora-r`); empty for `peft` itself and every other key.
  QString peft_kind;

  bool hasRange() const { return max > min; }
  bool appliesTo(const QString& method) const { return methods.isEmpty() || methods.contains(method); }
};

/// One training method as `info` describes it; the engine decides what fits (docs/methods.md).
struct MethodInfo {
  QString name, title, summary;  ///< title and summary in English (the wizard has translations)
  bool available = false;
  QString reason;  ///< why not, when !available
  bool needs_base = true;
  /// What it starts from: "none", "language-model" or "language-model-or-classifier".
  QString base;
  QStringList formats;  ///< data formats it accepts, as `temper data inspect` names them
  QStringList metrics;  ///< metrics it logs besides the loss
  /// The PEFT kinds it takes (`peft` values, "none" among them); empty from an engine without PEFT.
  QStringList peft;

  /// A *ForSequenceClassification base fits only such a method.
  bool takesClassifierBase() const { return base == QLatin1String("language-model-or-classifier"); }
  /// Whether it can train something other than every weight (an adapter, a soft prompt).
  bool takesAdapters() const;
};

/// A value of the `peft` key as `info` lists it (`peft_kinds`): what a run trains.
struct PeftKindInfo {
  QString name, title, summary;  ///< title and summary in English (the wizard has translations)
  bool available = false;
  QString reason;       ///< why not, when !available
  QStringList methods;  ///< the methods that take it
};

struct PresetInfo {
  QString name;
  qint64 layers = 0, dim = 0, heads = 0, ctx = 0, parameters = 0;
};

struct EngineInfo {
  QString temper, libtorch, sentencepiece, sqlite;
  QString cuda_build;  ///< CUDA version the engine's LibTorch was built with; empty for the CPU build
  bool cuda_available = false;
  QStringList cuda_devices;
  int cpu_threads = 0;
  QString blas;
  QString cpu_model;            ///< the processor's brand string
  QStringList cpu_features;     ///< instruction sets the engine found ("avx2", "avx512_bf16", "amx_bf16", ...)
  QString blas_core;            ///< OpenBLAS's kernel family in use ("Cooperlake"); empty when not OpenBLAS
  QString blas_core_how;        ///< how it was chosen, in the engine's words
  QString blas_warning;         ///< set when OpenBLAS runs weaker kernels than the CPU allows
  QVector<MethodInfo> methods;  ///< in the engine's order
  QVector<TrainKey> train_keys;
  QVector<PresetInfo> presets;
  QVector<PeftKindInfo> peft_kinds;  ///< in the engine's order; empty from an engine without PEFT

  const TrainKey* key(const QString& name) const;
  const MethodInfo* method(const QString& name) const;
  const PresetInfo* preset(const QString& name) const;
  const PeftKindInfo* peftKind(const QString& name) const;
};

/// Fills `out` from the answer. Returns an empty string, or what is wrong with the JSON naming the
/// field (methods, train_keys and presets must be arrays, each entry named, each key of a known
/// kind, each method with its needs_base, base, formats and metrics), so a malformed answer is
/// reported rather than half-shown. Versions and device are read first and stay in `out` even when
/// the rest is refused: the status bar can still show them.
QString parseEngineInfo(const QJsonObject& json, EngineInfo& out);

/// `temper info` as the status bar and About box show it, and the wizard reads it.
struct EngineEnvironment {
  bool available = false;  ///< the engine answered with a JSON object
  QString error;           ///< why not, when !available
  EngineInfo info;         ///< versions and device always; methods, keys, presets when catalog_error is empty
  /// What parseEngineInfo refused in the methods, keys or presets; empty when all was well.
  QString catalog_error;

  static EngineEnvironment fromReply(const EngineReply& reply);
  /// "CUDA: NVIDIA H100" or "CPU, 8 thread(s)"; "engine info unavailable" without an answer.
  QString deviceSummary() const;
};

// --- `temper model inspect`, `data inspect`, `train --dry-run`, `eval`, `export`

/// One projection of a model that LoRA can adapt, as `model inspect` lists it under `modules`.
struct ModuleInfo {
  QString name;    ///< the Hugging Face module path ("transformer.h.0.attn.c_attn")
  int block = -1;  ///< the transformer block it is in; -1 outside the blocks
  QString role;    ///< q, k, v, qkv, o, mlp-up, mlp-gate, mlp-down
  qint64 in = 0, out = 0, parameters = 0;
};

struct ModelInspection {
  QString family, architecture, model_type, dtype, tokenizer, chat_template;
  qint64 parameters = 0, layers = 0, hidden = 0, heads = 0, kv_heads = 0, ctx = 0, vocab = 0, bytes = 0;
  QStringList files;
  QString task;                 ///< "causal-lm" or "sequence-classification" (a classifier)
  QStringList labels;           ///< a classifier's labels in id order
  QVector<ModuleInfo> modules;  ///< the adaptable projections, in the engine's order
  bool modules_listed = false;  ///< the engine sent `modules` (engines before it did not)
  bool isClassifier() const { return task == QLatin1String("sequence-classification"); }
};

struct DataInspection {
  int files = 0, skipped_files = 0;
  QString format;
  QStringList fields;
  qint64 records = 0, documents = 0, bytes = 0;
  std::optional<qint64> tokens;  ///< only when a tokenizer was given
  QVector<QJsonObject> preview;
  QVector<QPair<QString, qint64>> labels;  ///< text-label data only
  /// A preference set (`set:NAME`): its pairs, what training leaves out, its agreement
  /// (core/prefs/preference_set_inspection.h); empty for files.
  QJsonObject preference_set;
};

struct MemoryEstimate {
  qint64 parameters = 0, trainable_parameters = 0;
  qint64 weights = 0, gradients = 0, optimizer = 0, activations = 0, total = 0;
  qint64 frozen_models = 0;  ///< a reference copy or a reward model held beside (preference, online methods)
  QString device;
};

/// What `temper export --json` wrote.
struct ExportResult {
  QString out;
  QStringList files;
  qint64 bytes = 0;
};

/// Each parser fills `out` and returns an empty string, or returns what is wrong with the JSON
/// (naming the field), so a malformed answer is reported rather than half-shown.
QString parseModelInspection(const QJsonObject& json, ModelInspection& out);
QString parseDataInspection(const QJsonObject& json, DataInspection& out);
QString parseMemoryEstimate(const QJsonObject& json, MemoryEstimate& out);
QString parseExportResult(const QJsonObject& json, ExportResult& out);
/// `temper eval --json` (either kind: language model or classifier) is summarised from its JSON;
/// this only says whether it is an evaluation at all (it has `mean_nll`).
QString checkEvalResult(const QJsonObject& json);

}  // namespace temper::studio

Q_DECLARE_METATYPE(temper::studio::EngineReply)
Q_DECLARE_METATYPE(temper::studio::EngineEnvironment)
