// The real `temper` on this machine: OpenBLAS runs kernels as strong as the CPU allows, a fallback
// is corrected by one restart (never two), and a user's OPENBLAS_CORETYPE is kept with a warning.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

#include "core/engine/blas_core.h"
#include "core/engine/blas_kernel_choice.h"
#include "tests/core/engine/temper_process.h"

namespace temper::engine_test {
namespace {

// Sets environment variables for the children started in its scope and restores them after.
class ScopedEnv {
 public:
  void set(const char* name, const char* value) {
    remember(name);
    if (value == nullptr) {
      unsetenv(name);
    } else {
      setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

 private:
  void remember(const char* name) {
    for (const auto& entry : saved_) {
      if (entry.first == name) return;
    }
    const char* now = std::getenv(name);
    saved_.emplace_back(name, now ? std::optional<std::string>(now) : std::nullopt);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

Json blasCore(const ProcessResult& result) {
  EXPECT_EQ(result.exit_code, 0) << result.all();
  return Json::parse(result.out).at("device").at("blas_core");
}

bool openBlasLoaded(const Json& core) { return !core.at("openblas_core").is_null(); }

TEST(BlasRestart, InfoNeverReportsACoreBelowWhatTheCpuRuns) {
  ScopedEnv env;
  env.set("OPENBLAS_CORETYPE", nullptr);
  env.set(kBlasRestartVariable, nullptr);
  Json core = blasCore(runTemper({"info", "--json"}));
  if (!openBlasLoaded(core)) GTEST_SKIP() << "the engine's BLAS is not OpenBLAS: " << core.dump();
  const std::string chosen = core.at("openblas_core"), best = core.at("best_core");
  EXPECT_GE(openBlasCoreRank(chosen), openBlasCoreRank(best)) << core.dump();
  EXPECT_TRUE(core.at("warning").is_null()) << core.dump();
}

TEST(BlasRestart, AFallbackIsCorrectedByOneRestart) {
  ScopedEnv env;
  env.set("OPENBLAS_CORETYPE", "Prescott");
  env.set(kBlasFakeFallbackVariable, "1");  // Prescott as if OpenBLAS had fallen back to it
  env.set(kBlasRestartVariable, nullptr);
  Json core = blasCore(runTemper({"info", "--json"}));
  if (!openBlasLoaded(core)) GTEST_SKIP() << "the engine's BLAS is not OpenBLAS";
  const std::string best = core.at("best_core");
  if (openBlasCoreRank(best) <= openBlasCoreRank("Prescott")) GTEST_SKIP() << "this CPU runs nothing better";
  EXPECT_EQ(core.at("openblas_core"), best) << core.dump();
  EXPECT_NE(core.at("how").get<std::string>().find("OpenBLAS had chosen Prescott"), std::string::npos) << core.dump();
  EXPECT_TRUE(core.at("warning").is_null()) << core.dump();
}

TEST(BlasRestart, ARestartedEngineNeverRestartsAgain) {
  // What a second start would see if OpenBLAS ignored the core it was asked for.
  ScopedEnv env;
  env.set("OPENBLAS_CORETYPE", "Prescott");
  env.set(kBlasRestartVariable, "Prescott");
  env.set(kBlasFakeFallbackVariable, nullptr);
  ProcessResult result = runTemper({"info", "--json"}, std::chrono::seconds(60));
  Json core = blasCore(result);
  if (!openBlasLoaded(core)) GTEST_SKIP() << "the engine's BLAS is not OpenBLAS";
  if (openBlasCoreRank(core.at("best_core").get<std::string>()) <= 0) GTEST_SKIP() << "nothing better than Prescott";
  EXPECT_EQ(core.at("openblas_core"), "Prescott") << "a second restart happened: " << core.dump();
  EXPECT_FALSE(core.at("warning").is_null()) << core.dump();
}

TEST(BlasRestart, TheUsersCoreIsKeptAndAWeakOneWarned) {
  ScopedEnv env;
  env.set("OPENBLAS_CORETYPE", "Haswell");
  env.set(kBlasRestartVariable, nullptr);
  env.set(kBlasFakeFallbackVariable, nullptr);
  ProcessResult result = runTemper({"info"});
  ASSERT_EQ(result.exit_code, 0) << result.all();
  Json core = blasCore(runTemper({"info", "--json"}));
  if (!openBlasLoaded(core)) GTEST_SKIP() << "the engine's BLAS is not OpenBLAS";
  EXPECT_EQ(core.at("openblas_core"), "Haswell") << core.dump();
  EXPECT_NE(core.at("how").get<std::string>().find("set by the user"), std::string::npos);
  if (openBlasCoreRank(core.at("best_core").get<std::string>()) > openBlasCoreRank("Haswell")) {
    EXPECT_FALSE(core.at("warning").is_null());
    EXPECT_NE(result.out.find("warning: OPENBLAS_CORETYPE=Haswell"), std::string::npos) << result.out;
  }
}

}  // namespace
}  // namespace temper::engine_test
