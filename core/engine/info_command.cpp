#include "core/engine/info_command.h"

#include "core/torch_api.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "core/engine/runtime.h"
#include "core/methods/method_registry.h"
#include "core/methods/peft_keys.h"
#include "core/methods/train_config.h"
#include "core/model/gpt_config.h"

namespace temper {
namespace {

const char* kindName(KeyKind kind) {
  switch (kind) {
    case KeyKind::Integer:
      return "integer";
    case KeyKind::Number:
      return "number";
    case KeyKind::Text:
      return "text";
    case KeyKind::Choice:
      return "choice";
    case KeyKind::Boolean:
      return "boolean";
  }
  return "?";
}

Json trainKeys() {
  Json keys = Json::array();
  for (const auto& spec : trainKeySpecs()) {
    Json key = {{"key", spec.key},         {"kind", kindName(spec.kind)}, {"default", spec.default_value},
                {"choices", spec.choices}, {"help", spec.help},           {"methods", keyMethods(spec.key)}};
    if (spec.kind == KeyKind::Integer || spec.kind == KeyKind::Number) {
      key["min"] = spec.min;
      key["max"] = spec.max;
    }
    Json by_method = Json::object();
    for (const auto& method : methodRegistry().all()) {
      auto it = method.defaults.find(spec.key);
      if (it != method.defaults.end()) by_method[method.name] = it->second;
    }
    if (!by_method.empty()) key["method_defaults"] = by_method;
    // The PEFT kind whose settings the key is (the wizard's "What is trained" page groups by it).
    if (const std::string kind = peftKindOfKey(spec.key); !kind.empty()) key["peft"] = kind;
    keys.push_back(key);
  }
  return keys;
}

const char* baseUseName(BaseUse use) {
  switch (use) {
    case BaseUse::None:
      return "none";
    case BaseUse::LanguageModel:
      return "language-model";
    case BaseUse::LanguageModelOrClassifier:
      return "language-model-or-classifier";
  }
  return "?";
}

// What the studio's wizard builds its method page from (docs/cli.md, `info --json`).
Json methodJson(const MethodSpec& m) {
  Json own = Json::array();
  for (const auto& key : m.own_keys) own.push_back(key.key);
  Json keys = m.keys;
  for (const auto& key : own) keys.push_back(key);
  return Json{{"name", m.name},
              {"title", m.title},
              {"summary", m.summary},
              {"available", m.available},
              {"reason", m.reason},
              {"needs_base", m.needsBase()},
              {"base", baseUseName(m.base)},
              {"formats", m.data_formats},
              {"keys", keys},
              {"defaults", m.defaults},
              {"metrics", m.metrics},
              {"peft", m.peft}};
}

}  // namespace

Json engineInfo() {
  Json methods = Json::array();
  for (const auto& m : methodRegistry().all()) methods.push_back(methodJson(m));
  Json peft_kinds = Json::array();
  for (const auto& k : peftKinds()) {
    Json methods_taking = Json::array();
    for (const auto& m : methodRegistry().all()) {
      if (m.available && std::find(m.peft.begin(), m.peft.end(), k.name) != m.peft.end())
        methods_taking.push_back(m.name);
    }
    peft_kinds.push_back({{"name", k.name},
                          {"title", k.title},
                          {"summary", k.summary},
                          {"available", k.available},
                          {"reason", k.reason},
                          {"methods", methods_taking}});
  }
  Json presets = Json::array();
  for (const auto& name : presetNames()) {
    GptConfig c = presetConfig(name);
    GptConfig counted = c;
    counted.vocab_size = 50257;  // presets leave the vocabulary to the tokenizer; GPT-2's for the count
    presets.push_back({{"name", name},
                       {"layers", c.layers},
                       {"dim", c.dim},
                       {"heads", c.heads},
                       {"ctx", c.context},
                       {"parameters", counted.parameterCount()},
                       {"parameters_vocab", 50257}});
  }
  RuntimeInfo runtime = configureRuntime(0, "cpu");
  Json cuda_devices = Json::array();
  const bool cuda = torch::cuda::is_available();
  if (cuda) {
    for (int64_t i = 0; i < static_cast<int64_t>(torch::cuda::device_count()); ++i) cuda_devices.push_back(i);
  }
  return Json{{"temper", TEMPER_VERSION},
              {"libtorch", runtime.torch_version},
              {"cuda_build", runtime.cuda_build.empty() ? Json(nullptr) : Json(runtime.cuda_build)},
              {"sentencepiece", TEMPER_SENTENCEPIECE_VERSION},
              {"sqlite", TEMPER_SQLITE_VERSION},
              {"device",
               {{"cuda_available", cuda},
                {"cuda_devices", cuda_devices},
                {"cpu_threads", runtime.torch_threads},
                {"cores", runtime.cores},
                {"blas", runtime.blas},
                {"blas_core", runtime.blas_core},
                {"cpu", runtime.cpu},
                {"thread_policy", runtime.thread_policy}}},
              {"methods", methods},
              {"peft_kinds", peft_kinds},
              {"train_keys", trainKeys()},
              {"presets", presets}};
}

}  // namespace temper
