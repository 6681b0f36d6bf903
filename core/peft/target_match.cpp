#include "core/peft/target_match.h"

#include <algorithm>
#include <regex>
#include <set>

#include "core/common/error.h"
#include "core/common/text_utils.h"

namespace temper {
namespace {

const std::vector<std::string>& presetNames() {
  static const std::vector<std::string> names = {"attention-qv", "attention", "all-linear"};
  return names;
}

bool presetTakes(const std::string& preset, LinearRole role) {
  switch (role) {
    case LinearRole::Query:
    case LinearRole::Value:
    case LinearRole::QueryKeyValue:
      return true;  // PEFT's defaults: q_proj + v_proj for Llama, the fused c_attn for GPT-2
    case LinearRole::Key:
    case LinearRole::AttentionOutput:
      return preset != "attention-qv";
    default:
      return preset == "all-linear";
  }
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t");
  const auto last = s.find_last_not_of(" \t");
  return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

std::regex compile(const std::string& pattern, const std::string& source) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throwConfigError(source + ": `" + pattern + "` is not a valid regular expression (" + e.what() + ")");
  }
}

std::string someModules(const std::vector<NamedLinear>& linears) {
  std::string shown;
  for (size_t i = 0; i < linears.size() && i < 8; ++i) shown += (i ? ", " : "") + linears[i].name;
  if (linears.size() > 8) shown += ", …";
  return shown;
}

}  // namespace

bool moduleNameMatches(const std::string& path, const std::string& name) {
  return path == name || (path.size() > name.size() && path.ends_with("." + name));
}

TargetSpec parseTargetSpec(const std::string& text) {
  TargetSpec spec;
  const std::string value = trim(text);
  if (std::find(presetNames().begin(), presetNames().end(), value) != presetNames().end()) {
    spec.preset = value;
    return spec;
  }
  if (value.find_first_of("*+?()[]{}|^$\\") != std::string::npos) {
    spec.kind = TargetSpec::Kind::Regex;
    spec.regex = value;
    compile(value, "`lora-targets`");
    return spec;
  }
  spec.kind = TargetSpec::Kind::List;
  for (const auto& part : splitString(value, ',')) {
    const std::string name = trim(part);
    if (!name.empty()) spec.names.push_back(name);
  }
  if (spec.names.empty()) {
    throwConfigError("`lora-targets` is empty; give attention-qv, attention, all-linear, module names or a regex");
  }
  return spec;
}

TargetSpec targetSpecFromJson(const Json& value, const std::string& source) {
  TargetSpec spec;
  if (value.is_string()) {
    spec.kind = TargetSpec::Kind::Regex;
    spec.regex = value.get<std::string>();
    compile(spec.regex, source + ": `target_modules`");
    return spec;
  }
  if (!value.is_array() || value.empty()) {
    throwInputError(source + ": `target_modules` must be a non-empty list of module names or a regex string");
  }
  spec.kind = TargetSpec::Kind::List;
  for (const auto& name : value) {
    if (!name.is_string()) throwInputError(source + ": `target_modules` has a non-string entry " + name.dump());
    spec.names.push_back(name.get<std::string>());
  }
  return spec;
}

std::vector<size_t> matchTargets(const TargetSpec& spec, const std::vector<NamedLinear>& linears) {
  std::vector<size_t> chosen;
  switch (spec.kind) {
    case TargetSpec::Kind::Preset:
      for (size_t i = 0; i < linears.size(); ++i) {
        if (presetTakes(spec.preset, linears[i].role)) chosen.push_back(i);
      }
      break;
    case TargetSpec::Kind::Regex: {
      const std::regex re = compile(spec.regex, "`lora-targets`");
      for (size_t i = 0; i < linears.size(); ++i) {
        if (std::regex_match(linears[i].name, re)) chosen.push_back(i);
      }
      if (chosen.empty()) {
        throwConfigError("the target regex `" + spec.regex + "` matches no projection of the model; its modules are " +
                         someModules(linears));
      }
      break;
    }
    case TargetSpec::Kind::List: {
      std::vector<std::string> unmatched;
      for (const auto& name : spec.names) {
        bool any = false;
        for (const auto& linear : linears) any = any || moduleNameMatches(linear.name, name);
        if (!any) unmatched.push_back(name);
      }
      if (!unmatched.empty()) {
        std::string list;
        for (const auto& name : unmatched) list += (list.empty() ? "`" : ", `") + name + "`";
        throwConfigError("LoRA target " + list + " matches no projection of the model; its modules are " +
                         someModules(linears));
      }
      for (size_t i = 0; i < linears.size(); ++i) {
        for (const auto& name : spec.names) {
          if (moduleNameMatches(linears[i].name, name)) {
            chosen.push_back(i);
            break;
          }
        }
      }
      break;
    }
  }
  if (chosen.empty()) throwConfigError("no projection of the model is a LoRA target");
  return chosen;
}

Json targetModulesJson(const TargetSpec& spec, const std::vector<NamedLinear>& linears,
                       const std::vector<size_t>& chosen) {
  if (spec.kind == TargetSpec::Kind::Regex) return spec.regex;
  const std::set<size_t> wanted(chosen.begin(), chosen.end());
  std::set<std::string> suffixes;
  for (size_t index : chosen) {
    const auto parts = splitString(linears[index].name, '.');
    // The shortest trailing part of the path that selects chosen modules only.
    for (size_t take = 1; take <= parts.size(); ++take) {
      std::string suffix;
      for (size_t p = parts.size() - take; p < parts.size(); ++p) suffix += (suffix.empty() ? "" : ".") + parts[p];
      bool exact = true;
      for (size_t i = 0; i < linears.size() && exact; ++i) {
        if (moduleNameMatches(linears[i].name, suffix) && !wanted.count(i)) exact = false;
      }
      if (exact) {
        suffixes.insert(suffix);
        break;
      }
    }
  }
  return Json(std::vector<std::string>(suffixes.begin(), suffixes.end()));
}

}  // namespace temper
