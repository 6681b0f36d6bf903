#pragma once
// Shell bodies of fake engines for the EngineJob tests (see fake_engines.cpp).
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

}  // namespace temper::studio::testing
