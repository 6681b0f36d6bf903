// The engine-studio contract: golden/events.jsonl holds one event of every type, written by hand
// in the shape docs/events.md documents. The builders must produce exactly these objects (the
// time `t` aside, which is "now"); the studio's parser test (tests/ui/client/event_parsing_test)
// reads the same file, so the contract lives in one place.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "core/protocol/events.h"

namespace temper {
namespace {

std::vector<Json> goldenEvents() {
  std::ifstream in(std::string(TEMPER_SOURCE_DIR) + "/tests/core/protocol/golden/events.jsonl");
  EXPECT_TRUE(in) << "golden/events.jsonl is missing";
  std::vector<Json> events;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) events.push_back(Json::parse(line));
  }
  return events;
}

// What the builders make of the same arguments, in the file's order.
std::vector<Json> builtEvents() {
  const std::string run = "20261206-010203-ab12";
  return {
      events::runStarted(run, Json{{"method", "pretrain"}, {"max-steps", 2000}},
                         Json{{"device", "cpu"}, {"torch_threads", 2}}, "/w/runs/" + run, false, 0,
                         Json{{"format", "tokens"}, {"train_tokens", 4096}, {"val_tokens", 512}}),
      events::step(run, events::StepFields{47, 2000, 36096, 3.18, 3.0168, 0.00047, 1.41, 11670.0, {}}),
      events::eval(run, 50, 38400, 2.875, {{"token_accuracy", 0.4375}}),
      events::eval(run, 100, 76800, 2.5, {}),
      events::sample(run, 50, "The", "The café ☕ opens at nine"),
      events::checkpointSaved(run, 100, "/w/runs/" + run + "/checkpoints/step-100"),
      events::log(run, "warning", "grad norm is large"),
      events::runEnded(run, "finished", "reached max-steps", 2000),
      events::runEnded(run, "cancelled", "stopped on request at step 120; checkpoint written", 120),
      events::runEnded(run, "failed", "loss is NaN at step 7", 7),
      events::result("data prepare", Json{{"train_tokens", 4096}, {"val_tokens", 512}}),
      events::error("", "invalid_config", "`lr` (flag --lr) is \"x\"; allowed: 1e-09 to 10"),
      events::step(run, events::StepFields{48,
                                           2000,
                                           36096,
                                           3.18,
                                           3.0168,
                                           0.00047,
                                           1.41,
                                           11670.0,
                                           {{"reward", 0.5}, {"frac_reward_zero_std", 0.25}}}),
  };
}

TEST(Events, BuildersWriteTheGoldenLines) {
  const auto golden = goldenEvents();
  auto built = builtEvents();
  ASSERT_EQ(golden.size(), built.size());
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (size_t i = 0; i < golden.size(); ++i) {
    ASSERT_TRUE(built[i]["t"].is_number()) << built[i].dump();
    EXPECT_NEAR(built[i]["t"].get<double>(), now, 60.0) << "t is the unix time of the event";
    built[i]["t"] = golden[i]["t"];
    EXPECT_EQ(built[i], golden[i]) << "line " << i + 1 << "\n built: " << built[i].dump()
                                   << "\ngolden: " << golden[i].dump();
  }
}

TEST(Events, EveryGoldenLineCarriesTheEnvelope) {
  for (const Json& e : goldenEvents()) {
    EXPECT_EQ(e.at("v"), Json(events::kProtocolVersion)) << e.dump();
    EXPECT_TRUE(e.at("type").is_string()) << e.dump();
    EXPECT_TRUE(e.at("run_id").is_string()) << e.dump();
    EXPECT_TRUE(e.at("t").is_number()) << e.dump();
  }
}

}  // namespace
}  // namespace temper
