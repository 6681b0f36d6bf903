// The run history table: a double click or Enter opens the run from any cell of its row (Name,
// Tags and Notes included); renaming and editing tags or notes are explicit: F2 on the selected row
// (the name, or the tags or notes cell that is current) and the context menu.
#include <QAbstractItemView>
#include <QApplication>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include "core/store/store.h"
#include "ui/client/run_history_model.h"
#include "ui/pages/runs/runs_page.h"

using namespace temper;
using namespace temper::studio;

class RunsPageTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString id_;
  std::unique_ptr<RunHistoryModel> model_;
  std::unique_ptr<RunsPage> page_;

  QTableView* table() const { return page_->table(); }
  QModelIndex cell(int column) const { return table()->model()->index(0, column); }

  // The line edit the table opened to edit a cell, or null (a closed editor is hidden at once).
  QLineEdit* openEditor() const {
    for (QLineEdit* editor : table()->viewport()->findChildren<QLineEdit*>()) {
      if (editor->isVisible()) return editor;
    }
    return nullptr;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const QString db = dir_.filePath("temper.db");
    {
      Store store = Store::open(db.toStdString());
      const std::string id = store.createRun({.name = "harbour", .method = "pretrain", .tags = "sweep"});
      store.setNotes(id, "first try");
      store.markRunning(id, 1);
      store.finishRun(id, "finished", "");
      id_ = QString::fromStdString(id);
    }
    model_ = std::make_unique<RunHistoryModel>(db);
    QVERIFY(model_->reload());
    QCOMPARE(model_->rowCount(), 1);
  }

  void init() {
    page_ = std::make_unique<RunsPage>(model_.get());
    page_->resize(1600, 400);
    page_->show();
    QVERIFY(QTest::qWaitForWindowExposed(page_.get()));
    QApplication::setActiveWindow(page_.get());
  }

  void cleanup() { page_.reset(); }

  void doubleClickOpensTheRunFromEveryCell() {
    QSignalSpy opened(page_.get(), &RunsPage::openRequested);
    const int columns[] = {RunHistoryModel::kName, RunHistoryModel::kMethod, RunHistoryModel::kStatus,
                           RunHistoryModel::kTags, RunHistoryModel::kNotes};
    for (int column : columns) {
      const QModelIndex index = cell(column);
      table()->scrollTo(index);
      const QRect rect = table()->visualRect(index);
      QVERIFY(table()->viewport()->rect().contains(rect.center()));
      // Through the window, as a person's double click comes: press, release, press (a double
      // click to the widget), release.
      const QPoint at = table()->viewport()->mapTo(page_.get(), rect.center());
      QTest::mouseDClick(page_->windowHandle(), Qt::LeftButton, Qt::NoModifier, at);
      QVERIFY2(!openEditor(), qPrintable(QStringLiteral("column %1 opened an editor").arg(column)));
      QCOMPARE(opened.size(), 1);
      QCOMPARE(opened.takeFirst().at(0).toString(), id_);
    }
    QCOMPARE(model_->index(0, RunHistoryModel::kName).data().toString(), QStringLiteral("harbour"));
  }

  void enterOpensTheRunFromEveryCell() {
    QSignalSpy opened(page_.get(), &RunsPage::openRequested);
    table()->setFocus();
    for (int column : {RunHistoryModel::kName, RunHistoryModel::kStatus, RunHistoryModel::kTags}) {
      table()->setCurrentIndex(cell(column));
      QTest::keyClick(table(), Qt::Key_Return);
      QVERIFY(!openEditor());
      QCOMPARE(opened.size(), 1);
      QCOMPARE(opened.takeFirst().at(0).toString(), id_);
    }
  }

  void f2RenamesTheSelectedRow() {
    QSignalSpy opened(page_.get(), &RunsPage::openRequested);
    table()->setFocus();
    // From a cell that is not editable, F2 edits the row's name.
    table()->setCurrentIndex(cell(RunHistoryModel::kStatus));
    QTest::keyClick(table(), Qt::Key_F2);
    QLineEdit* editor = openEditor();
    QVERIFY2(editor, "F2 opens the name's editor");
    QCOMPARE(editor->text(), QStringLiteral("harbour"));
    editor->selectAll();
    QTest::keyClicks(editor, "harbour at dusk");
    QTest::keyClick(editor, Qt::Key_Return);
    QTRY_VERIFY(!openEditor());  // the delegate commits and closes on the next turn
    QCOMPARE(model_->index(0, RunHistoryModel::kName).data().toString(), QStringLiteral("harbour at dusk"));
    QCOMPARE(QString::fromStdString(
                 Store::openReadOnly(dir_.filePath("temper.db").toStdString()).findRun(id_.toStdString())->name),
             QStringLiteral("harbour at dusk"));

    // On the name itself, and on the tags and notes, F2 edits that cell.
    const std::pair<int, QString> cells[] = {{RunHistoryModel::kName, QStringLiteral("harbour at dusk")},
                                             {RunHistoryModel::kTags, QStringLiteral("sweep")},
                                             {RunHistoryModel::kNotes, QStringLiteral("first try")}};
    for (const auto& [column, text] : cells) {
      table()->setCurrentIndex(cell(column));
      QTest::keyClick(table(), Qt::Key_F2);
      editor = openEditor();
      QVERIFY2(editor, qPrintable(QStringLiteral("F2 edits column %1").arg(column)));
      QCOMPARE(editor->text(), text);
      QTest::keyClick(editor, Qt::Key_Escape);
      QTRY_VERIFY(!openEditor());
    }
    QCOMPARE(opened.size(), 0);
  }
};

QTEST_MAIN(RunsPageTest)
#include "runs_page_test.moc"
