#pragma once
/// Drives the wizard as a person would, for the tests: choose on each page, then Next.
#include <QAbstractButton>
#include <QComboBox>
#include <QLineEdit>
#include <QRadioButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include "fake_engine_queries.h"
#include "ui/wizard/base_model_page.h"
#include "ui/wizard/data_page.h"
#include "ui/wizard/finetune_wizard.h"
#include "ui/wizard/hyperparameters_page.h"
#include "ui/wizard/method_page.h"
#include "ui/wizard/peft_page.h"
#include "ui/wizard/review_page.h"

namespace temper::studio::test {

/// Settings in a file of the test's own, never the user's.
struct TestSettings {
  QTemporaryDir dir;
  QSettings settings{dir.filePath(QStringLiteral("studio.ini")), QSettings::IniFormat};
};

inline bool nextEnabled(const FinetuneWizard& w) { return w.button(QWizard::NextButton)->isEnabled(); }

/// Presses Next once it is enabled (the pages ask the engine after a short pause).
inline void pressNext(FinetuneWizard& w) {
  QTRY_VERIFY2(nextEnabled(w), qPrintable(QStringLiteral("Next stays disabled on page %1").arg(w.currentId())));
  const int expected = w.nextId();  // "What is trained" is skipped for a method without adapters
  QVERIFY(expected > w.currentId());
  w.next();
  QCOMPARE(w.currentId(), expected);
}

/// Presses Next until the review page, changing nothing.
inline void walkToReview(FinetuneWizard& w) {
  while (w.currentId() != FinetuneWizard::kReviewPage) {
    pressNext(w);
    if (QTest::currentTestFailed()) return;
  }
}

inline void chooseScratch(FinetuneWizard& w, const QString& preset) {
  w.findChild<QRadioButton*>(QStringLiteral("scratch"))->click();
  auto* combo = w.baseModelPage()->findChild<QComboBox*>(QStringLiteral("preset"));
  combo->setCurrentIndex(combo->findData(preset));
  QVERIFY(combo->currentIndex() >= 0);
}

inline void chooseFolder(FinetuneWizard& w, const QString& dir) {
  w.findChild<QRadioButton*>(QStringLiteral("folder"))->click();
  w.baseModelPage()->findChild<QLineEdit*>(QStringLiteral("modelDir"))->setText(dir);
}

inline void chooseValidationFile(FinetuneWizard& w, const QString& file) {
  w.dataPage()->findChild<QRadioButton*>(QStringLiteral("valFileChoice"))->click();
  w.dataPage()->findChild<QLineEdit*>(QStringLiteral("valFile"))->setText(file);
}

}  // namespace temper::studio::test
