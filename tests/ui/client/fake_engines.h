#pragma once
// Shell bodies of fake engines for the EngineJob, EngineQuery and EngineSession tests (see
// fake_engines.cpp).
#include <QByteArray>

namespace temper::studio::testing {

/// run_started, 200 step events, a garbage stdout line and two stderr lines; no end event.
QByteArray fakeEngineEvents();
/// A run_finished line (echo command).
QByteArray finishedLine();
/// Prints an `error` event and exits 2, like the engine's refusal of a bad config.
QByteArray errorEngine();
/// Stops on SIGTERM with a run_cancelled event and exit 130, like the real engine.
QByteArray politeEngine();
/// The same for the run `run_id`: prints its run_started and nothing else until SIGTERM (a test
/// writes the run's history into the store, as the engine would).
QByteArray politeEngine(const QByteArray& run_id);

// --- one-shot `--json` commands (EngineQuery)

/// Writes its pid to `pid_file`, then sleeps for a minute without answering (exec: the pid stays).
QByteArray sleepingEngine(const QByteArray& pid_file);
/// A progress event line, then the answer: one JSON object without `type`; exit 0.
QByteArray answeringEngine();
/// Refuses like the engine refuses a bad input: an `error` event on stdout, the same message on
/// stderr behind `error: ` (a message that itself contains "error: "), exit 3.
QByteArray refusingEngine();
/// Says nothing useful and kills itself (a crash).
QByteArray crashingEngine();
/// Appends its arguments as one line to `args_file`, copies a `train` config to `config_copy`, and
/// answers each command with a small object; `info` is answered as the engine of the contract.
QByteArray recordingEngine(const QByteArray& args_file, const QByteArray& config_copy);
/// `temper info --json` of the contract: versions, a CUDA device, two methods, no keys, no presets.
QByteArray infoJson();

}  // namespace temper::studio::testing
