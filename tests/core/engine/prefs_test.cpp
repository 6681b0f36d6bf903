// `temper prefs` through the real binary: import/export/stats on the command line (a bad file
// exits 3 naming file:line and imports nothing), and `prefs generate` against a small trained
// model — pairs written prompt by prompt with progress events, a run killed mid-way keeps what it
// wrote, and a second run resumes to exactly the pairs an uninterrupted run makes.
#include <csignal>

#include "tests/core/engine/engine_test_support.h"

namespace temper::engine_test {
namespace {

using namespace std::chrono_literals;

Args withWorkspace(Args args, const std::filesystem::path& workspace) {
  args.push_back("--workspace");
  args.push_back(workspace.string());
  return args;
}

Json runJson(const Args& args) {
  const ProcessResult result = runTemper(args);
  EXPECT_EQ(result.exit_code, 0) << result.all();
  Json json = Json::parse(result.out, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << result.out;
  return json;
}

// Every pair of a set: (prompt or messages, A, B), via `prefs show --json`.
std::vector<std::tuple<std::string, std::string, std::string>> pairsOf(const std::filesystem::path& ws,
                                                                       const std::string& set) {
  const Json show = runJson(withWorkspace({"prefs", "show", "--set", set, "--pairs", "100000", "--json"}, ws));
  std::vector<std::tuple<std::string, std::string, std::string>> out;
  for (const Json& p : show.at("first_pairs")) {
    out.emplace_back(p.at("prompt").get<std::string>() + p.at("messages").dump(), p.at("completion_a"),
                     p.at("completion_b"));
  }
  return out;
}

TEST(Prefs, ImportExportAndStatsOnTheCommandLine) {
  TempDir dir("prefs-cli");
  const auto ws = dir / "ws";
  writeFile(dir / "prefs.jsonl",
            "{\"chosen\": \"\\n\\nHuman: Hi\\n\\nAssistant: Hello!\", \"rejected\": \"\\n\\nHuman: Hi\\n\\nAssistant: "
            "Go.\"}\n"
            "{\"chosen\": \"\\n\\nHuman: Sky?\\n\\nAssistant: Blue.\", \"rejected\": \"\\n\\nHuman: "
            "Sky?\\n\\nAssistant: Green.\"}\n");
  const Json imported =
      runJson(withWorkspace({"prefs", "import", (dir / "prefs.jsonl").string(), "--set", "hh", "--json"}, ws));
  EXPECT_EQ(imported.at("format"), "implicit");
  EXPECT_EQ(imported.at("added"), 2);
  const auto pairs = pairsOf(ws, "hh");
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(std::get<0>(pairs[1]), "\n\nHuman: Sky?\n\nAssistant:null");
  EXPECT_EQ(std::get<1>(pairs[1]), " Blue.");

  const ProcessResult exported = runTemper(
      withWorkspace({"prefs", "export", "--set", "hh", "--out", (dir / "out.jsonl").string(), "--format", "trl"}, ws));
  ASSERT_EQ(exported.exit_code, 0) << exported.all();
  EXPECT_EQ(readFile(dir / "out.jsonl"),
            "{\"chosen\":\" Hello!\",\"prompt\":\"\\n\\nHuman: Hi\\n\\nAssistant:\",\"rejected\":\" Go.\"}\n"
            "{\"chosen\":\" Blue.\",\"prompt\":\"\\n\\nHuman: Sky?\\n\\nAssistant:\",\"rejected\":\" Green.\"}\n");

  const Json stats = runJson(withWorkspace({"prefs", "stats", "--set", "hh", "--json"}, ws));
  EXPECT_EQ(stats.at("by_choice").at("a"), 2);
  EXPECT_EQ(stats.at("labellers").at(0).at("name"), "dataset");
  const Json list = runJson(withWorkspace({"prefs", "list", "--json"}, ws));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list.at(0).at("pairs"), 2);

  // The set as the wizard's data page reads it: the pairs as training takes them, first records,
  // what is left out, agreement (none: one labeller).
  const Json inspected = runJson(withWorkspace({"data", "inspect", "set:hh", "--json"}, ws));
  EXPECT_EQ(inspected.at("format"), "preference");
  EXPECT_EQ(inspected.at("records"), 2);
  EXPECT_EQ(inspected.at("fields"), (Json{"prompt", "chosen", "rejected"}));
  EXPECT_EQ(inspected.at("preview").at(0).at("chosen"), " Hello!");
  EXPECT_EQ(inspected.at("preview").at(0).at("rejected"), " Go.");
  const Json& set = inspected.at("preference_set");
  EXPECT_EQ(set.at("name"), "hh");
  EXPECT_EQ(set.at("pairs"), 2);
  EXPECT_EQ(set.at("usable"), 2);
  EXPECT_EQ(set.at("unlabelled"), 0);
  EXPECT_EQ(set.at("labellers"), 1);
  EXPECT_TRUE(set.at("krippendorff_alpha").is_null()) << set.dump();
  const ProcessResult unknown = runTemper(withWorkspace({"data", "inspect", "set:nope", "--json"}, ws));
  EXPECT_EQ(unknown.exit_code, 2) << unknown.all();
  EXPECT_NE(unknown.err.find("hh"), std::string::npos) << "names the sets there are: " << unknown.err;

  // A bad record on line 2: exit 3, file:line named, nothing imported.
  writeFile(dir / "bad.jsonl", "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n{\"prompt\": \"a\"}\n");
  const ProcessResult bad =
      runTemper(withWorkspace({"prefs", "import", (dir / "bad.jsonl").string(), "--set", "other"}, ws));
  EXPECT_EQ(bad.exit_code, 3) << bad.all();
  EXPECT_NE(bad.err.find("bad.jsonl:2: not a preference record"), std::string::npos) << bad.err;
  EXPECT_EQ(runJson(withWorkspace({"prefs", "list", "--json"}, ws)).size(), 1u);
}

Args generateArgs(const std::filesystem::path& ws, const std::filesystem::path& prompts, const std::string& set) {
  const std::string model = pretrainedTinyBase().string();
  return withWorkspace({"prefs",
                        "generate",
                        "--set",
                        set,
                        "--prompts",
                        prompts.string(),
                        "--a",
                        model,
                        "--b-temperature",
                        "1.4",
                        "--per-prompt",
                        "2",
                        "--max-new-tokens",
                        "20",
                        "--threads",
                        "1",
                        "--precision",
                        "fp32",
                        "--raw",
                        "--events"},
                       ws);
}

TEST(Prefs, GenerateWritesPairsPromptByPromptAndResumes) {
  TempDir dir("prefs-generate");
  const auto ws = dir / "ws";
  std::string prompts;
  for (const char* p : {"The sea", "A ship", "The wind", "In the morning", "The old man", "Rain", "The harbour",
                        "She said", "Night came", "The light"}) {
    prompts += std::string(p) + "\n";
  }
  writeFile(dir / "prompts.txt", prompts);

  // Uninterrupted: 10 prompts x 2 pairs, a progress event per prompt.
  const ProcessResult whole = runTemper(generateArgs(ws, dir / "prompts.txt", "whole"));
  ASSERT_EQ(whole.exit_code, 0) << whole.all();
  int progress = 0;
  Json result;
  for (const Json& event : whole.events()) {
    if (event.at("type") == "prefs_progress") ++progress;
    if (event.at("type") == "result") result = event.at("result");
  }
  EXPECT_EQ(progress, 10);
  ASSERT_TRUE(result.is_object()) << whole.out;
  EXPECT_EQ(result.at("prompts_done"), 10);
  const int64_t made = result.at("pairs_added").get<int64_t>() + result.at("identical").get<int64_t>() +
                       result.at("empty").get<int64_t>();
  EXPECT_EQ(made, 20);
  EXPECT_GE(result.at("pairs_added").get<int64_t>(), 15) << "A at 0.8 and B at 1.4 should rarely agree";
  const auto whole_pairs = pairsOf(ws, "whole");
  ASSERT_EQ(static_cast<int64_t>(whole_pairs.size()), result.at("pairs_added").get<int64_t>());
  EXPECT_EQ(std::get<0>(whole_pairs[0]), "The seanull");
  const Json show = runJson(withWorkspace({"prefs", "show", "--set", "whole", "--pairs", "1", "--json"}, ws));
  const Json source = show.at("first_pairs").at(0).at("source_b");
  EXPECT_EQ(source.at("sampling").at("temperature"), 1.4);
  EXPECT_EQ(source.at("prompt_source"), (dir / "prompts.txt").string() + ":1");
  EXPECT_TRUE(show.at("first_pairs").at(0).at("tokens_per_s_a").is_number());

  // Killed after its third prompt: what it wrote stays; the second run skips those prompts and ends
  // with exactly the uninterrupted run's pairs.
  {
    TemperProcess crash(generateArgs(ws, dir / "prompts.txt", "resumed"));
    const std::string third = crash.waitForLine(
        [](const std::string& line) { return line.find("\"prompts_done\":3") != std::string::npos; }, 120s);
    ASSERT_FALSE(third.empty()) << "no third progress event";
    crash.signal(SIGKILL);
    crash.finish(10s);
  }
  const auto kept = pairsOf(ws, "resumed");
  EXPECT_GE(kept.size(), 4u);  // at least three prompts' pairs (some may be identical or empty)
  const ProcessResult again = runTemper(generateArgs(ws, dir / "prompts.txt", "resumed"));
  ASSERT_EQ(again.exit_code, 0) << again.all();
  Json resumed;
  for (const Json& event : again.events()) {
    if (event.at("type") == "result") resumed = event.at("result");
  }
  EXPECT_GE(resumed.at("prompts_already_generated").get<int64_t>(), 3);
  EXPECT_EQ(resumed.at("duplicates"), 0);
  EXPECT_EQ(pairsOf(ws, "resumed"), whole_pairs);

  // SIGTERM: stops between prompts, exit 130, and says so (300 prompts: it cannot finish first).
  std::string many;
  for (int i = 0; i < 300; ++i) many += "Prompt number " + std::to_string(i) + "\n";
  writeFile(dir / "many.txt", many);
  TemperProcess stopped(generateArgs(ws, dir / "many.txt", "stopped"));
  ASSERT_FALSE(
      stopped
          .waitForLine([](const std::string& line) { return line.find("prefs_progress") != std::string::npos; }, 120s)
          .empty());
  stopped.signal(SIGTERM);
  const ProcessResult end = stopped.finish(60s);
  EXPECT_EQ(end.exit_code, 130) << end.all();
  EXPECT_NE(end.out.find("\"stopped\":true"), std::string::npos) << end.out;
}

}  // namespace
}  // namespace temper::engine_test
