#include "core/rewards/rule_rewards.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "core/common/error.h"
#include "core/common/text_utils.h"

namespace temper {
namespace {

const char* const kKinds[] = {"regex", "format", "contains", "not-contains", "exact-match", "numeric-match", "length"};

std::string pcreMessage(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof buffer);
  return reinterpret_cast<const char*>(buffer);
}

size_t codePoints(const std::string& text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// A format template as a regex: literal text escaped, each `...` / `…` any text (lazily), the
/// whole completion between optional surrounding whitespace.
std::string formatPattern(const std::string& format) {
  std::string out = "(?s)\\A\\s*";
  for (size_t i = 0; i < format.size();) {
    if (format.compare(i, 3, "...") == 0) {
      out += ".*?";
      i += 3;
    } else if (format.compare(i, 3, "\xE2\x80\xA6") == 0) {  // …
      out += ".*?";
      i += 3;
    } else {
      const char c = format[i++];
      const bool ascii_punctuation =
          static_cast<unsigned char>(c) < 0x80 && !std::isalnum(static_cast<unsigned char>(c));
      if (ascii_punctuation && c != ' ') out += '\\';
      out += c;
    }
  }
  return out + "\\s*\\z";
}

/// The number at the end of `text` ("1,234.5", "-3"), if any.
std::optional<double> lastNumber(const std::string& text) {
  std::optional<double> found;
  for (size_t i = 0; i < text.size();) {
    const bool sign = text[i] == '-' && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]));
    if (!sign && !std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::string digits(sign ? "-" : "");
    size_t j = sign ? i + 1 : i;
    bool point = false;
    for (; j < text.size(); ++j) {
      const char c = text[j];
      const bool next_digit = j + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[j + 1]));
      if (std::isdigit(static_cast<unsigned char>(c))) {
        digits += c;
      } else if (c == ',' && next_digit && !point) {
        continue;  // a thousands separator
      } else if (c == '.' && next_digit && !point) {
        point = true;
        digits += c;
      } else {
        break;
      }
    }
    found = std::strtod(digits.c_str(), nullptr);
    i = j;
  }
  return found;
}

}  // namespace

struct RuleRewards::Compiled {
  pcre2_code* code = nullptr;  ///< regex and format
  double min_length = 0, max_length = INFINITY;
  ~Compiled() { pcre2_code_free(code); }

  /// Whether `text` holds a match. A completion that is not valid UTF-8 (a sampled answer can end
  /// inside a character) or that hits PCRE2's backtracking limit does not match: a reward must
  /// score every sample, never stop the run.
  bool search(const std::string& text) const {
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
        pcre2_match_data_create_from_pattern(code, nullptr), &pcre2_match_data_free);
    if (!data) throw std::bad_alloc();
    return pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, data.get(), nullptr) >= 0;
  }
};

RuleRewards::RuleRewards(std::vector<RewardRule> rules) : rules_(std::move(rules)) {
  for (size_t i = 0; i < rules_.size(); ++i) {
    const RewardRule& rule = rules_[i];
    const std::string where = "reward rule " + std::to_string(i + 1) + " (" + rule.kind + ")";
    if (std::find(std::begin(kKinds), std::end(kKinds), rule.kind) == std::end(kKinds)) {
      std::string known;
      for (const char* k : kKinds) known += (known.empty() ? "" : ", ") + std::string(k);
      throwConfigError(where + ": unknown kind; allowed: " + known);
    }
    if (rule.argument.empty()) throwConfigError(where + ": the argument is empty");
    if (!std::isfinite(rule.weight)) throwConfigError(where + ": the weight is not a finite number");
    auto compiled = std::make_unique<Compiled>();
    if (rule.kind == "regex" || rule.kind == "format") {
      const std::string pattern = rule.kind == "regex" ? rule.argument : formatPattern(rule.argument);
      int error = 0;
      PCRE2_SIZE offset = 0;
      compiled->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr);
      if (compiled->code == nullptr) {
        throwConfigError(where + ": cannot compile /" + rule.argument + "/: " + pcreMessage(error) + " at offset " +
                         std::to_string(offset));
      }
    }
    if (rule.kind == "length") {
      const auto dash = rule.argument.find('-');
      char* end = nullptr;
      const std::string low = rule.argument.substr(0, dash),
                        high = dash == std::string::npos ? "" : rule.argument.substr(dash + 1);
      compiled->min_length = std::strtod(low.c_str(), &end);
      const bool low_ok = !low.empty() && end == low.c_str() + low.size() && compiled->min_length >= 0;
      if (!high.empty()) compiled->max_length = std::strtod(high.c_str(), &end);
      const bool high_ok =
          high.empty() || (end == high.c_str() + high.size() && compiled->max_length >= compiled->min_length);
      if (dash == std::string::npos || !low_ok || !high_ok) {
        throwConfigError(where + ": the argument is \"" + rule.argument +
                         "\"; give a range of characters, MIN-MAX (e.g. 20-200) or MIN- (at least MIN)");
      }
    }
    compiled_.push_back(std::move(compiled));
  }
}

RuleRewards::~RuleRewards() = default;
RuleRewards::RuleRewards(RuleRewards&&) noexcept = default;
RuleRewards& RuleRewards::operator=(RuleRewards&&) noexcept = default;

std::vector<std::string> RuleRewards::fieldsRead() const {
  std::vector<std::string> fields;
  for (const auto& rule : rules_) {
    if ((rule.kind == "exact-match" || rule.kind == "numeric-match") &&
        std::find(fields.begin(), fields.end(), rule.argument) == fields.end()) {
      fields.push_back(rule.argument);
    }
  }
  return fields;
}

RuleScores RuleRewards::score(const std::string& completion, const std::map<std::string, std::string>& fields,
                              const std::string& source) const {
  RuleScores out;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const RewardRule& rule = rules_[i];
    const Compiled& compiled = *compiled_[i];
    auto field = [&]() -> const std::string& {
      auto it = fields.find(rule.argument);
      if (it == fields.end()) {
        throwInputError(source + ": has no field `" + rule.argument + "`, which reward rule " + std::to_string(i + 1) +
                        " (" + rule.kind + ") compares the answer with");
      }
      return it->second;
    };
    double s = 0;
    if (rule.kind == "regex" || rule.kind == "format") {
      s = compiled.search(completion) ? 1.0 : 0.0;
    } else if (rule.kind == "contains") {
      s = completion.find(rule.argument) != std::string::npos ? 1.0 : 0.0;
    } else if (rule.kind == "not-contains") {
      s = completion.find(rule.argument) == std::string::npos ? 1.0 : 0.0;
    } else if (rule.kind == "exact-match") {
      s = extractedAnswer(completion) == trim(field()) ? 1.0 : 0.0;
    } else if (rule.kind == "numeric-match") {
      const auto got = lastNumber(extractedAnswer(completion));
      const auto want = lastNumber(field());
      if (!want) throwInputError(source + ": field `" + rule.argument + "` holds no number (\"" + field() + "\")");
      s = got && std::abs(*got - *want) <= 1e-6 * std::max(1.0, std::abs(*want)) ? 1.0 : 0.0;
    } else if (rule.kind == "length") {
      const double n = static_cast<double>(codePoints(completion));
      const double lo = compiled.min_length, hi = compiled.max_length;
      if (n >= lo && n <= hi) {
        s = 1.0;
      } else {
        // Linear to 0 at a distance equal to the nearer end's own size (at least one character).
        const double end = n < lo ? lo : hi;
        s = std::max(0.0, 1.0 - std::abs(n - end) / std::max(end, 1.0));
      }
    }
    out.scores.push_back(s);
    out.total += rule.weight * s;
  }
  return out;
}

std::vector<RewardRule> parseRewardRules(const Json& json, const std::string& where) {
  Json array = json;
  if (json.is_string()) {
    array = Json::parse(json.get<std::string>(), nullptr, false);
    if (array.is_discarded())
      throwConfigError(where + ": not JSON; give an array of {\"kind\", \"argument\", \"weight\"}");
  }
  if (!array.is_array()) throwConfigError(where + ": give an array of {\"kind\", \"argument\", \"weight\"}");
  std::vector<RewardRule> rules;
  for (size_t i = 0; i < array.size(); ++i) {
    const Json& r = array[i];
    const std::string at = where + " rule " + std::to_string(i + 1);
    if (!r.is_object() || !r.contains("kind") || !r["kind"].is_string()) throwConfigError(at + ": needs a \"kind\"");
    RewardRule rule;
    rule.kind = r["kind"].get<std::string>();
    const char* argument_key = r.contains("argument") ? "argument" : "arg";
    if (!r.contains(argument_key) || !r[argument_key].is_string()) throwConfigError(at + ": needs an \"argument\"");
    rule.argument = r[argument_key].get<std::string>();
    if (r.contains("weight")) {
      if (!r["weight"].is_number()) throwConfigError(at + ": \"weight\" is not a number");
      rule.weight = r["weight"].get<double>();
    }
    rules.push_back(std::move(rule));
  }
  if (rules.empty()) throwConfigError(where + ": no rule given");
  return rules;
}

std::vector<RewardRule> rewardRulesFromText(const std::string& text, const std::string& where) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(text, ec)) return parseRewardRules(readJsonFile(text), text);
  return parseRewardRules(Json(text), where);
}

std::string extractedAnswer(const std::string& completion) {
  const auto open = completion.rfind("<answer>");
  if (open != std::string::npos) {
    const auto start = open + 8;
    const auto close = completion.find("</answer>", start);
    return trim(completion.substr(start, close == std::string::npos ? std::string::npos : close - start));
  }
  return trim(completion);
}

}  // namespace temper
