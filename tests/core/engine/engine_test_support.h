#pragma once
// Shared set-up of the engine's end-to-end tests: a temporary folder per test, a small English
// corpus written here (no third-party text), and a character tokenizer plus prepared dataset made
// once per test program with the real `temper tokenizer train` and `temper data prepare`.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "tests/core/engine/temper_process.h"

namespace temper::engine_test {

/// A fresh folder, removed at the end of its scope.
class TempDir {
 public:
  explicit TempDir(const std::string& label = "test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void writeFile(const std::filesystem::path& path, const std::string& bytes);
std::string readFile(const std::filesystem::path& path);

/// About 5 KB of plain English prose in a few paragraphs.
std::string corpusText();

/// Made once per test program: corpus.txt, a char tokenizer (tok.model) and `data/` prepared from it
/// with the default validation split.
struct PreparedCorpus {
  std::filesystem::path corpus;
  std::filesystem::path tokenizer;
  std::filesystem::path data;
};
const PreparedCorpus& preparedCorpus();

/// `temper train --workspace W --KEY VALUE ...` from `flags` with `overrides` applied: an override
/// sets a flag, or with an empty value leaves it out. A flag given twice is a CLI error, hence maps.
Args trainArgs(const std::filesystem::path& workspace, std::map<std::string, std::string> flags,
               const std::map<std::string, std::string>& overrides);

/// `temper train` arguments of a tiny, fast, fully determined run (1 layer, dim 32, 2 heads, ctx 16,
/// batch 4, 20 steps, one thread, constant learning rate) on `data` in `workspace`. `overrides` set
/// a flag (`{"max-steps", "10"}`) or, with an empty value, leave it out. A flag given twice is a
/// CLI error, hence the map.
Args tinyTrainArgs(const std::filesystem::path& workspace, const std::filesystem::path& data,
                   const std::map<std::string, std::string>& overrides = {});

/// `count` {"text","label"} CSV records numbered from `first`: even ones "calm", odd ones "storm",
/// two kinds of text that differ in every word (separable for any model).
void writeCalmStorm(const std::filesystem::path& path, int first, int count);

/// The final/ folder of a tiny GPT-2 pretrained on the prepared corpus for 40 steps at ctx 64, made
/// once per test program: the base the finetuning and PEFT tests start from.
const std::filesystem::path& pretrainedTinyBase();

/// `temper runs list --json` of `workspace`: the runs, or an empty array when it has no store yet.
Json listRuns(const std::filesystem::path& workspace);
/// `temper runs show ID --json`.
Json showRun(const std::filesystem::path& workspace, const std::string& run_id);

}  // namespace temper::engine_test
