#include "ui/client/chat_session.h"

#include <QJsonDocument>
#include <QProcess>
#include <QTimer>

#include "ui/client/engine_replies.h"

namespace temper::studio {
namespace {
constexpr int kExitGraceMs = 3000;
}  // namespace

QJsonObject ChatSampling::toJson() const {
  return QJsonObject{{QStringLiteral("temperature"), temperature},
                     {QStringLiteral("top_p"), top_p},
                     {QStringLiteral("top_k"), top_k},
                     {QStringLiteral("max_new_tokens"), max_new_tokens},
                     {QStringLiteral("seed"), static_cast<qint64>(seed)}};
}

ChatSession::ChatSession(QObject* parent) : QObject(parent) {}

ChatSession::~ChatSession() {
  if (process_) {
    process_->disconnect(this);
    process_->kill();
    process_->waitForFinished(1000);
  }
}

void ChatSession::start(const QString& engine, const QString& model_dir, const QString& adapter_dir) {
  shutdown();
  model_dir_ = model_dir;
  info_ = {};
  failure_.clear();
  error_line_.clear();
  parser_ = EventLineParser();
  stderr_tail_.clear();
  sampling_sent_ = false;
  sent_system_.clear();
  adapter_.clear();
  adapter_pending_ = false;
  process_ = new QProcess(this);
  connect(process_, &QProcess::readyReadStandardOutput, this, &ChatSession::readOutput);
  connect(process_, &QProcess::readyReadStandardError, this,
          [this, p = process_] { stderr_tail_.feed(p->readAllStandardError()); });
  connect(process_, &QProcess::finished, this, [this, p = process_](int code, QProcess::ExitStatus status) {
    if (p != process_) return;  // an earlier child, ended after being replaced
    onFinished(code, status == QProcess::CrashExit);
  });
  connect(process_, &QProcess::errorOccurred, this, [this, p = process_](QProcess::ProcessError error) {
    if (p != process_ || error != QProcess::FailedToStart) return;
    failure_ = tr("Could not start the engine (%1): %2").arg(p->program(), p->errorString());
    setState(State::Failed);
    Q_EMIT failed(failure_);
  });
  setState(State::Loading);
  QStringList args{QStringLiteral("chat"), QStringLiteral("--model"), model_dir};
  if (!adapter_dir.isEmpty()) args << QStringLiteral("--adapter") << adapter_dir;
  args << QStringLiteral("--json");
  process_->start(engine, args);
}

void ChatSession::shutdown() {
  if (!process_) return;
  QProcess* old = process_;
  process_ = nullptr;
  old->disconnect(this);
  if (old->state() != QProcess::NotRunning) {
    old->write("{\"type\":\"exit\"}\n");
    old->closeWriteChannel();
    // A child busy with a long answer reads `exit` only after it: give it a moment, then kill.
    QTimer::singleShot(kExitGraceMs, old, [old] { old->kill(); });
    connect(old, &QProcess::finished, old, &QObject::deleteLater);
  } else {
    old->deleteLater();
  }
  setState(State::Idle);
}

void ChatSession::send(const QJsonObject& message) {
  if (!process_) return;
  process_->write(QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n');
}

void ChatSession::applySettings(const ChatSampling& sampling, const QString& system) {
  if (state_ != State::Ready && state_ != State::Answering) return;
  QJsonObject keys;
  const QJsonObject now = sampling.toJson();
  const QJsonObject before = sent_sampling_.toJson();
  for (auto it = now.begin(); it != now.end(); ++it) {
    // The first time everything but a zero seed (the engine starts from seed 0 already); later
    // only what changed.
    const bool changed =
        sampling_sent_ ? before.value(it.key()) != *it : it.key() != QLatin1String("seed") || sampling.seed != 0;
    if (changed) keys.insert(it.key(), *it);
  }
  QJsonObject message{{QStringLiteral("type"), QStringLiteral("set")}};
  if (!keys.isEmpty()) message.insert(QStringLiteral("sampling"), keys);
  if (system != sent_system_) message.insert(QStringLiteral("system"), system);
  sampling_sent_ = true;
  sent_sampling_ = sampling;
  sent_system_ = system;
  if (message.size() > 1) send(message);
}

bool ChatSession::sendUser(const QString& text) {
  if (state_ != State::Ready) return false;
  send({{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("content"), text}});
  setState(State::Answering);
  return true;
}

void ChatSession::stop() {
  if (state_ == State::Answering) send({{QStringLiteral("type"), QStringLiteral("stop")}});
}

void ChatSession::reset() {
  if (state_ == State::Ready || state_ == State::Answering) send({{QStringLiteral("type"), QStringLiteral("reset")}});
}

bool ChatSession::setAdapter(const QString& dir) {
  if (state_ != State::Ready || adapter_pending_) return false;
  send({{QStringLiteral("type"), QStringLiteral("adapter")},
        {QStringLiteral("path"), dir.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(dir)}});
  adapter_pending_ = true;
  return true;
}

void ChatSession::readOutput() {
  if (!process_) return;
  EventBatch batch;
  parser_.feed(process_->readAllStandardOutput(), batch);
  for (const EngineEvent& event : batch.events) handle(event);
  for (const QString& line : batch.malformed_lines) stderr_tail_.feed(line.toUtf8() + '\n');
}

void ChatSession::handle(const EngineEvent& e) {
  if (e.type == QLatin1String("token")) {
    Q_EMIT tokenReceived(e.text("text"));
  } else if (e.type == QLatin1String("answer_end")) {
    ChatAnswerEnd end;
    end.reason = e.text("reason");
    end.text = e.text("text");
    end.tokens = e.integer("tokens");
    end.prompt_tokens = e.integer("prompt_tokens");
    end.reused_tokens = e.integer("reused_tokens");
    end.seconds = e.number("seconds");
    end.tokens_per_s = e.number("tokens_per_s");
    end.message = e.text("message");
    end.adapter = e.text("adapter");
    if (state_ == State::Answering) setState(State::Ready);
    Q_EMIT answerEnded(end);
  } else if (e.type == QLatin1String("ready")) {
    info_ = e.fields;
    adapter_ = e.text("adapter");
    setState(State::Ready);
    Q_EMIT ready(info_);
  } else if (e.type == QLatin1String("reset_done")) {
    Q_EMIT resetDone();
  } else if (e.type == QLatin1String("adapter_set")) {
    adapter_pending_ = false;
    adapter_ = e.text("adapter");
    Q_EMIT adapterSet(adapter_, e.text("adapter_kind"), e.integer("context"));
  } else if (e.type == QLatin1String("error")) {
    if (adapter_pending_) {
      // Lines are answered in order: the error after an `adapter` message is its answer.
      adapter_pending_ = false;
      Q_EMIT adapterRefused(e.text("message"));
    } else if (state_ == State::Loading) {
      error_line_ = e.text("message");  // why the model cannot be loaded; the exit follows
    } else {
      Q_EMIT engineError(e.text("message"));
    }
  }
}

void ChatSession::onFinished(int exit_code, bool crashed) {
  readOutput();
  EventBatch batch;
  parser_.finish(batch);
  for (const EngineEvent& event : batch.events) handle(event);
  if (!error_line_.isEmpty()) {
    failure_ = error_line_;
  } else {
    // The engine prints an `error` event before it exits; without one, its last stderr line.
    const QString last = engineMessage({}, stderr_tail_.lines());
    failure_ = crashed ? tr("The engine stopped (killed or crashed). %1").arg(last)
                       : tr("The engine ended (exit code %1). %2").arg(exit_code).arg(last);
  }
  process_->deleteLater();
  process_ = nullptr;
  setState(State::Failed);
  Q_EMIT failed(failure_.trimmed());
}

void ChatSession::setState(State state) {
  if (state_ == state) return;
  state_ = state;
  Q_EMIT stateChanged(state);
}

}  // namespace temper::studio
