#include <gtest/gtest.h>

#include <filesystem>

#include "core/common/error.h"
#include "core/common/hashing.h"
#include "core/common/json_io.h"
#include "core/common/text_utils.h"

using namespace temper;

TEST(Hashing, Sha256MatchesKnownDigests) {
  // FIPS 180-4 examples.
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256Hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(TextUtils, Utf8Validation) {
  EXPECT_TRUE(isValidUtf8("plain ascii"));
  EXPECT_TRUE(isValidUtf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(isValidUtf8("\xff"));
  EXPECT_FALSE(isValidUtf8("\xc0\xaf"));      // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(isValidUtf8("abc\xe2\x82"));   // truncated
  EXPECT_EQ(firstInvalidUtf8("ab\xff"), 2u);
}

TEST(JsonIo, AtomicWriteReplacesAndBadJsonNamesTheFile) {
  auto dir = std::filesystem::temp_directory_path() / ("temper-common-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto file = dir / "a.json";
  writeJsonFileAtomic(file, Json{{"x", 1}});
  writeJsonFileAtomic(file, Json{{"x", 2}});
  EXPECT_EQ(readJsonFile(file)["x"], 2);
  for (auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename(), "a.json") << "temporary left behind";
  }
  writeFileAtomic(file, "{not json");
  try {
    readJsonFile(file);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("a.json"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}
