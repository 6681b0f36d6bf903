// LoRA's targets: presets by role, PEFT's list rule (a name equals the path or ends it after a
// dot) and regex rule (the whole path), errors that name what matched nothing, and
// target_modules written so that PEFT's own matching selects the same modules.
#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/model/model_shape.h"
#include "core/peft/peft_shape.h"
#include "core/peft/target_match.h"

namespace temper {
namespace {

ModelShape gpt2Shape() {
  ModelShape s;
  s.family = "gpt2";
  s.layers = 2;
  s.hidden = 16;
  s.heads = 2;
  s.vocab = 50;
  s.ctx = 8;
  return s;
}

ModelShape llamaShape() {
  ModelShape s = gpt2Shape();
  s.family = "llama";
  s.heads = 4;
  s.kv_heads = 2;
  s.intermediate = 24;
  s.qkv_bias = s.o_bias = s.mlp_bias = false;
  return s;
}

std::vector<std::string> chosenNames(const std::string& spec, const ModelShape& shape) {
  const auto linears = projectionsOf(shape);
  std::vector<std::string> names;
  for (size_t i : matchTargets(parseTargetSpec(spec), linears)) names.push_back(linears[i].name);
  return names;
}

TEST(TargetMatch, PresetsFollowPeftsDefaultsPerFamily) {
  EXPECT_EQ(chosenNames("attention-qv", gpt2Shape()),
            (std::vector<std::string>{"transformer.h.0.attn.c_attn", "transformer.h.1.attn.c_attn"}));
  EXPECT_EQ(chosenNames("attention-qv", llamaShape()),
            (std::vector<std::string>{"model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                                      "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj"}));
  EXPECT_EQ(chosenNames("attention", gpt2Shape()).size(), 4u);
  EXPECT_EQ(chosenNames("attention", llamaShape()).size(), 8u);
  EXPECT_EQ(chosenNames("all-linear", gpt2Shape()).size(), 8u);
  EXPECT_EQ(chosenNames("all-linear", llamaShape()).size(), 14u);
}

TEST(TargetMatch, ListNamesMatchPathEndsAfterADot) {
  EXPECT_EQ(chosenNames("q_proj, o_proj", llamaShape()).size(), 4u);
  EXPECT_EQ(chosenNames("model.layers.1.mlp.down_proj", llamaShape()),
            (std::vector<std::string>{"model.layers.1.mlp.down_proj"}));
  // "proj" alone is no module name: "q_proj" does not end in ".proj".
  EXPECT_THROW(chosenNames("proj", llamaShape()), Error);
  // GPT-2's `c_proj` is both the attention output and the MLP's down projection, as in PEFT.
  EXPECT_EQ(chosenNames("c_proj", gpt2Shape()).size(), 4u);
  EXPECT_EQ(chosenNames("attn.c_proj", gpt2Shape()).size(), 2u);
}

TEST(TargetMatch, RegexMatchesTheWholePath) {
  EXPECT_EQ(chosenNames(R"(.*\.layers\.0\..*_proj)", llamaShape()).size(), 7u);
  EXPECT_EQ(chosenNames(R"(.*(q|v)_proj)", llamaShape()).size(), 4u);
  EXPECT_THROW(chosenNames("q_pro(j", llamaShape()), Error);  // does not compile
  EXPECT_THROW(chosenNames(R"(.*nothing.*)", llamaShape()), Error);
}

TEST(TargetMatch, ErrorsNameTheEntriesThatMatchNothing) {
  try {
    chosenNames("q_proj,query_key_value,v_proj", llamaShape());
    FAIL();
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("`query_key_value`"), std::string::npos) << message;
    EXPECT_EQ(message.find("`q_proj`"), std::string::npos) << message;
    EXPECT_NE(message.find("model.layers.0.self_attn.q_proj"), std::string::npos) << message;
  }
}

TEST(TargetMatch, TargetModulesAreTheShortestExactSuffixes) {
  auto written = [](const std::string& spec, const ModelShape& shape) {
    const auto linears = projectionsOf(shape);
    const TargetSpec parsed = parseTargetSpec(spec);
    return targetModulesJson(parsed, linears, matchTargets(parsed, linears));
  };
  EXPECT_EQ(written("attention-qv", gpt2Shape()), (Json{"c_attn"}));
  EXPECT_EQ(written("attention", gpt2Shape()), (Json{"attn.c_proj", "c_attn"}));
  EXPECT_EQ(written("all-linear", gpt2Shape()), (Json{"c_attn", "c_fc", "c_proj"}));
  EXPECT_EQ(written("attention-qv", llamaShape()), (Json{"q_proj", "v_proj"}));
  EXPECT_EQ(written("model.layers.1.mlp.down_proj", llamaShape()), (Json{"1.mlp.down_proj"}));
  EXPECT_EQ(written(R"(.*(q|v)_proj)", llamaShape()), Json(R"(.*(q|v)_proj)"));
  // Reading what was written selects the same modules.
  for (const char* spec : {"attention", "all-linear", "model.layers.1.mlp.down_proj"}) {
    const auto linears = projectionsOf(llamaShape());
    const TargetSpec parsed = parseTargetSpec(spec);
    const auto chosen = matchTargets(parsed, linears);
    const TargetSpec reread = targetSpecFromJson(targetModulesJson(parsed, linears, chosen), "test");
    EXPECT_EQ(matchTargets(reread, linears), chosen) << spec;
  }
}

}  // namespace
}  // namespace temper
