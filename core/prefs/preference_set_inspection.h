#pragma once
/// `temper data inspect set:NAME` (docs/preferences.md, "Training from a set"): a preference set
/// as the pairwise methods read it, in the shape `data inspect` gives a file (format, fields,
/// records, the first records), plus what the set holds and why pairs are left out (unlabelled,
/// tie or both bad, no majority, below min-agreement) and how far its labellers agree — what the
/// wizard's data page shows for a set.
#include <cstdint>
#include <string>

#include "core/common/json_io.h"

namespace temper {

/// `set` is the set's name (without "set:"). Throws Error(InvalidConfig) for a workspace without
/// a store or an unknown set (listing the sets there are).
Json inspectPreferenceSet(const std::string& workspace, const std::string& set, int64_t preview);

}  // namespace temper
