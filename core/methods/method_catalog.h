#pragma once
/// Every training method of the mission, in the order people meet them, with one sentence on when
/// to use it and whether this engine can run it yet. `temper info` reports it; the studio's wizard
/// builds its method page from it (and disables what is not available, showing the reason).
#include <string>
#include <vector>

namespace temper {

struct MethodInfo {
  std::string name;     ///< the `method` value of `temper train`
  std::string title;
  std::string summary;  ///< when to use it
  bool available = false;
  std::string reason;   ///< why not, when unavailable
};

const std::vector<MethodInfo>& methodCatalog();

}  // namespace temper
