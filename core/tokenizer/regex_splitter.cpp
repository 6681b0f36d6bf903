#include "core/tokenizer/regex_splitter.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/common/error.h"

namespace temper {
namespace {

// PCRE2's JIT needs a machine stack of its own; patterns like \s+(?!\S) on a long run of spaces
// backtrack deeply, so give it room (the default 32 KiB fails on a few thousand spaces).
constexpr size_t kJitStackStart = 32 * 1024;
constexpr size_t kJitStackMax = 8 * 1024 * 1024;

std::string pcreMessage(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof buffer);
  return reinterpret_cast<const char*>(buffer);
}

// One match context + JIT stack + match data per thread and pattern would be ideal; a thread-local
// JIT stack shared by all patterns is enough (matches never nest).
struct ThreadJitStack {
  pcre2_jit_stack* stack = pcre2_jit_stack_create(kJitStackStart, kJitStackMax, nullptr);
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  ThreadJitStack() {
    if (stack != nullptr && context != nullptr) pcre2_jit_stack_assign(context, nullptr, stack);
  }
  ~ThreadJitStack() {
    pcre2_match_context_free(context);
    pcre2_jit_stack_free(stack);
  }
};

// Oniguruma's \s (what Hugging Face runs) is U+0009-000D, U+0085 and the Z categories. PCRE2's \s
// with UCP is \p{Z}, \h and \v, and its \h also holds U+180E (Mongolian vowel separator, a space
// before Unicode 6.3), so spell the class out instead. Python's `regex` agrees with Oniguruma.
constexpr const char* kOnigSpaces = "\\t-\\r\\x{85}\\p{Z}";

std::string withOnigWhitespace(const std::string& pattern, const std::string& what) {
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char next = pattern[++i];
      if (next == 'Q') throwInputError(what + ": \\Q...\\E quoting in a pre-tokenizer regex is not supported");
      if (next == 's') {
        out += in_class ? std::string(kOnigSpaces) : "[" + std::string(kOnigSpaces) + "]";
      } else if (next == 'S') {
        if (in_class) throwInputError(what + ": \\S inside a character class is not supported");
        out += "[^" + std::string(kOnigSpaces) + "]";
      } else {
        out += c;
        out += next;
      }
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal member, not the end.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
      continue;
    }
    if (in_class && c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {
      const size_t end = pattern.find(":]", i + 2);  // a POSIX class such as [:alpha:]
      if (end != std::string::npos) {
        out.append(pattern, i, end + 2 - i);
        i = end + 1;
        continue;
      }
    }
    if (in_class && c == ']') in_class = false;
    out += c;
  }
  return out;
}

}  // namespace

struct RegexSplitter::Impl {
  pcre2_code* code = nullptr;
  ~Impl() { pcre2_code_free(code); }
};

RegexSplitter::RegexSplitter(const std::string& pattern, bool literal, const std::string& what)
    : pattern_(pattern), what_(what), impl_(std::make_unique<Impl>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  // UTF: the pattern and subject are UTF-8 code points, not bytes. UCP: \s, \d, \w and POSIX
  // classes follow Unicode properties, as the Oniguruma engine used by Hugging Face does.
  uint32_t options = PCRE2_UTF | PCRE2_UCP;
  if (literal) options |= PCRE2_LITERAL;
  const std::string compiled = literal ? pattern : withOnigWhitespace(pattern, what);
  impl_->code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(compiled.data()), compiled.size(), options, &error, &offset, nullptr);
  if (impl_->code == nullptr) {
    throwInputError(what + ": cannot compile the regex /" + pattern + "/: " + pcreMessage(error) + " at offset " +
                    std::to_string(offset));
  }
  // JIT is an optimisation only: without it (unsupported CPU) pcre2_match interprets the pattern.
  pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE);
}

RegexSplitter::~RegexSplitter() = default;

void RegexSplitter::split(std::string_view text, std::vector<std::pair<size_t, size_t>>& out) const {
  thread_local ThreadJitStack jit;
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create_from_pattern(impl_->code, nullptr), &pcre2_match_data_free);
  if (!data) throw std::bad_alloc();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t last_end = 0;  // end of the previous match
  size_t start = 0;     // where the next search begins
  while (start <= text.size()) {
    int rc = pcre2_match(impl_->code, subject, text.size(), start, PCRE2_NO_UTF_CHECK, data.get(), jit.context);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      throwInputError(what_ + ": the regex /" + pattern_ + "/ failed at byte " + std::to_string(start) + ": " +
                      pcreMessage(rc));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
    const size_t begin = ovector[0], end = ovector[1];
    if (begin > last_end) out.emplace_back(last_end, begin);
    if (end > begin) {
      out.emplace_back(begin, end);
      last_end = end;
      start = end;
    } else {
      // An empty match: Hugging Face (like Rust's regex find_iter) skips it and moves on by one
      // character.
      if (begin >= text.size()) break;
      start = begin + 1;
      while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) ++start;
    }
  }
  if (last_end < text.size()) out.emplace_back(last_end, text.size());
}

}  // namespace temper
