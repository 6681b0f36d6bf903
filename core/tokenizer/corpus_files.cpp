#include "core/tokenizer/corpus_files.h"

#include <algorithm>
#include <cctype>

#include "core/common/error.h"
#include "core/common/json_io.h"
#include "core/common/text_utils.h"

namespace temper {
namespace {

std::string toLower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string joinExtensions(const std::vector<std::string>& extensions) {
  std::string joined;
  for (const auto& extension : extensions) joined += (joined.empty() ? "" : ",") + extension;
  return joined;
}

enum class Verdict { Usable, Empty, Binary, NotUtf8 };

Verdict classify(const std::string& content, size_t* bad_offset) {
  if (content.empty()) return Verdict::Empty;
  if (looksBinary(content)) return Verdict::Binary;
  size_t offset = firstInvalidUtf8(content);
  if (offset != std::string::npos) {
    *bad_offset = offset;
    return Verdict::NotUtf8;
  }
  return Verdict::Usable;
}

CorpusFile makeEntry(const std::filesystem::path& path, uint64_t bytes) {
  return CorpusFile{path, bytes, toLower(path.extension().string()) == ".jsonl"};
}

void addExplicitFile(const std::filesystem::path& path, CorpusFiles& out) {
  std::string content = readTextFile(path);
  size_t offset = 0;
  switch (classify(content, &offset)) {
    case Verdict::Empty:
      throwInputError(path.string() + ": file is empty");
    case Verdict::Binary:
      throwInputError(path.string() + ": looks binary (contains a NUL byte), expected text");
    case Verdict::NotUtf8:
      throwInputError(path.string() + ": not UTF-8 text (invalid byte at offset " + std::to_string(offset) + ")");
    case Verdict::Usable:
      break;
  }
  out.files.push_back(makeEntry(path, content.size()));
  out.bytes += content.size();
}

bool skipFolder(const std::filesystem::path& folder) {
  // Hidden folders (.git, .venv) and installed dependencies are not the person's corpus.
  std::string name = folder.filename().string();
  return (name.size() > 1 && name[0] == '.') || name == "node_modules";
}

void addFolder(const std::filesystem::path& root, const std::vector<std::string>& extensions, CorpusFiles& out) {
  CorpusFiles local;
  std::vector<std::filesystem::path> matches;
  std::error_code ec;
  auto options = std::filesystem::directory_options::skip_permission_denied;
  std::filesystem::recursive_directory_iterator it(root, options, ec), end;
  if (ec) throwIoError("cannot list " + root.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throwIoError("cannot list " + root.string() + ": " + ec.message());
    const auto& entry = *it;
    if (entry.is_directory(ec) && !entry.is_symlink(ec)) {
      if (skipFolder(entry.path())) it.disable_recursion_pending();
      continue;
    }
    if (!entry.is_regular_file(ec)) continue;
    if (hasCorpusExtension(entry.path(), extensions)) {
      matches.push_back(entry.path());
    } else {
      ++local.skipped_extension;
    }
  }
  // Directory order is unspecified; sorting keeps corpora (and so datasets) reproducible.
  std::sort(matches.begin(), matches.end());
  for (const auto& path : matches) {
    std::string content = readTextFile(path);
    size_t offset = 0;
    switch (classify(content, &offset)) {
      case Verdict::Empty:
        ++local.skipped_empty;
        break;
      case Verdict::Binary:
        ++local.skipped_binary;
        break;
      case Verdict::NotUtf8:
        ++local.skipped_not_utf8;
        break;
      case Verdict::Usable:
        local.files.push_back(makeEntry(path, content.size()));
        local.bytes += content.size();
        break;
    }
  }
  if (local.files.empty()) {
    throwInputError(root.string() + ": no usable text files with extensions " + joinExtensions(extensions) +
                    " (skipped: " + describeSkipped(local) + ")");
  }
  out.files.insert(out.files.end(), local.files.begin(), local.files.end());
  out.bytes += local.bytes;
  out.skipped_binary += local.skipped_binary;
  out.skipped_not_utf8 += local.skipped_not_utf8;
  out.skipped_extension += local.skipped_extension;
  out.skipped_empty += local.skipped_empty;
}

}  // namespace

const std::vector<std::string>& defaultCorpusExtensions() {
  static const std::vector<std::string> extensions = {".ts", ".tsx", ".js", ".jsx", ".md", ".txt", ".jsonl"};
  return extensions;
}

std::vector<std::string> normalizeExtensions(const std::vector<std::string>& extensions) {
  if (extensions.empty()) return defaultCorpusExtensions();
  std::vector<std::string> normalized;
  for (const auto& raw : extensions) {
    std::string extension = toLower(trim(raw));
    if (extension.empty()) continue;
    if (extension != "*" && extension[0] != '.') extension.insert(extension.begin(), '.');
    normalized.push_back(extension);
  }
  return normalized.empty() ? defaultCorpusExtensions() : normalized;
}

bool hasCorpusExtension(const std::filesystem::path& path, const std::vector<std::string>& extensions) {
  std::string extension = toLower(path.extension().string());
  return std::any_of(extensions.begin(), extensions.end(),
                     [&](const std::string& wanted) { return wanted == "*" || wanted == extension; });
}

CorpusFiles collectCorpusFiles(const std::vector<std::filesystem::path>& inputs,
                               const std::vector<std::string>& extensions) {
  if (inputs.empty()) throwConfigError("no corpus inputs given: name at least one file or folder");
  auto wanted = normalizeExtensions(extensions);
  CorpusFiles out;
  for (const auto& input : inputs) {
    std::error_code ec;
    auto status = std::filesystem::status(input, ec);
    if (!std::filesystem::exists(status)) throwIoError(input.string() + ": no such file or folder");
    if (std::filesystem::is_directory(status)) {
      addFolder(input, wanted, out);
    } else {
      addExplicitFile(input, out);
    }
  }
  return out;
}

std::string describeSkipped(const CorpusFiles& files) {
  std::string text;
  auto add = [&](int64_t count, const char* what) {
    if (count == 0) return;
    text += (text.empty() ? "" : ", ") + std::to_string(count) + " " + what;
  };
  add(files.skipped_binary, "binary");
  add(files.skipped_not_utf8, "not UTF-8");
  add(files.skipped_empty, "empty");
  add(files.skipped_extension, "with other extensions");
  return text.empty() ? "nothing" : text;
}

}  // namespace temper
