#pragma once
/// Loading the studio's translations (the mechanism; the translations themselves arrive later).
/// Every user-visible string goes through tr(); a `temper_studio_<locale>.qm` in one of
/// translationFolders() is loaded when the chosen (or system) language matches it.
#include <QLocale>
#include <QStringList>

class QTranslator;

namespace temper::studio {

/// `<exe dir>/translations`, `<exe dir>/../share/temper/translations`, `:/translations`.
QStringList translationFolders();
/// The locale names a .qm exists for, e.g. {"de", "fr"}.
QStringList availableLanguages();
/// Installs the translator for `language` (empty = the system locale) on the application,
/// replacing `translator`'s previous content. False when no file matched (English is used).
bool installTranslation(QTranslator& translator, const QString& language);

}  // namespace temper::studio
