#include "core/methods/train_config.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <optional>
#include <sstream>

#include "core/common/error.h"
#include "core/common/text_utils.h"
#include "core/methods/method_registry.h"
#include "core/methods/peft_keys.h"

namespace temper {
namespace {

std::string canonicalKey(std::string key) {
  std::replace(key.begin(), key.end(), '_', '-');
  return key;
}

std::optional<KeySpec> findSpec(const std::string& key) {
  for (auto& spec : trainKeySpecs()) {
    if (spec.key == key) return std::move(spec);
  }
  return std::nullopt;
}

// Shortest text that reads back as the same double ("1e-09", "0.0003", "10").
std::string numberText(double value) {
  std::ostringstream out;
  out << std::setprecision(15) << value;
  return out.str();
}

std::string rangeText(const KeySpec& spec) {
  if (spec.kind == KeyKind::Boolean) return "true or false";
  if (spec.kind == KeyKind::Choice) {
    std::string text;
    for (const auto& choice : spec.choices) text += (text.empty() ? "" : ", ") + choice;
    return "one of " + text;
  }
  if (spec.kind == KeyKind::Text) {
    return spec.key == "sample-prompts" ? "a string, or an array of strings" : "a string";
  }
  if (spec.kind == KeyKind::Integer) {
    return std::to_string(static_cast<int64_t>(spec.min)) + " to " + std::to_string(static_cast<int64_t>(spec.max));
  }
  return numberText(spec.min) + " to " + numberText(spec.max);
}

[[noreturn]] void badValue(const KeySpec& spec, const std::string& shown, const std::string& origin) {
  throwConfigError("`" + spec.key + "` (" + origin + ") is " + shown + "; allowed: " + rangeText(spec));
}

// Converts flag text or a JSON value of the config file into the JSON value of the key's kind.
Json coerce(const KeySpec& spec, const Json& raw, const std::string& origin) {
  std::string shown = raw.is_string() ? "\"" + raw.get<std::string>() + "\"" : raw.dump();
  switch (spec.kind) {
    case KeyKind::Integer:
    case KeyKind::Number: {
      double value;
      if (raw.is_number()) {
        value = raw.get<double>();
      } else if (raw.is_string()) {
        const std::string& text = raw.get_ref<const std::string&>();
        char* end = nullptr;
        value = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size()) badValue(spec, shown, origin);
      } else {
        badValue(spec, shown, origin);
      }
      if (!std::isfinite(value) || value < spec.min || value > spec.max) badValue(spec, shown, origin);
      if (spec.kind == KeyKind::Integer) {
        if (value != std::floor(value)) badValue(spec, shown + " (not a whole number)", origin);
        return Json(static_cast<int64_t>(value));
      }
      return Json(value);
    }
    case KeyKind::Choice: {
      if (!raw.is_string()) badValue(spec, shown, origin);
      const std::string& text = raw.get_ref<const std::string&>();
      if (std::find(spec.choices.begin(), spec.choices.end(), text) == spec.choices.end()) {
        badValue(spec, shown, origin);
      }
      return raw;
    }
    case KeyKind::Boolean: {
      if (raw.is_boolean()) return raw;
      if (raw.is_string() && (raw == "true" || raw == "1")) return Json(true);
      if (raw.is_string() && (raw == "false" || raw == "0")) return Json(false);
      badValue(spec, shown, origin);
    }
    case KeyKind::Text:
      if (raw.is_array() && spec.key == "sample-prompts") {
        std::string joined;
        for (const auto& item : raw) {
          if (!item.is_string()) badValue(spec, shown, origin);
          joined += (joined.empty() ? "" : "|") + item.get<std::string>();
        }
        return Json(joined);
      }
      if (!raw.is_string()) badValue(spec, shown, origin);
      return raw;
  }
  return raw;
}

void mergeValue(Json& merged, const std::string& raw_key, const Json& raw, const std::string& origin) {
  std::string key = canonicalKey(raw_key);
  const std::optional<KeySpec> spec = findSpec(key);
  if (!spec) {
    std::string known;
    for (const auto& s : trainKeySpecs()) known += (known.empty() ? "" : ", ") + s.key;
    throwConfigError("unknown key `" + raw_key + "` (" + origin + "); known keys: " + known);
  }
  merged[key] = coerce(*spec, raw, origin);
}

TrainConfig fromMerged(const Json& m) {
  auto integer = [&](const char* key) { return m.contains(key) ? m[key].get<int64_t>() : 0; };
  auto number = [&](const char* key) { return m[key].get<double>(); };
  auto text = [&](const char* key) { return m.contains(key) ? m[key].get<std::string>() : std::string(); };
  TrainConfig c;
  c.method = text("method");
  c.base = text("base");
  c.data = text("data");
  c.val_data = text("val-data");
  c.val_fraction = number("val-fraction");
  c.ext = text("ext");
  c.response_template = text("response-template");
  c.chat_template = text("chat-template");
  c.packing = m["packing"].get<bool>();
  c.drop_long = m["drop-long"].get<bool>();
  c.train_last_blocks = m["train-last-blocks"].get<int64_t>();
  c.name = text("name");
  c.preset = text("preset");
  c.layers = integer("layers");
  c.dim = integer("dim");
  c.heads = integer("heads");
  c.ctx = integer("ctx");
  c.batch_size = integer("batch-size");
  c.grad_accum = integer("grad-accum");
  c.max_steps = integer("max-steps");
  c.warmup_steps = integer("warmup-steps");
  c.lr = number("lr");
  c.min_lr = number("min-lr");
  c.weight_decay = number("weight-decay");
  c.beta1 = number("beta1");
  c.beta2 = number("beta2");
  c.grad_clip = number("grad-clip");
  c.dropout = number("dropout");
  c.bias = m["bias"].get<bool>();
  c.eval_every = integer("eval-every");
  c.eval_batches = integer("eval-batches");
  c.checkpoint_every = integer("checkpoint-every");
  c.seed = integer("seed");
  c.threads = integer("threads");
  c.device = text("device");
  c.precision = text("precision");
  c.gradient_checkpointing = m["gradient-checkpointing"].get<bool>();
  c.peft = m.contains("peft") ? text("peft") : "none";
  c.sample_tokens = integer("sample-tokens");
  std::string prompts = text("sample-prompts");
  c.sample_prompts = prompts.empty() ? std::vector<std::string>{"\n"} : splitString(prompts, '|');

  c.values = m;
  // LoRA's alpha defaults to 2 × r: recorded resolved, so the run's record says what was used.
  if (c.peft == "lora" && !c.values.contains("lora-alpha")) {
    c.values["lora-alpha"] = 2.0 * static_cast<double>(c.values.value("lora-r", int64_t{8}));
  }

  // Relations between keys, checked together so one run reports the first real conflict.
  const MethodSpec& method = methodRegistry().require(c.method);
  if (c.data.empty()) {
    throwConfigError(!method.needsBase() ? "`data` is required: a folder made by `temper data prepare`"
                                         : "`data` is required: the files to train " + c.method + " on");
  }
  if (std::find(method.peft.begin(), method.peft.end(), c.peft) == method.peft.end()) {
    std::string kinds;
    for (const auto& k : method.peft) kinds += (kinds.empty() ? "" : ", ") + k;
    throwConfigError("`peft` " + c.peft + " is not available for method " + c.method + "; it takes: " + kinds);
  }
  if (method.validate != nullptr) method.validate(c);
  if (method.needsBase() && c.base.empty()) {
    throwConfigError("`base` is required for " + c.method + ": the model folder to start from");
  }
  if (c.peft == "prompt-tuning" && c.values.value("prompt-init", std::string()) == "text" &&
      c.values.value("prompt-init-text", std::string()).empty()) {
    throwConfigError("`prompt-init` text needs `prompt-init-text`: the text whose tokens start the prompt");
  }
  if (c.min_lr > c.lr) {
    throwConfigError("`min-lr` (" + numberText(c.min_lr) + ") must not exceed `lr` (" + numberText(c.lr) + ")");
  }
  if (c.warmup_steps > c.max_steps) {
    throwConfigError("`warmup-steps` (" + std::to_string(c.warmup_steps) + ") must not exceed `max-steps` (" +
                     std::to_string(c.max_steps) + ")");
  }
  return c;
}

Json defaults() {
  Json merged = Json::object();
  for (const auto& spec : trainKeySpecs()) {
    if (!spec.default_value.is_null()) merged[spec.key] = spec.default_value;
  }
  return merged;
}

}  // namespace

Json TrainConfig::toJson() const {
  Json j = {{"method", method},
            {"data", data},
            {"name", name},
            {"val-data", val_data},
            {"val-fraction", val_fraction},
            {"ext", ext},
            {"response-template", response_template},
            {"chat-template", chat_template},
            {"packing", packing},
            {"drop-long", drop_long},
            {"train-last-blocks", train_last_blocks},
            {"batch-size", batch_size},
            {"grad-accum", grad_accum},
            {"max-steps", max_steps},
            {"lr", lr},
            {"min-lr", min_lr},
            {"warmup-steps", warmup_steps},
            {"weight-decay", weight_decay},
            {"beta1", beta1},
            {"beta2", beta2},
            {"grad-clip", grad_clip},
            {"dropout", dropout},
            {"bias", bias},
            {"eval-every", eval_every},
            {"eval-batches", eval_batches},
            {"checkpoint-every", checkpoint_every},
            {"seed", seed},
            {"threads", threads},
            {"device", device},
            {"precision", precision},
            {"gradient-checkpointing", gradient_checkpointing},
            {"sample-tokens", sample_tokens}};
  std::string prompts;
  for (const auto& p : sample_prompts) prompts += (prompts.empty() ? "" : "|") + p;
  j["sample-prompts"] = prompts == "\n" ? "" : prompts;
  if (!preset.empty()) j["preset"] = preset;
  if (layers) j["layers"] = layers;
  if (dim) j["dim"] = dim;
  if (heads) j["heads"] = heads;
  if (ctx) j["ctx"] = ctx;
  j["base"] = base;
  // Keys methods define themselves (method_spec.h own_keys), and the keys of the PEFT kind in
  // use (another kind's keys would only be noise in the run's record).
  j["peft"] = peft;
  for (const auto& [key, value] : values.items()) {
    const std::string kind = peftKindOfKey(key);
    if (!kind.empty() && kind != peft) continue;
    if (!j.contains(key)) j[key] = value;
  }
  return j;
}

TrainConfig resolveTrainConfig(const std::optional<std::filesystem::path>& config_file,
                               const std::map<std::string, std::string>& flags) {
  // What the user gave, validated key by key; then the defaults of the chosen method fill the rest.
  Json given = Json::object();
  std::map<std::string, std::string> origin;
  if (config_file) {
    Json file = readJsonFile(*config_file);
    if (!file.is_object()) throwConfigError(config_file->string() + ": expected a JSON object of keys");
    for (auto it = file.begin(); it != file.end(); ++it) {
      mergeValue(given, it.key(), it.value(), "in " + config_file->string());
      origin[canonicalKey(it.key())] = "in " + config_file->string();
    }
  }
  for (const auto& [key, text] : flags) {
    mergeValue(given, key, Json(text), "flag --" + canonicalKey(key));
    origin[canonicalKey(key)] = "flag --" + canonicalKey(key);
  }
  Json merged = defaults();
  const std::string method = given.value("method", merged["method"].get<std::string>());
  for (const auto& [key, value] : methodDefaults(method)) merged[key] = value;
  // An adapter starts from zero and has few parameters: it wants a larger learning rate than a
  // full finetune (PEFT's and Unsloth's LoRA examples use 1e-4 to 2e-4; AdapterHub's bottleneck
  // adapter examples 1e-4, He et al. up to 1e-3).
  const std::string given_peft = given.value("peft", std::string("none"));
  if (given_peft == "lora" || given_peft == "adapters") {
    merged["lr"] = 2e-4;
    merged["min-lr"] = 2e-5;
  }
  // A soft prompt is a few vectors that must move far from their start: PEFT's prompt-tuning
  // examples use 3e-2.
  if (given_peft == "prompt-tuning") {
    merged["lr"] = 3e-2;
    merged["min-lr"] = 3e-3;
  }
  // Prefixes sit inside every layer and move the model more per unit of change: PEFT's
  // prefix-tuning examples use 1e-2.
  if (given_peft == "prefix-tuning") {
    merged["lr"] = 1e-2;
    merged["min-lr"] = 1e-3;
  }
  for (const auto& [key, value] : given.items()) {
    const auto& methods = keyMethods(key);
    if (!methods.empty() && std::find(methods.begin(), methods.end(), method) == methods.end()) {
      std::string list;
      for (const auto& m : methods) list += (list.empty() ? "" : ", ") + m;
      throwConfigError("`" + key + "` (" + origin[key] + ") does nothing for method " + method + "; it applies to " +
                       list);
    }
    merged[key] = value;
  }
  // A kind's keys given while another kind (or none) is chosen would silently do nothing.
  const std::string peft = merged.value("peft", std::string("none"));
  for (const auto& [key, value] : given.items()) {
    const std::string kind = peftKindOfKey(key);
    if (!kind.empty() && kind != peft) {
      throwConfigError("`" + key + "` (" + origin[key] + ") does nothing unless `peft` is " + kind + " (it is " + peft +
                       ")");
    }
  }
  // Quantising weights that train would lose their updates in the rounding: only a frozen base.
  if (merged.value("base-quant", std::string("none")) != "none" && peft == "none") {
    throwConfigError("`base-quant` " + merged["base-quant"].get<std::string>() + " (" + origin["base-quant"] +
                     ") quantises the frozen base of an adapter run; choose a `peft` kind (lora, adapters, "
                     "prompt-tuning, prefix-tuning)");
  }
  return fromMerged(merged);
}

TrainConfig trainConfigFromJson(const Json& stored, const std::map<std::string, std::string>& overrides) {
  Json merged = defaults();
  for (auto it = stored.begin(); it != stored.end(); ++it) mergeValue(merged, it.key(), it.value(), "stored config");
  for (const auto& [key, text] : overrides) mergeValue(merged, key, Json(text), "flag --" + canonicalKey(key));
  return fromMerged(merged);
}

}  // namespace temper
