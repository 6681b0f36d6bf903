#include "core/data/gzip_file.h"

#include <zlib.h>

#include <array>
#include <fstream>

#include "core/common/error.h"

namespace temper {

bool isGzipPath(const std::filesystem::path& path) { return path.extension() == ".gz"; }

std::string readGzipFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throwIoError(path.string() + ": cannot be read");
  z_stream stream{};
  // 16 + MAX_WBITS: gzip framing only (a raw zlib or deflate stream is not a .gz file).
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) throwIoError(path.string() + ": zlib could not start");
  std::array<unsigned char, 1 << 16> input{};
  std::array<unsigned char, 1 << 16> output{};
  std::string text;
  int status = Z_OK;
  bool any_input = false;
  auto fail = [&](const std::string& why) {
    inflateEnd(&stream);
    throwInputError(path.string() + ": " + why);
  };
  bool output_full = false;  // the last inflate filled `output`: more may be pending without new input
  while (true) {
    if (stream.avail_in == 0 && !output_full) {
      in.read(reinterpret_cast<char*>(input.data()), static_cast<std::streamsize>(input.size()));
      stream.next_in = input.data();
      stream.avail_in = static_cast<uInt>(in.gcount());
      if (stream.avail_in == 0) break;
      any_input = true;
    }
    stream.next_out = output.data();
    stream.avail_out = static_cast<uInt>(output.size());
    status = inflate(&stream, Z_NO_FLUSH);
    if (status == Z_NEED_DICT || status == Z_DATA_ERROR || status == Z_MEM_ERROR) {
      fail(std::string("not valid gzip data (zlib: ") + (stream.msg != nullptr ? stream.msg : "error") + ")");
    }
    output_full = stream.avail_out == 0;
    text.append(reinterpret_cast<const char*>(output.data()), output.size() - stream.avail_out);
    if (status == Z_STREAM_END) {
      // Another member may follow (concatenated .gz files are one valid .gz file).
      if (stream.avail_in == 0 && in.peek() == std::char_traits<char>::eof()) break;
      if (inflateReset(&stream) != Z_OK) fail("zlib could not read the next gzip member");
      output_full = false;
    }
  }
  inflateEnd(&stream);
  if (!any_input) throwInputError(path.string() + ": empty file, not gzip data");
  if (status != Z_STREAM_END) throwInputError(path.string() + ": the gzip data is cut short (truncated file?)");
  return text;
}

}  // namespace temper
