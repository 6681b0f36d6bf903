#include "tests/core/engine/engine_test_support.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>

namespace temper::engine_test {

TempDir::TempDir(const std::string& label) {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::canonical(std::filesystem::temp_directory_path()) /
          ("temper-engine-" + label + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void writeFile(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) ADD_FAILURE() << "cannot write " << path;
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string corpusText() {
  // Written for these tests. Plain ASCII prose with some repetition of words and phrasing, so a
  // character model of a few thousand parameters has something to learn within a hundred steps.
  return R"(The harbour town woke slowly on market days. The baker opened his shutters first, and the smell
of warm bread drifted down the hill to the boats. The fishermen came back with their nets before the
sun was high, and the children ran along the wall to count the gulls that followed them in.

Martha kept the little shop beside the bridge. She sold string and candles, tea in paper bags, and
maps of the coast that nobody ever seemed to need. On quiet afternoons she sat by the window and
mended coats for the sailors, who paid her in stories as often as in coins.

One morning a stranger arrived on the early train. He carried a wooden case and asked the way to the
lighthouse. Martha told him to follow the road past the church and to keep the sea on his left. He
thanked her, bought a candle and a map, and walked away without another word.

By noon the whole town was talking about him. The baker said he was a painter. The schoolteacher said
he was a clockmaker, because she had heard something ticking inside the case. The harbour master said
he was nobody at all, just a man who liked lighthouses, and that people should mind their own work.

In the evening the stranger came back to the shop. He put the wooden case on the counter and opened
it. Inside lay a small brass instrument with a glass face and a needle that trembled when he breathed
on it. He said it could tell when a storm was coming, two days before the first cloud appeared.

Martha did not believe him, but she was polite. She asked what the needle said now. The stranger
looked at it for a long time and then said that a storm would reach the harbour on Thursday night,
and that the boats should stay tied up until Friday. Then he closed the case and went to the inn.

On Wednesday the sky was clear and the sea was flat. The fishermen laughed when Martha told them
about the brass instrument. On Thursday the wind turned to the north, and the gulls stayed on the
roofs. By the evening the waves were breaking over the harbour wall, and every boat was safely tied.

The storm lasted all night. In the morning the town walked down to the water to look at the damage.
A few boards had come loose from the pier, and a rowing boat had drifted into the reeds, but nobody
had been hurt. The fishermen went to the inn to thank the stranger, but his room was already empty.

He had left the brass instrument on the table with a note. The note said that a town by the sea
should always have someone who watches the weather, and that the needle would be happier in a shop
with a window than in a wooden case. Martha put it on the shelf beside the maps, where it still is.

Now, when the needle begins to tremble, the children run to the harbour to warn the boats. The
fishermen listen to them, the baker bakes a little more bread, and Martha lights a candle in the
window. Nobody in the town knows the stranger's name, but everybody knows the story of his visit.

Years later a young woman came to the shop and asked about the instrument. She said her grandfather
had made it in a workshop far inland, where there was no sea at all, only rivers and fields of wheat.
He had always wanted to see a storm arrive over the water, and he had gone to find the right town.

Martha showed her the note, and the young woman smiled when she read it. She stayed for a week,
walked to the lighthouse every morning, and watched the needle every evening. When she left, she
bought a candle and a map, just as her grandfather had done, and promised to come back in the spring.
)";
}

const PreparedCorpus& preparedCorpus() {
  static TempDir dir("corpus");
  static const PreparedCorpus prepared = [] {
    PreparedCorpus p{dir / "corpus.txt", dir / "tok.model", dir / "data"};
    writeFile(p.corpus, corpusText());
    auto tokenizer = runTemper({"tokenizer", "train", "--input", p.corpus.string(), "--vocab-size", "80",
                                "--model-type", "char", "--out", p.tokenizer.string()});
    EXPECT_EQ(tokenizer.exit_code, 0) << tokenizer.all();
    auto data = runTemper({"data", "prepare", "--tokenizer", p.tokenizer.string(), "--input", p.corpus.string(),
                           "--out", p.data.string()});
    EXPECT_EQ(data.exit_code, 0) << data.all();
    return p;
  }();
  return prepared;
}

void writeCalmStorm(const std::filesystem::path& path, int first, int count) {
  std::ofstream out(path);
  out << "text,label\n";
  for (int i = first; i < first + count; ++i) {
    if (i % 2 == 0) {
      out << "\"the river was calm and bright, " << i << "\",calm\n";
    } else {
      out << "\"storm, thunder and rain again, " << i << "\",storm\n";
    }
  }
}

const std::filesystem::path& pretrainedTinyBase() {
  static TempDir dir("pretrained-base");
  static const std::filesystem::path model = [] {
    auto result = runTemper(tinyTrainArgs(dir / "ws", preparedCorpus().data, {{"max-steps", "40"}, {"ctx", "64"}}));
    EXPECT_EQ(result.exit_code, 0) << result.all();
    return std::filesystem::path(listRuns(dir / "ws").at(0).at("run_dir").get<std::string>()) / "final";
  }();
  return model;
}

Args tinyTrainArgs(const std::filesystem::path& workspace, const std::filesystem::path& data,
                   const std::map<std::string, std::string>& overrides) {
  // lr == min-lr and no warmup: the schedule does not depend on max-steps, so a run can be
  // extended with `--resume --max-steps` and still match an uninterrupted one step for step.
  std::map<std::string, std::string> flags = {
      {"data", data.string()}, {"layers", "1"},        {"dim", "32"},         {"heads", "2"},  {"ctx", "16"},
      {"batch-size", "4"},     {"max-steps", "20"},    {"warmup-steps", "0"}, {"lr", "0.003"}, {"min-lr", "0.003"},
      {"eval-batches", "2"},   {"sample-tokens", "8"}, {"threads", "1"}};
  return trainArgs(workspace, std::move(flags), overrides);
}

Args trainArgs(const std::filesystem::path& workspace, std::map<std::string, std::string> flags,
               const std::map<std::string, std::string>& overrides) {
  for (const auto& [key, value] : overrides) {
    if (value.empty()) {
      flags.erase(key);
    } else {
      flags[key] = value;
    }
  }
  Args args = {"train", "--workspace", workspace.string()};
  for (const auto& [key, value] : flags) {
    args.push_back("--" + key);
    args.push_back(value);
  }
  return args;
}

Json listRuns(const std::filesystem::path& workspace) {
  if (!std::filesystem::exists(workspace / "temper.db")) return Json::array();
  auto list = runTemper({"runs", "list", "--json", "--workspace", workspace.string()});
  EXPECT_EQ(list.exit_code, 0) << list.all();
  Json runs = Json::parse(list.out, nullptr, false);
  EXPECT_TRUE(runs.is_array()) << list.out;
  return runs.is_array() ? runs : Json::array();
}

Json showRun(const std::filesystem::path& workspace, const std::string& run_id) {
  auto show = runTemper({"runs", "show", run_id, "--json", "--workspace", workspace.string()});
  EXPECT_EQ(show.exit_code, 0) << show.all();
  Json run = Json::parse(show.out, nullptr, false);
  EXPECT_TRUE(run.is_object()) << show.out;
  return run.is_object() ? run : Json::object();
}

}  // namespace temper::engine_test
