// temper: the engine's command line. Maps every failure to one message on stderr and an exit
// code (docs/cli.md): 2 bad flag or config value, 3 bad input file, 4 I/O, 5 workspace busy,
// 6 training diverged, 130 stopped on request (kExitStopped), 1 anything unexpected.
#include <c10/util/Exception.h>

#include <unistd.h>
#include <csignal>

#include <cstdio>
#include <string_view>

#include "app/cli.h"
#include "core/common/error.h"
#include "core/engine/allocator_tuning.h"
#include "core/engine/blas_kernel_choice.h"
#include "core/protocol/events.h"

namespace {

bool g_events = false;

int fail(const std::string& kind, const std::string& message, int code) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  if (g_events) {
    std::printf(
        "%s\n",
        temper::events::error("", kind, message).dump(-1, ' ', false, temper::Json::error_handler_t::replace).c_str());
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything else: this may restart the process with OpenBLAS on faster kernels.
  temper::chooseBlasKernelAtStart(argv);
  temper::tuneAllocatorForTraining();
  // Over a file-size limit, write() then fails with EFBIG and the engine reports it like a full
  // disk (clean error, nothing half-written) instead of being killed mid-write.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"Temper engine: train, evaluate and sample language models on your own machine"};
  app.require_subcommand(1);
  app.fallthrough();  // --workspace and --events may follow the subcommand
  app.set_version_flag("--version", "temper 0.1.0");
  temper::cli::GlobalOptions global;
  app.add_option("--workspace", global.workspace,
                 "workspace folder (default: TEMPER_WORKSPACE or ~/.local/share/Temper)");
  app.add_flag("--events", global.events, "JSON-lines events on stdout (the default when stdout is not a terminal)");
  temper::cli::Action action;
  temper::cli::addCorpusCommands(app, global, action);
  temper::cli::addTrainCommand(app, global, action);
  temper::cli::addRunsCommands(app, global, action);
  temper::cli::addPrefsCommands(app, global, action);
  temper::cli::addEvalCommand(app, action);
  temper::cli::addRewardCommand(app, action);
  temper::cli::addGenerateCommand(app, action);
  temper::cli::addChatCommand(app, action);
  temper::cli::addModelInspectCommand(app, action);
  temper::cli::addExportCommand(app, global, action);
  temper::cli::addBenchCommand(app, action);
  temper::cli::addInfoCommand(app, action);

  // Same rule as the engine's Console: events when asked for or when stdout is not a terminal.
  // Decided before parsing so that a parse error is an event too.
  g_events = !::isatty(STDOUT_FILENO);
  for (int i = 1; i < argc; ++i) g_events = g_events || std::string_view(argv[i]) == "--events";
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail("invalid_config", e.what() + std::string("; see `temper --help`"), 2);
  }
  try {
    return action ? action() : 0;
  } catch (const temper::Error& e) {
    return fail(temper::errorKindName(e.kind()), e.what(), temper::exitCodeFor(e.kind()));
  } catch (const c10::Error& e) {
    return fail("internal", e.what_without_backtrace(), 1);
  } catch (const std::exception& e) {
    return fail("internal", e.what(), 1);
  }
}
