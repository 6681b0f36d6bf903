#pragma once
/// Structured datasets as people bring them: JSON Lines (one object per line), a JSON array of
/// objects, or CSV with a header row (RFC 4180 quoting). Every record remembers where it came from
/// ("file:line") so errors can point at it.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/common/json_io.h"

namespace temper {

struct Record {
  Json fields;         ///< a JSON object (CSV cells are strings)
  std::string source;  ///< "path:line" of the record's first line
};

/// Reads every record of `path` (by extension: .jsonl, .json, .csv, each also gzip-compressed as
/// .jsonl.gz etc.; anything else is refused).
/// Blank JSONL lines are skipped. `limit` > 0 stops after that many records.
/// Throws Error(Io) when the file cannot be read, Error(InvalidInput) naming file and line for a
/// line that is not a JSON object, a CSV row whose cell count differs from the header, an
/// unterminated quote, or a file with no records.
std::vector<Record> readRecords(const std::filesystem::path& path, int64_t limit = 0);

/// readRecords over several files, in order.
std::vector<Record> readRecords(const std::vector<std::filesystem::path>& paths, int64_t limit = 0);

/// Holds out round(n * val_fraction) records (at least 1, at most n - 1) chosen by a seeded
/// permutation; the rest train, both in file order. Throws Error(InvalidInput) when there are
/// fewer than 2 records, Error(InvalidConfig) for a fraction outside (0, 0.5].
void splitRecords(std::vector<Record> records, double val_fraction, uint64_t seed, std::vector<Record>& train,
                  std::vector<Record>& val);

/// The split splitRecords makes, for items other than records (preference pairs): 1 for each of
/// the `n` items held out. `what` names the data in the error for fewer than 2 items.
std::vector<char> heldOutMask(int64_t n, double val_fraction, uint64_t seed, const std::string& what);

}  // namespace temper
