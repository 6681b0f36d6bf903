// Bad input through the real `temper` command line: each case asserts the exit code (docs/cli.md:
// 2 bad flag or config value, 3 bad input file, 4 I/O) and that the one-line message on stderr
// names the file or field and what would be valid. Failed `temper train` calls must leave no run
// record and no run folder behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/core/engine/engine_test_support.h"

namespace temper::engine_test {
namespace {

namespace fs = std::filesystem;

void expectFailure(const ProcessResult& r, int exit_code, const std::vector<std::string>& needles) {
  EXPECT_EQ(r.exit_code, exit_code) << r.all();
  for (const auto& needle : needles) {
    EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr lacks \"" << needle << "\":\n" << r.err;
  }
  // One message, not a backtrace or a usage dump.
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "expected one line on stderr:\n" << r.err;
}

// ---- tokenizer training: the corpus -------------------------------------------------------------

class CorpusErrors : public ::testing::Test {
 protected:
  ProcessResult trainTokenizer(const std::vector<std::string>& inputs, const Args& extra = {},
                               const std::string& model_type = "char", const std::string& vocab = "64") {
    Args args = {"tokenizer", "train", "--vocab-size", vocab, "--model-type", model_type, "--out", out_.string()};
    for (const auto& input : inputs) {
      args.push_back("--input");
      args.push_back(input);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    return runTemper(args);
  }
  void TearDown() override { EXPECT_FALSE(fs::exists(out_)) << "a failed training left " << out_; }

  TempDir dir_{"corpus-errors"};
  fs::path out_ = dir_ / "out" / "tok.model";
};

TEST_F(CorpusErrors, MissingInputPathIsAnIoErrorNamingIt) {
  auto missing = (dir_ / "no-such-corpus.txt").string();
  expectFailure(trainTokenizer({missing}), 4, {missing + ": no such file or folder"});
}

TEST_F(CorpusErrors, NoInputFlagIsAUsageError) {
  expectFailure(runTemper({"tokenizer", "train", "--vocab-size", "64", "--out", out_.string()}), 2, {"--input"});
}

TEST_F(CorpusErrors, EmptyFileIsNamed) {
  writeFile(dir_ / "empty.txt", "");
  auto empty = (dir_ / "empty.txt").string();
  expectFailure(trainTokenizer({empty}), 3, {empty + ": file is empty"});
}

TEST_F(CorpusErrors, FolderWithoutMatchingFilesSaysWhatWasSkipped) {
  writeFile(dir_ / "corpus" / "notes.md", "Some notes that are not wanted.\n");
  writeFile(dir_ / "corpus" / "deep" / "table.csv", "a,b\n1,2\n");
  auto folder = (dir_ / "corpus").string();
  expectFailure(trainTokenizer({folder}, {"--ext", ".txt"}), 3,
                {folder + ": no usable text files with extensions .txt", "2 with other extensions"});
}

TEST_F(CorpusErrors, NonUtf8OnlyCorpusNamesTheByte) {
  const std::string latin1 = "caf\xe9 cr\xe8me br\xfbl\xe9\x65, na\xefve\n";  // ISO-8859-1, not UTF-8
  writeFile(dir_ / "latin1.txt", latin1);
  expectFailure(trainTokenizer({(dir_ / "latin1.txt").string()}), 3,
                {(dir_ / "latin1.txt").string() + ": not UTF-8 text (invalid byte at offset 3)"});

  writeFile(dir_ / "folder" / "latin1.txt", latin1);
  const char utf16[] =
      "\xff\xfe"
      "t\0e\0x\0t\0";  // UTF-16 with a byte-order mark: NUL bytes
  writeFile(dir_ / "folder" / "more.md", std::string(utf16, sizeof utf16 - 1));
  auto folder = (dir_ / "folder").string();
  expectFailure(trainTokenizer({folder}), 3, {folder + ": no usable text files", "1 not UTF-8", "1 binary"});
}

TEST_F(CorpusErrors, BpeVocabularyLargerThanTheCorpusSupports) {
  writeFile(dir_ / "small.txt", corpusText());
  auto r = trainTokenizer({(dir_ / "small.txt").string()}, {}, "bpe", "5000");
  expectFailure(r, 2, {"vocab_size 5000 is too large", "small.txt", "at most"});
  // The message names the largest vocabulary that works; it must really work.
  auto at = r.err.find("use vocab_size ");
  ASSERT_NE(at, std::string::npos) << r.err;
  std::string largest = r.err.substr(at + 15, r.err.find(' ', at + 15) - at - 15);
  auto ok = trainTokenizer({(dir_ / "small.txt").string()}, {}, "bpe", largest);
  EXPECT_EQ(ok.exit_code, 0) << ok.all();
  fs::remove(out_);
}

// ---- training: flags, config file, dataset ------------------------------------------------------

// Every case runs in a copy of a workspace that already holds one finished run, so "no half-written
// run record" is checked against a real store, not an absent one.
class TrainErrors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    seeded_ = std::make_unique<TempDir>("seeded");
    auto seed = runTemper(tinyTrainArgs(seeded_->path() / "ws", preparedCorpus().data, {{"max-steps", "2"}}));
    ASSERT_EQ(seed.exit_code, 0) << seed.all();
    seed_run_ = runIdOf(seed);
  }
  static void TearDownTestSuite() { seeded_.reset(); }

  void SetUp() override {
    ASSERT_FALSE(seed_run_.empty());
    fs::copy(seeded_->path() / "ws", workspace_, fs::copy_options::recursive);
  }

  ProcessResult train(const std::map<std::string, std::string>& overrides) {
    return runTemper(tinyTrainArgs(workspace_, preparedCorpus().data, overrides));
  }

  void expectNoNewRun() {
    Json runs = listRuns(workspace_);
    ASSERT_EQ(runs.size(), 1u) << runs.dump(2);
    EXPECT_EQ(runs[0]["id"], seed_run_);
    EXPECT_EQ(runs[0]["status"], "finished");
    size_t folders = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(workspace_ / "runs")) ++folders;
    EXPECT_EQ(folders, 1u) << "a failed start left a run folder in " << workspace_ / "runs";
  }

  /// A copy of the prepared dataset that a test may damage.
  fs::path dataCopy() {
    fs::path copy = dir_ / "data";
    fs::copy(preparedCorpus().data, copy, fs::copy_options::recursive);
    return copy;
  }

  static std::unique_ptr<TempDir> seeded_;
  static std::string seed_run_;
  TempDir dir_{"train-errors"};
  fs::path workspace_ = dir_ / "ws";
};

std::unique_ptr<TempDir> TrainErrors::seeded_;
std::string TrainErrors::seed_run_;

TEST_F(TrainErrors, HeadsNotDividingDim) {
  expectFailure(train({{"heads", "3"}, {"dim", "64"}}), 2, {"`heads` (3) must divide `dim` (64)"});
  expectNoNewRun();
}

TEST_F(TrainErrors, NegativeOrAbsurdHyperparametersNameTheRange) {
  struct Case {
    std::map<std::string, std::string> overrides;
    std::vector<std::string> needles;
  };
  const std::vector<Case> cases = {
      {{{"lr", "-1"}}, {"`lr` (flag --lr) is \"-1\"", "allowed: 1e-09 to 10"}},
      {{{"batch-size", "0"}}, {"`batch-size` (flag --batch-size) is \"0\"", "allowed: 1 to 65536"}},
      {{{"max-steps", "abc"}}, {"`max-steps` (flag --max-steps) is \"abc\"", "allowed: 1 to"}},
      {{{"grad-accum", "2.5"}}, {"`grad-accum`", "not a whole number", "allowed: 1 to 4096"}},
      {{{"dropout", "1.5"}}, {"`dropout`", "allowed: 0 to 0.95"}},
      {{{"warmup-steps", "-5"}}, {"`warmup-steps`", "allowed: 0 to"}},
      {{{"ctx", "1000000"}}, {"`ctx`", "allowed: 2 to 65536"}},
      {{{"device", "tpu"}}, {"`device`", "one of auto, cpu, cuda"}},
      {{{"min-lr", "0.01"}}, {"`min-lr`", "must not exceed `lr`"}},
      {{{"warmup-steps", "50"}}, {"`warmup-steps` (50) must not exceed `max-steps` (20)"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.overrides.begin()->first + " " + c.overrides.begin()->second);
    expectFailure(train(c.overrides), 2, c.needles);
  }
  expectNoNewRun();
}

TEST_F(TrainErrors, ConfigFileKeysAreValidatedWithTheFlags) {
  fs::path config = dir_ / "config.json";
  Json body = {{"data", preparedCorpus().data.string()},
               {"layers", 1},
               {"dim", 32},
               {"heads", 2},
               {"ctx", 16},
               {"learning_rate", 0.1}};
  writeFile(config, body.dump());
  auto r = runTemper({"train", config.string(), "--workspace", workspace_.string()});
  expectFailure(r, 2, {"unknown key `learning_rate` (in " + config.string() + ")", "known keys:", " lr,", "min-lr"});

  body.erase("learning_rate");
  body["lr"] = 100;
  writeFile(config, body.dump());
  r = runTemper({"train", config.string(), "--workspace", workspace_.string()});
  expectFailure(r, 2, {"`lr` (in " + config.string() + ") is 100; allowed: 1e-09 to 10"});

  // A flag is checked against the file's values: here the file's heads do not divide the flag's dim.
  body["lr"] = 0.001;
  writeFile(config, body.dump());
  r = runTemper({"train", config.string(), "--workspace", workspace_.string(), "--dim", "33", "--threads", "1"});
  expectFailure(r, 2, {"`heads` (2) must divide `dim` (33)"});

  writeFile(config, "{\"data\": ");
  r = runTemper({"train", config.string(), "--workspace", workspace_.string()});
  EXPECT_NE(r.exit_code, 0) << r.all();
  EXPECT_NE(r.err.find(config.string()), std::string::npos) << r.err;
  expectNoNewRun();
}

TEST_F(TrainErrors, MissingDatasetFolder) {
  auto missing = (dir_ / "not-prepared").string();
  auto r = train({{"data", missing}});
  expectFailure(r, 4, {missing, "meta.json"});
  expectNoNewRun();
}

TEST_F(TrainErrors, TruncatedTrainBin) {
  fs::path data = dataCopy();
  fs::resize_file(data / "train.bin", fs::file_size(data / "train.bin") - 1);  // half a uint16 token
  expectFailure(train({{"data", data.string()}}), 3, {(data / "train.bin").string() + ": truncated token file"});
  expectNoNewRun();

  fs::resize_file(data / "train.bin", fs::file_size(data / "train.bin") - 1001);  // whole tokens missing
  expectFailure(train({{"data", data.string()}}), 3,
                {(data / "train.bin").string() + ": holds ", "but meta.json says", "prepare the dataset again"});
  expectNoNewRun();
}

TEST_F(TrainErrors, CorpusTooSmallForTheContext) {
  // About 3,200 training and 350 validation tokens: ctx 1000 fits the one, not the other.
  auto r = train({{"ctx", "1000"}});
  expectFailure(r, 3, {"the validation split of " + preparedCorpus().data.string(), "ctx + 1 = 1001", "smaller `ctx`"});
  r = train({{"ctx", "4000"}});
  expectFailure(r, 3, {"the training split of " + preparedCorpus().data.string(), "ctx + 1 = 4001"});
  expectNoNewRun();
}

TEST_F(TrainErrors, ResumingAnUnknownRun) {
  auto r = runTemper({"train", "--workspace", workspace_.string(), "--resume", "no-such-run"});
  expectFailure(r, 2, {"no run `no-such-run`"});
  expectNoNewRun();
}

// ---- model files --------------------------------------------------------------------------------

TEST(ModelFileErrors, CorruptTokenizerModelIsNamed) {
  TempDir dir("model-errors");
  std::string noise(4000, '\0');
  uint32_t state = 12345;
  for (char& c : noise) {
    state = state * 1664525u + 1013904223u;
    c = static_cast<char>(state >> 24);
  }
  writeFile(dir / "noise.model", noise);
  auto model = (dir / "noise.model").string();
  expectFailure(runTemper({"tokenizer", "encode", "--tokenizer", model, "--text", "hello"}), 3,
                {model + ": not a usable SentencePiece model"});
  expectFailure(runTemper({"data", "prepare", "--tokenizer", model, "--input", preparedCorpus().corpus.string(),
                           "--out", (dir / "data").string()}),
                3, {"noise.model: not a usable SentencePiece model"});
  writeFile(dir / "empty.model", "");
  expectFailure(runTemper({"tokenizer", "decode", "--tokenizer", (dir / "empty.model").string(), "--ids", "1 2"}), 3,
                {(dir / "empty.model").string() + ": tokenizer model file is empty"});
}

TEST(ModelFileErrors, TruncatedSafetensorsForEval) {
  TempDir dir("eval-errors");
  auto trained = runTemper(tinyTrainArgs(dir / "ws", preparedCorpus().data, {{"max-steps", "2"}}));
  ASSERT_EQ(trained.exit_code, 0) << trained.all();
  fs::path model = dir / "model";
  fs::copy(dir / "ws" / "runs" / runIdOf(trained) / "final", model, fs::copy_options::recursive);
  fs::path weights = model / "model.safetensors";
  fs::resize_file(weights, fs::file_size(weights) / 2);
  Args eval = {"eval", "--model", model.string(), "--data", preparedCorpus().corpus.string(), "--json"};
  expectFailure(runTemper(eval), 3, {weights.string() + ": truncated"});

  fs::resize_file(weights, 5);  // shorter than the 8-byte header length
  expectFailure(runTemper(eval), 3, {weights.string() + ": too short to be a safetensors file"});

  fs::remove(weights);
  auto r = runTemper(eval);
  EXPECT_NE(r.exit_code, 0) << r.all();
  EXPECT_NE(r.err.find("model.safetensors"), std::string::npos) << r.err;
}

// ---- the event stream -----------------------------------------------------------------------------

// Events go to stdout with --events or when stdout is not a terminal (docs; core/engine/console.cpp),
// so a program reading them must also learn about a failure there, whatever stage it happened in.
TEST(EventStream, FailuresAreErrorEventsWhenStdoutIsNotATerminal) {
  TempDir dir("event-errors");
  auto bad_value = runTemper(tinyTrainArgs(dir / "ws", preparedCorpus().data, {{"lr", "-1"}}));
  EXPECT_EQ(bad_value.exit_code, 2);
  auto events = bad_value.events();
  ASSERT_EQ(events.size(), 1u) << bad_value.all();
  EXPECT_EQ(events[0]["type"], "error");
  EXPECT_EQ(events[0]["kind"], "invalid_config");
  EXPECT_NE(events[0]["message"].get<std::string>().find("`lr`"), std::string::npos) << events[0];

  auto parse_error = runTemper({"tokenizer", "train", "--events", "--input", preparedCorpus().corpus.string(),
                                "--vocab-size", "2", "--out", (dir / "tok.model").string()});
  EXPECT_EQ(parse_error.exit_code, 2);
  events = parse_error.events();
  ASSERT_EQ(events.size(), 1u) << parse_error.all();
  EXPECT_EQ(events[0]["type"], "error");
  EXPECT_NE(events[0]["message"].get<std::string>().find("--vocab-size"), std::string::npos) << events[0];
}

}  // namespace
}  // namespace temper::engine_test
