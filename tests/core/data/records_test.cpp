// Record files (JSONL, JSON, CSV), format detection and the seeded validation split.
#include "core/data/records.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "core/common/error.h"
#include "core/data/data_format.h"
#include "tests/support/temp_dir.h"

namespace temper {
namespace {

using test_support::TempDir;

std::filesystem::path write(const TempDir& dir, const std::string& name, const std::string& bytes) {
  auto path = dir.path() / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

template <typename F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Records, JsonLinesSkipBlankLinesAndRememberTheirLine) {
  TempDir dir("records");
  auto path = write(dir, "a.jsonl", "{\"text\": \"one\"}\n\n{\"text\": \"two\"}\r\n");
  auto records = readRecords(path);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].fields.at("text"), "two");
  EXPECT_EQ(records[1].source, path.string() + ":3");
}

TEST(Records, JsonArray) {
  TempDir dir("records");
  auto records = readRecords(
      write(dir, "a.json", "[{\"prompt\": \"p\", \"completion\": \"c\"}, {\"prompt\": \"q\", \"completion\": \"d\"}]"));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].source.substr(records[1].source.size() - 3), "[1]");
}

TEST(Records, CsvFollowsRfc4180Quoting) {
  TempDir dir("records");
  auto path = write(dir, "a.csv",
                    "\xEF\xBB\xBFtext,label\r\n"
                    "plain,pos\r\n"
                    "\"with, comma\",neg\r\n"
                    "\"two\nlines and \"\"quotes\"\"\",pos\n"
                    "last,neg");
  auto records = readRecords(path);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].fields.at("text"), "plain");
  EXPECT_EQ(records[1].fields.at("text"), "with, comma");
  EXPECT_EQ(records[2].fields.at("text"), "two\nlines and \"quotes\"");
  EXPECT_EQ(records[2].source, path.string() + ":4");
  EXPECT_EQ(records[3].source, path.string() + ":6");
  EXPECT_EQ(records[3].fields.at("label"), "neg");
}

TEST(Records, ErrorsNameTheFileAndLine) {
  TempDir dir("records");
  auto bad_json = write(dir, "bad.jsonl", "{\"text\": \"a\"}\n{\"text\": \n");
  EXPECT_NE(errorOf([&] { readRecords(bad_json); }).find("bad.jsonl:2: not valid JSON"), std::string::npos);
  auto not_object = write(dir, "arr.jsonl", "[1, 2]\n");
  EXPECT_NE(errorOf([&] { readRecords(not_object); }).find("arr.jsonl:1: a JSON Lines record must be an object"),
            std::string::npos);
  auto cells = write(dir, "cells.csv", "text,label\na,b\nc\n");
  EXPECT_NE(errorOf([&] { readRecords(cells); }).find("cells.csv:3: 1 cells, but the header has 2"), std::string::npos);
  auto open_quote = write(dir, "quote.csv", "text,label\n\"never closed,x\n");
  EXPECT_NE(errorOf([&] { readRecords(open_quote); }).find("quote.csv:2: a quoted cell is never closed"),
            std::string::npos);
  auto empty = write(dir, "empty.jsonl", "\n\n");
  EXPECT_NE(errorOf([&] { readRecords(empty); }).find("no records"), std::string::npos);
  auto other = write(dir, "a.parquet", "x");
  EXPECT_NE(errorOf([&] { readRecords(other); }).find("unknown record format `.parquet`"), std::string::npos);
  EXPECT_NE(errorOf([&] { readRecords(dir.path() / "missing.jsonl"); }).find("no such file"), std::string::npos);
}

// Compressed by the gzip tool itself (an independent writer), as datasets are shipped.
std::filesystem::path gzipped(const TempDir& dir, const std::string& name, const std::string& bytes) {
  auto plain = write(dir, name, bytes);
  const std::string command = "gzip -f -n '" + plain.string() + "'";
  if (std::system(command.c_str()) != 0) ADD_FAILURE() << command << " failed";
  return plain.string() + ".gz";
}

TEST(Records, GzipFilesReadAsTheirInnerFormat) {
  TempDir dir("records");
  // 4,000 lines: several 64 KiB zlib buffers, so records cross buffer boundaries.
  std::string lines;
  for (int i = 0; i < 4000; ++i) lines += "{\"text\": \"line " + std::to_string(i) + " of the compressed file\"}\n";
  auto jsonl = gzipped(dir, "big.jsonl", lines);
  auto records = readRecords(jsonl);
  ASSERT_EQ(records.size(), 4000u);
  EXPECT_EQ(records[3999].fields.at("text"), "line 3999 of the compressed file");
  EXPECT_EQ(records[3999].source, jsonl.string() + ":4000");
  auto csv = gzipped(dir, "table.csv", "text,label\nplain,pos\n");
  EXPECT_EQ(readRecords(csv).at(0).fields.at("label"), "pos");

  // Two members (cat a.gz b.gz) are one valid file.
  auto first = gzipped(dir, "one.jsonl", "{\"text\": \"first\"}\n");
  auto second = gzipped(dir, "two.jsonl", "{\"text\": \"second\"}\n");
  const std::string both = (dir.path() / "both.jsonl.gz").string();
  ASSERT_EQ(std::system(("cat '" + first.string() + "' '" + second.string() + "' > '" + both + "'").c_str()), 0);
  auto joined = readRecords(std::filesystem::path(both));
  ASSERT_EQ(joined.size(), 2u);
  EXPECT_EQ(joined[1].fields.at("text"), "second");
  EXPECT_EQ(joined[1].source, both + ":2");
}

TEST(Records, BadGzipIsNamed) {
  TempDir dir("records");
  auto not_gzip = write(dir, "plain.jsonl.gz", "{\"text\": \"not compressed\"}\n");
  EXPECT_NE(errorOf([&] { readRecords(not_gzip); }).find("plain.jsonl.gz: not valid gzip data"), std::string::npos);
  std::string lines;
  for (int i = 0; i < 500; ++i) lines += "{\"text\": \"" + std::to_string(i * 7919) + "\"}\n";
  auto whole = gzipped(dir, "cut.jsonl", lines);
  std::ifstream in(whole, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto cut = write(dir, "cut2.jsonl.gz", bytes.substr(0, bytes.size() / 2));
  EXPECT_NE(errorOf([&] { readRecords(cut); }).find("cut2.jsonl.gz: the gzip data is cut short"), std::string::npos);
}

TEST(DataFormat, DetectsEachFormatFromItsKeys) {
  auto format = [](const Json& fields) { return dataFormatName(detectDataFormat({{fields, "f:1"}})); };
  EXPECT_STREQ(format({{"text", "a"}}), "text");
  EXPECT_STREQ(format({{"prompt", "a"}, {"completion", "b"}}), "prompt-completion");
  EXPECT_STREQ(format({{"instruction", "a"}, {"input", ""}, {"output", "b"}}), "alpaca");
  EXPECT_STREQ(format({{"instruction", "a"}, {"output", "b"}}), "alpaca");
  EXPECT_STREQ(format({{"messages", Json::array()}}), "messages");
  EXPECT_STREQ(format({{"text", "a"}, {"label", 1}}), "text-label");
  EXPECT_STREQ(format({{"prompt", "p"}, {"chosen", "a"}, {"rejected", "b"}}), "preference");
  EXPECT_STREQ(format({{"chosen", "a"}, {"rejected", "b"}}), "preference");
  EXPECT_STREQ(format({{"prompt", "a"}}), "prompt-only");
  EXPECT_STREQ(format({{"prompt", "what is 2 + 2"}, {"answer", "4"}}), "prompt-only");  // fields for rules
}

TEST(DataFormat, RefusesUnknownAndMixedRecords) {
  std::string unknown = errorOf([] { detectDataFormat({{Json{{"question", "q"}}, "f.jsonl:1"}}); });
  EXPECT_NE(unknown.find("f.jsonl:1"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("keys question"), std::string::npos) << unknown;
  std::string mixed = errorOf([] {
    detectDataFormat({{Json{{"text", "a"}}, "f.jsonl:1"}, {Json{{"prompt", "a"}, {"completion", "b"}}, "f.jsonl:2"}});
  });
  EXPECT_NE(mixed.find("f.jsonl:2: this record is prompt-completion but f.jsonl:1 is text"), std::string::npos)
      << mixed;
  // A prompt-completion record without its completion looks prompt-only: the missing field is named.
  std::string missing = errorOf([] {
    detectDataFormat({{Json{{"prompt", "a"}, {"completion", "b"}}, "f.jsonl:1"}, {Json{{"prompt", "a"}}, "f.jsonl:2"}});
  });
  EXPECT_NE(missing.find("f.jsonl:2: field `completion` is missing (f.jsonl:1 is prompt-completion)"),
            std::string::npos)
      << missing;
}

TEST(DataFormat, StringFieldsNameRecordAndKey) {
  Record r{Json{{"label", 3}, {"flag", true}, {"list", Json::array()}}, "x.jsonl:7"};
  EXPECT_EQ(stringField(r, "label"), "3");
  EXPECT_EQ(stringField(r, "flag"), "true");
  EXPECT_EQ(stringField(r, "input", true), "");
  EXPECT_NE(errorOf([&] { stringField(r, "text"); }).find("x.jsonl:7: field `text` is missing"), std::string::npos);
  EXPECT_NE(errorOf([&] { stringField(r, "list"); }).find("must be a string, not array"), std::string::npos);
}

TEST(SplitRecords, HoldsOutASeededShareInFileOrder) {
  std::vector<Record> records;
  for (int i = 0; i < 50; ++i) records.push_back({Json{{"i", i}}, "f:" + std::to_string(i + 1)});
  std::vector<Record> train, val, train2, val2;
  splitRecords(records, 0.1, 7, train, val);
  EXPECT_EQ(val.size(), 5u);
  EXPECT_EQ(train.size(), 45u);
  for (size_t i = 1; i < val.size(); ++i) EXPECT_LT(val[i - 1].fields.at("i"), val[i].fields.at("i"));
  splitRecords(records, 0.1, 7, train2, val2);
  for (size_t i = 0; i < val.size(); ++i) EXPECT_EQ(val[i].fields, val2[i].fields);
  std::vector<Record> train3, val3;
  splitRecords(records, 0.1, 8, train3, val3);
  bool differs = false;
  for (size_t i = 0; i < val.size(); ++i) differs = differs || val[i].fields != val3[i].fields;
  EXPECT_TRUE(differs) << "another seed holds out other records";
  std::vector<Record> two = {records[0], records[1]}, t, v;
  splitRecords(two, 0.01, 1, t, v);
  EXPECT_EQ(v.size(), 1u) << "at least one record validates";
  EXPECT_NE(errorOf([&] {
              std::vector<Record> a, b;
              splitRecords({records[0]}, 0.1, 1, a, b);
            }).find("give `val-data`"),
            std::string::npos);
}

}  // namespace
}  // namespace temper
