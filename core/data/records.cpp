#include "core/data/records.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/common/error.h"
#include "core/data/example_sampler.h"
#include "core/data/gzip_file.h"

namespace temper {
namespace {

std::string readAll(const std::filesystem::path& path) {
  if (isGzipPath(path)) return readGzipFile(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throwIoError(path.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string where(const std::filesystem::path& path, int64_t line) {
  return path.string() + ":" + std::to_string(line);
}

void readJsonLines(const std::filesystem::path& path, int64_t limit, std::vector<Record>& out) {
  // A plain file streams line by line; a gzip file is decompressed whole first (the records are
  // all held in memory anyway).
  std::ifstream file;
  std::istringstream decompressed;
  if (isGzipPath(path)) {
    decompressed.str(readGzipFile(path));
  } else {
    file.open(path, std::ios::binary);
    if (!file) throwIoError(path.string() + ": cannot be read");
  }
  std::istream& in = isGzipPath(path) ? static_cast<std::istream&>(decompressed) : file;
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    Json fields;
    try {
      fields = Json::parse(line);
    } catch (const Json::parse_error& e) {
      throwInputError(where(path, number) + ": not valid JSON (" + e.what() + ")");
    }
    if (!fields.is_object()) throwInputError(where(path, number) + ": a JSON Lines record must be an object");
    out.push_back({std::move(fields), where(path, number)});
    if (limit > 0 && static_cast<int64_t>(out.size()) >= limit) return;
  }
}

void readJsonArray(const std::filesystem::path& path, int64_t limit, std::vector<Record>& out) {
  Json all;
  try {
    all = Json::parse(readAll(path));
  } catch (const Json::parse_error& e) {
    throwInputError(path.string() + ": not valid JSON (" + e.what() + ")");
  }
  if (!all.is_array()) throwInputError(path.string() + ": expected a JSON array of records (objects)");
  for (size_t i = 0; i < all.size(); ++i) {
    std::string source = path.string() + "[" + std::to_string(i) + "]";
    if (!all[i].is_object()) throwInputError(source + ": a record must be an object");
    out.push_back({std::move(all[i]), source});
    if (limit > 0 && static_cast<int64_t>(out.size()) >= limit) return;
  }
}

// RFC 4180: fields separated by commas, records by CRLF or LF; a quoted field may hold commas,
// line breaks and doubled quotes.
void readCsv(const std::filesystem::path& path, int64_t limit, std::vector<Record>& out) {
  const std::string text = readAll(path);
  std::vector<std::string> header;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, cell_started = false;
  int64_t line = 1, row_line = 1;
  size_t i = 0;
  if (text.starts_with("\xEF\xBB\xBF")) i = 3;  // a BOM spreadsheets like to write
  auto endRow = [&] {
    row.push_back(std::move(cell));
    cell.clear();
    cell_started = false;
    const bool blank = row.size() == 1 && row[0].empty();
    if (!blank) {
      if (header.empty()) {
        header = std::move(row);
      } else {
        if (row.size() != header.size()) {
          throwInputError(where(path, row_line) + ": " + std::to_string(row.size()) + " cells, but the header has " +
                          std::to_string(header.size()));
        }
        Json fields = Json::object();
        for (size_t c = 0; c < header.size(); ++c) fields[header[c]] = row[c];
        out.push_back({std::move(fields), where(path, row_line)});
      }
    }
    row.clear();
    row_line = line;
  };
  for (; i < text.size(); ++i) {
    if (limit > 0 && static_cast<int64_t>(out.size()) >= limit) return;
    const char ch = text[i];
    if (quoted) {
      if (ch == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (ch == '\n') ++line;
        cell += ch;
      }
    } else if (ch == '"' && !cell_started) {
      quoted = true;
      cell_started = true;
    } else if (ch == ',') {
      row.push_back(std::move(cell));
      cell.clear();
      cell_started = false;
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      endRow();
    } else {
      cell += ch;
      cell_started = true;
    }
  }
  if (quoted) throwInputError(where(path, row_line) + ": a quoted cell is never closed");
  if (cell_started || !row.empty()) endRow();
  if (header.empty()) throwInputError(path.string() + ": no header row");
}

}  // namespace

std::vector<Record> readRecords(const std::filesystem::path& path, int64_t limit) {
  if (!std::filesystem::exists(path)) throwIoError(path.string() + ": no such file");
  if (std::filesystem::is_directory(path))
    throwInputError(path.string() + ": a folder; give a .jsonl, .json or .csv file");
  std::vector<Record> out;
  // data.jsonl.gz is JSON Lines, compressed.
  const std::string ext = (isGzipPath(path) ? path.stem() : path).extension().string();
  if (ext == ".jsonl" || ext == ".ndjson") {
    readJsonLines(path, limit, out);
  } else if (ext == ".json") {
    readJsonArray(path, limit, out);
  } else if (ext == ".csv") {
    readCsv(path, limit, out);
  } else {
    throwInputError(path.string() + ": unknown record format `" + ext +
                    "`; use .jsonl, .json or .csv (each may be .gz)");
  }
  if (out.empty()) throwInputError(path.string() + ": no records");
  return out;
}

std::vector<Record> readRecords(const std::vector<std::filesystem::path>& paths, int64_t limit) {
  std::vector<Record> all;
  for (const auto& path : paths) {
    auto part = readRecords(path, limit > 0 ? limit - static_cast<int64_t>(all.size()) : 0);
    all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    if (limit > 0 && static_cast<int64_t>(all.size()) >= limit) break;
  }
  return all;
}

std::vector<char> heldOutMask(int64_t n, double val_fraction, uint64_t seed, const std::string& what) {
  if (!(val_fraction > 0.0 && val_fraction <= 0.5)) {
    throwConfigError("`val-fraction` is " + std::to_string(val_fraction) + "; allowed: above 0, up to 0.5");
  }
  if (n < 2) throwInputError(what + ": one record cannot be split into training and validation; give `val-data`");
  int64_t held = std::clamp<int64_t>(std::llround(static_cast<double>(n) * val_fraction), 1, n - 1);
  ExampleSampler order(n, held, seed ^ 0x7a1dULL);
  std::vector<char> is_val(static_cast<size_t>(n), 0);
  for (int64_t i : order.batchAt(0)) is_val[static_cast<size_t>(i)] = 1;
  return is_val;
}

void splitRecords(std::vector<Record> records, double val_fraction, uint64_t seed, std::vector<Record>& train,
                  std::vector<Record>& val) {
  const int64_t n = static_cast<int64_t>(records.size());
  const std::vector<char> is_val =
      heldOutMask(n, val_fraction, seed, records.empty() ? std::string("the data") : records.front().source);
  for (int64_t i = 0; i < n; ++i) {
    (is_val[static_cast<size_t>(i)] ? val : train).push_back(std::move(records[static_cast<size_t>(i)]));
  }
}

}  // namespace temper
