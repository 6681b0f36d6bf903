#pragma once
/// The wizard's own words for the engine's methods: a translated title and one sentence on when to
/// use each, by method name. Which methods exist, whether they run and what they fit (base model,
/// data formats) is the engine's to say (`temper info`, MethodInfo).
#include <QString>

#include "ui/client/engine_replies.h"

namespace temper::studio {

struct MethodText {
  QString title;  ///< translated
  QString when;   ///< translated: one sentence on when to use it
};

/// The wizard's words for `method`; for a method it does not know, the engine's English title and
/// summary.
MethodText methodText(const MethodInfo& method);

/// What a method learns from, as the method page groups them (translated): raw text, examples,
/// preference pairs, rewards. Empty for a method the wizard does not know (listed last, ungrouped).
QString methodGroup(const QString& method);

/// Why `method` cannot be chosen with this start and data, or an empty string when it can, from
/// what the engine says of it (needs_base, base, formats). `from_scratch`: page 1 chose a preset;
/// `format`: the detected data format (empty: unknown, which never blocks — the dry run will
/// judge); `base_is_classifier`: the base folder is a *ForSequenceClassification model, which only
/// a method whose base is "language-model-or-classifier" trains further.
QString methodMismatch(const MethodInfo& method, bool from_scratch, const QString& format,
                       bool base_is_classifier = false);

}  // namespace temper::studio
