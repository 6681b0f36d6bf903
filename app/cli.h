#pragma once
/// Command-line wiring of `temper`: each file registers a group of subcommands on the CLI11 app
/// and returns the action to run once parsing succeeded. Parsing and printing (text for people,
/// `--json` for programs) stay here; the work is in core/engine, whose commands return results.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

namespace temper::cli {

/// Options every command understands.
struct GlobalOptions {
  std::string workspace;
  bool events = false;
};

/// A unix time as local "YYYY-MM-DD HH:MM[:SS]" for tables; "-" for none (0 or less).
std::string localTimeText(double unix_s, bool with_seconds = true);

/// The action of the chosen subcommand; returns the exit code.
using Action = std::function<int()>;

void addCorpusCommands(CLI::App& app, GlobalOptions& global, Action& action);
void addTrainCommand(CLI::App& app, GlobalOptions& global, Action& action);
void addRunsCommands(CLI::App& app, GlobalOptions& global, Action& action);
/// `prefs import|export|create|list|show|stats`.
void addPrefsCommands(CLI::App& app, GlobalOptions& global, Action& action);
void addEvalCommand(CLI::App& app, Action& action);
void addRewardCommand(CLI::App& app, Action& action);
/// `generate` and `chat`.
void addGenerateCommand(CLI::App& app, Action& action);
void addChatCommand(CLI::App& app, Action& action);
/// `model inspect` and `export`.
void addModelInspectCommand(CLI::App& app, Action& action);
void addExportCommand(CLI::App& app, GlobalOptions& global, Action& action);
void addBenchCommand(CLI::App& app, Action& action);
void addInfoCommand(CLI::App& app, Action& action);

}  // namespace temper::cli
