// Folder walking shared by tokenizer training and data preparation.
#include <gtest/gtest.h>

#include "core/common/text_utils.h"
#include "core/tokenizer/corpus_documents.h"
#include "core/tokenizer/corpus_files.h"
#include "core/tokenizer/training_sentences.h"
#include "tests/core/tokenizer/test_support.h"

using namespace temper;

namespace {

using test::contains;

// a.ts, b.md, nested/c.js (used); d.txt with a NUL, e.txt in Latin-1, f.py, g.txt empty (skipped);
// node_modules/ and .git/ (not searched).
void makeMixedFolder(const std::filesystem::path& root) {
  test::writeFile(root / "a.ts", "export const a = 1;\n");
  test::writeFile(root / "b.MD", "# Title\n\nSome prose.\n");
  test::writeFile(root / "nested" / "deeper" / "c.js", "function c() { return 3; }\n");
  test::writeFile(root / "d.txt", std::string("binary\0data", 11));
  test::writeFile(root / "e.txt", "caf\xe9 in Latin-1\n");
  test::writeFile(root / "f.py", "print('not in the list')\n");
  test::writeFile(root / "g.txt", "");
  test::writeFile(root / "node_modules" / "dep" / "index.js", "module.exports = 1;\n");
  test::writeFile(root / ".git" / "notes.txt", "hidden\n");
}

}  // namespace

TEST(CorpusFiles, FolderWalkFiltersByExtensionAndCountsSkips) {
  test::TempDir dir;
  makeMixedFolder(dir.path());
  CorpusFiles files = collectCorpusFiles({dir.path()}, {});
  ASSERT_EQ(files.files.size(), 3u);
  EXPECT_EQ(files.files[0].path, dir / "a.ts");  // sorted by path
  EXPECT_EQ(files.files[1].path, dir / "b.MD");  // extension match ignores case
  EXPECT_EQ(files.files[2].path, dir.path() / "nested" / "deeper" / "c.js");
  EXPECT_EQ(files.skipped_binary, 1);
  EXPECT_EQ(files.skipped_not_utf8, 1);
  EXPECT_EQ(files.skipped_empty, 1);
  EXPECT_EQ(files.skipped_extension, 1);  // f.py; node_modules and .git are not searched at all
  EXPECT_EQ(describeSkipped(files), "1 binary, 1 not UTF-8, 1 empty, 1 with other extensions");
}

TEST(CorpusFiles, ExplicitExtensionsAreNormalized) {
  test::TempDir dir;
  makeMixedFolder(dir.path());
  CorpusFiles files = collectCorpusFiles({dir.path()}, {"PY", " .js"});
  ASSERT_EQ(files.files.size(), 2u);
  EXPECT_EQ(files.files[0].path.filename(), "f.py");
  EXPECT_EQ(files.files[1].path.filename(), "c.js");
  EXPECT_EQ(normalizeExtensions({"TS", ".Md", ""}), (std::vector<std::string>{".ts", ".md"}));
  EXPECT_EQ(normalizeExtensions({}), defaultCorpusExtensions());
}

TEST(CorpusFiles, ExplicitFileIgnoresTheExtensionFilter) {
  test::TempDir dir;
  test::writeFile(dir / "script.py", "x = 1\n");
  CorpusFiles files = collectCorpusFiles({dir / "script.py"}, {".ts"});
  ASSERT_EQ(files.files.size(), 1u);
  EXPECT_EQ(files.bytes, 6u);
}

TEST(CorpusFiles, ErrorsNameThePathAndWhatWasSearched) {
  test::TempDir dir;
  Error missing = test::catchError([&] { collectCorpusFiles({dir / "nope"}, {}); });
  EXPECT_EQ(missing.kind(), ErrorKind::Io);
  EXPECT_TRUE(contains(missing, (dir / "nope").string() + ": no such file or folder")) << missing.what();

  test::writeFile(dir / "empty.txt", "");
  Error empty = test::catchError([&] { collectCorpusFiles({dir / "empty.txt"}, {}); });
  EXPECT_EQ(empty.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(empty, "empty.txt: file is empty")) << empty.what();

  test::writeFile(dir / "latin1.txt", "ol\xe9");
  Error latin1 = test::catchError([&] { collectCorpusFiles({dir / "latin1.txt"}, {}); });
  EXPECT_TRUE(contains(latin1, "not UTF-8 text (invalid byte at offset 2)")) << latin1.what();

  test::writeFile(dir / "only" / "x.py", "x = 1\n");
  Error nothing = test::catchError([&] { collectCorpusFiles({dir / "only"}, {}); });
  EXPECT_EQ(nothing.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(nothing, (dir / "only").string() + ": no usable text files with extensions "
                                                          ".ts,.tsx,.js,.jsx,.md,.txt,.jsonl"))
      << nothing.what();
  EXPECT_TRUE(contains(nothing, "1 with other extensions")) << nothing.what();

  Error none = test::catchError([] { collectCorpusFiles({}, {}); });
  EXPECT_EQ(none.kind(), ErrorKind::InvalidConfig);
}

TEST(CorpusDocuments, JsonlLinesAreDocumentsAndBadLinesNameTheLine) {
  test::TempDir dir;
  test::writeFile(dir / "good.jsonl", "{\"text\": \"first\"}\n\n{\"text\": \"\", \"x\": 1}\n{\"text\": \"second\"}\n");
  std::vector<std::string> documents;
  CorpusFile good{dir / "good.jsonl", 0, true};
  EXPECT_EQ(forEachDocument(good, [&](std::string_view d) { documents.emplace_back(d); }), 2);
  EXPECT_EQ(documents, (std::vector<std::string>{"first", "second"}));

  auto errorFor = [&](const std::string& content) {
    test::writeFile(dir / "bad.jsonl", content);
    CorpusFile bad{dir / "bad.jsonl", 0, true};
    return test::catchError([&] { forEachDocument(bad, [](std::string_view) {}); });
  };
  const std::string where = (dir / "bad.jsonl").string();
  Error missing = errorFor("{\"text\": \"ok\"}\n{\"body\": \"no text\"}\n");
  EXPECT_EQ(missing.kind(), ErrorKind::InvalidInput);
  EXPECT_EQ(std::string(missing.what()), where + ":2: field `text` is missing");
  EXPECT_EQ(std::string(errorFor("{\"text\": 5}\n").what()), where + ":1: field `text` is not a string");
  EXPECT_EQ(std::string(errorFor("\n\n{oops\n").what()), where + ":3: not valid JSON");
  EXPECT_EQ(std::string(errorFor("[1, 2]\n").what()), where + ":1: expected a JSON object with a string field `text`");
}

TEST(TrainingSentences, LongLinesAreCutAtCharacterBoundariesAndNothingIsLost) {
  std::string document;
  for (int i = 0; i < 3000; ++i) document += "é€";  // 5 bytes per pair, one 15 KB line
  document += "\nshort line\n";
  std::vector<std::string> sentences;
  splitIntoSentences(document, sentences);
  std::string joined;
  for (const auto& sentence : sentences) {
    EXPECT_LE(sentence.size(), TrainingSentences::kMaxSentenceBytes);
    EXPECT_TRUE(isValidUtf8(sentence));
    joined += sentence;
  }
  EXPECT_EQ(joined, document);
  EXPECT_GE(sentences.size(), 2u);
}
