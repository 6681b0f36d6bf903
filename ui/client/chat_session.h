#pragma once
/// One conversation with one model: a `temper chat --model DIR --json` child process (QProcess,
/// asynchronous) and its JSON-lines protocol (docs/cli.md, "chat --json"). The Playground sends
/// user messages, stop, reset and settings; the engine's lines come back as signals. Unlike the
/// one-shot queries (EngineQuery) the child lives as long as the conversation. GUI thread only.
#include <QJsonObject>
#include <QObject>
#include <QString>

#include "ui/client/event_line_parser.h"
#include "ui/client/line_tail.h"

class QProcess;

namespace temper::studio {

/// The figures of one finished answer (`answer_end`).
struct ChatAnswerEnd {
  QString reason;  ///< eos, stop, max_new_tokens, context, interrupted, too_long
  QString text;
  qint64 tokens = 0;
  qint64 prompt_tokens = 0;
  qint64 reused_tokens = 0;
  double seconds = 0;
  double tokens_per_s = 0;
  QString message;  ///< too_long: why there is no answer
  QString adapter;  ///< the adapter folder that gave the answer; empty for the base alone
};

/// Sampling as the protocol's `set` message carries it.
struct ChatSampling {
  double temperature = 0.7;
  double top_p = 0.95;
  qint64 top_k = 0;
  qint64 max_new_tokens = 256;
  quint64 seed = 0;
  QJsonObject toJson() const;
  bool operator==(const ChatSampling& other) const = default;
};

class ChatSession : public QObject {
  Q_OBJECT

 public:
  enum class State { Idle, Loading, Ready, Answering, Failed };

  explicit ChatSession(QObject* parent = nullptr);
  ~ChatSession() override;

  /// Starts `engine chat --model model_dir [--adapter adapter_dir] --json` (ending any earlier
  /// child first).
  void start(const QString& engine, const QString& model_dir, const QString& adapter_dir = {});
  /// Sends `exit` and closes the child's input; kills it if it has not ended after a while.
  void shutdown();

  /// Sends `set` with the sampling keys that differ from what the engine has (all of them the
  /// first time; the seed only when it changed, since a seed restarts the generator) and the
  /// system message when it changed. Nothing when nothing changed.
  void applySettings(const ChatSampling& sampling, const QString& system);
  /// Sends a user message (any text); the answer streams as tokenReceived, then answerEnded.
  bool sendUser(const QString& text);
  /// Ends the answer that is streaming (its answerEnded says "interrupted").
  void stop();
  /// Starts a new conversation (the engine answers with resetDone).
  void reset();
  /// Puts the adapter of `dir` on the loaded base in place of the current one, or takes it off
  /// (`dir` empty), without reloading the base. Answered by adapterSet or adapterRefused; false
  /// (nothing sent) unless the session is Ready and no other switch is waiting.
  bool setAdapter(const QString& dir);
  /// The adapter folder on the base now (empty: none), as the engine last confirmed it.
  QString adapter() const { return adapter_; }
  bool adapterPending() const { return adapter_pending_; }

  State state() const { return state_; }
  QString modelDir() const { return model_dir_; }
  /// The engine's `ready` line: family, template, context, stop ids and strings…
  const QJsonObject& modelInfo() const { return info_; }
  /// Why the child failed (its error line, else the last stderr lines).
  QString failure() const { return failure_; }

 Q_SIGNALS:
  void ready(const QJsonObject& info);
  void tokenReceived(const QString& text);
  void answerEnded(const temper::studio::ChatAnswerEnd& end);
  void resetDone();
  /// `adapter_set`: `dir` (empty: the base alone) is on; `kind` lora, adapters, prompt-tuning or
  /// empty; `context` the positions left for tokens.
  void adapterSet(const QString& dir, const QString& kind, qint64 context);
  /// The engine could not put the adapter on; the previous one (adapter()) stays on.
  void adapterRefused(const QString& message);
  /// A message the engine refused (the session goes on).
  void engineError(const QString& message);
  /// The child could not load the model, or ended or crashed.
  void failed(const QString& message);
  void stateChanged(temper::studio::ChatSession::State state);

 private:
  void readOutput();
  void handle(const EngineEvent& event);
  void onFinished(int exit_code, bool crashed);
  void send(const QJsonObject& message);
  void setState(State state);

  QProcess* process_ = nullptr;
  EventLineParser parser_;
  LineTail stderr_tail_;
  State state_ = State::Idle;
  QString model_dir_;
  QJsonObject info_;
  QString failure_;
  QString error_line_;  ///< an error line before `ready` (the engine's reason for failing)
  bool sampling_sent_ = false;
  ChatSampling sent_sampling_;
  QString sent_system_;
  QString adapter_;
  bool adapter_pending_ = false;
};

}  // namespace temper::studio
