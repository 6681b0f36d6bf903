#pragma once
/// The methods this engine knows, in the order people meet them: the only list of method names.
/// Built on first use from the method folders' specs (method_registry.cpp); tests may add a method
/// of their own before they resolve a config. Not thread-safe for adding: add at start-up only.
#include <string>
#include <vector>

#include "core/methods/method_spec.h"

namespace temper {

class MethodRegistry {
 public:
  /// Throws Error(InvalidConfig) when the name is taken or an available method has no factory.
  void add(MethodSpec spec);
  /// nullptr when unknown.
  const MethodSpec* find(const std::string& name) const;
  /// The spec of an available method; Error(InvalidConfig) listing them otherwise.
  const MethodSpec& require(const std::string& name) const;
  const std::vector<MethodSpec>& all() const { return methods_; }
  std::vector<std::string> availableNames() const;

 private:
  std::vector<MethodSpec> methods_;
};

/// The process's registry, with the built-in methods.
MethodRegistry& methodRegistry();

}  // namespace temper
