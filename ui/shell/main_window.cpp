#include "ui/shell/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "core/common/error.h"
#include "core/store/store.h"
#include "ui/client/engine_locator.h"
#include "ui/client/run_history_model.h"
#include "ui/client/run_manager.h"
#include "ui/pages/compare/compare_page.h"
#include "ui/pages/datasets/datasets_page.h"
#include "ui/pages/label/label_page.h"
#include "ui/pages/models/models_page.h"
#include "ui/pages/playground/playground_adapters.h"
#include "ui/pages/playground/playground_page.h"
#include "ui/pages/run_view/run_view.h"
#include "ui/pages/runs/runs_page.h"
#include "ui/shell/settings_page.h"
#include "ui/wizard/finetune_wizard.h"

namespace temper::studio {
namespace {
constexpr int kLiveRefreshMs = 2000;
constexpr int kStopTimeoutMs = 120'000;
}  // namespace

MainWindow::MainWindow(QString workspace, AppSettings settings, QWidget* parent)
    : QMainWindow(parent),
      workspace_(QDir(workspace).absolutePath()),
      settings_(settings),
      engine_choice_(currentEngineChoice()),
      engine_(new EngineSession(enginePath(), workspace_, this)),
      model_(new RunHistoryModel(QDir(workspace_).filePath(QStringLiteral("temper.db")), this)) {
  setWindowTitle(tr("Temper Studio"));
  QDir().mkpath(QDir(workspace_).filePath(QStringLiteral("runs")));

  nav_ = new QListWidget(this);
  nav_->setObjectName(QStringLiteral("navigation"));
  const QString names[] = {tr("Runs"),       tr("New run"),  tr("Compare"), tr("Label"),
                           tr("Playground"), tr("Datasets"), tr("Models"),  tr("Settings")};
  for (const QString& name : names) nav_->addItem(name);
  nav_->setFixedWidth(nav_->sizeHintForColumn(0) + 48);
  nav_->setFrameShape(QFrame::NoFrame);
  QFont nav_font = nav_->font();
  nav_font.setPointSizeF(nav_font.pointSizeF() * 1.1);
  nav_->setFont(nav_font);
  nav_->setSpacing(3);

  stack_ = new QStackedWidget(this);
  // Runs: the history, and one closable tab per opened run.
  runs_page_ = new RunsPage(model_, this);
  run_tabs_ = new QTabWidget(this);
  run_tabs_->setObjectName(QStringLiteral("runTabs"));
  run_tabs_->setTabsClosable(true);
  run_tabs_->setDocumentMode(true);
  run_tabs_->addTab(runs_page_, tr("History"));
  run_tabs_->tabBar()->setTabButton(0, QTabBar::RightSide, nullptr);  // the history stays
  connect(run_tabs_, &QTabWidget::tabCloseRequested, this, [this](int index) {
    if (index == 0) return;
    QWidget* page = run_tabs_->widget(index);
    run_tabs_->removeTab(index);
    page->deleteLater();
  });
  stack_->addWidget(run_tabs_);
  stack_->addWidget(buildNewRunPage());
  compare_page_ = new ComparePage(model_, this);
  stack_->addWidget(compare_page_);
  label_page_ = new LabelPage(QDir(workspace_).filePath(QStringLiteral("temper.db")), settings_.raw(), this);
  label_page_->setEngine(engine_);
  // Pairs generated for labelling: their progress stays visible from every page.
  connect(label_page_, &LabelPage::generationStatusChanged, this,
          [this](const QString& text, bool running) { statusBar()->showMessage(text, running ? 0 : 15'000); });
  stack_->addWidget(label_page_);
  datasets_page_ = new DatasetsPage(settings_.raw(), engine_, this);
  models_page_ = new ModelsPage(model_, settings_.raw(), engine_, this);
  // The Playground offers the Models page's list: added folders and the runs' final models.
  playground_page_ = new PlaygroundPage(models_page_->libraryModel(), this);
  playground_page_->setEngine(engine_);
  playground_page_->setPreferenceStore(QDir(workspace_).filePath(QStringLiteral("temper.db")), settings_.raw());
  stack_->addWidget(playground_page_);
  stack_->addWidget(datasets_page_);
  stack_->addWidget(models_page_);
  settings_page_ = new SettingsPage(settings_, workspace_, this);
  stack_->addWidget(settings_page_);

  auto* central = new QWidget(this);
  auto* row = new QHBoxLayout(central);
  row->setContentsMargins(0, 0, 0, 0);
  row->setSpacing(0);
  row->addWidget(nav_);
  row->addWidget(stack_, 1);
  setCentralWidget(central);
  connect(nav_, &QListWidget::currentRowChanged, stack_, &QStackedWidget::setCurrentIndex);
  nav_->setCurrentRow(kRunsPage);

  workspace_label_ = new QLabel(this);
  device_label_ = new QLabel(tr("asking the engine…"), this);
  live_label_ = new QLabel(this);
  statusBar()->addWidget(workspace_label_, 1);
  statusBar()->addPermanentWidget(device_label_);
  statusBar()->addPermanentWidget(live_label_);

  buildMenus();

  connect(runs_page_, &RunsPage::openRequested, this, [this](const QString& id) { openRun(id); });
  connect(runs_page_, &RunsPage::duplicateRequested, this, &MainWindow::duplicateRun);
  connect(runs_page_, &RunsPage::resumeRequested, this, &MainWindow::resumeRun);
  connect(runs_page_, &RunsPage::deleteRequested, this, &MainWindow::deleteRun);
  connect(runs_page_, &RunsPage::refreshRequested, this, &MainWindow::reloadHistory);
  connect(runs_page_, &RunsPage::compareRequested, this, &MainWindow::compareRuns);
  connect(datasets_page_, &DatasetsPage::newRunRequested, this, [this](const QJsonObject& seed, const QString& label) {
    showPage(kNewRunPage);
    openWizard(seed, label);
  });
  connect(models_page_, &ModelsPage::openInPlaygroundRequested, this, &MainWindow::openInPlayground);
  models_page_->setFolderInUse(
      [this](const QString& dir) { return sameFolder(playground_page_->chat()->adapter(), dir); });
  connect(models_page_, &ModelsPage::newRunRequested, this, [this](const QJsonObject& seed, const QString& label) {
    showPage(kNewRunPage);
    openWizard(seed, label);
  });
  connect(label_page_, &LabelPage::newRunRequested, this, [this](const QJsonObject& seed, const QString& label) {
    showPage(kNewRunPage);
    openWizard(seed, label);
  });
  connect(model_, &RunHistoryModel::storeError, this,
          [this](const QString& message) { QMessageBox::warning(this, tr("Could not save"), message); });
  connect(model_, &RunHistoryModel::loaded, this, [this](bool ok, const QString& error) {
    if (!ok) statusBar()->showMessage(tr("Could not read the run history: %1").arg(error), 10000);
  });
  connect(settings_page_, &SettingsPage::themeChanged, this, &MainWindow::themeChanged);
  connect(settings_page_, &SettingsPage::languageChanged, this, &MainWindow::languageChanged);
  connect(settings_page_, &SettingsPage::workspaceChosen, this, &MainWindow::openWorkspace);
  connect(settings_page_, &SettingsPage::engineChoiceChanged, this, [this] {
    engine_choice_ = currentEngineChoice();
    if (manager_) manager_->setEnginePath(enginePath());
    engine_->setEngine(enginePath());
    engine_->askInfo();
  });
  connect(engine_, &EngineSession::environmentChanged, this, &MainWindow::showEnvironment);
  live_refresh_.setInterval(kLiveRefreshMs);
  connect(&live_refresh_, &QTimer::timeout, this, &MainWindow::refreshLiveRows);

  openWorkspace(workspace_);
  engine_->askInfo();  // once for the session: the status bar, About, the wizards and pages share it
  resize(1280, 800);
}

MainWindow::~MainWindow() {
  // The pages and wizards ask engine_ as long as they live: they go before it.
  delete centralWidget();
  qDeleteAll(findChildren<FinetuneWizard*>(Qt::FindDirectChildrenOnly));
}

EngineChoice MainWindow::currentEngineChoice() const {
  return chooseEngine(settings_.enginePath(), engineBuildFromKey(settings_.engineBuild()), systemEngineProbe());
}

void MainWindow::showEnvironment(const EngineEnvironment& env) {
  if (!env.available) {
    device_label_->setText(env.deviceSummary());
    device_label_->setToolTip(env.error);
    return;
  }
  // Which engine build runs is part of the environment people see, not only of the tooltip.
  const QString build = env.info.cuda_build.isEmpty() ? tr("CPU build") : tr("CUDA build");
  QString text = tr("%1 · %2").arg(build, env.deviceSummary());
  // The BLAS kernels decide CPU training speed several times over: a weak choice is said where it is seen.
  if (!env.info.blas_warning.isEmpty()) {
    text += tr(" · slow BLAS kernels (%1)").arg(env.info.blas_core);
  } else if (!env.info.blas_core.isEmpty()) {
    text += tr(" · OpenBLAS %1").arg(env.info.blas_core);
  }
  device_label_->setText(text);
  device_label_->setStyleSheet(env.info.blas_warning.isEmpty() ? QString() : QStringLiteral("color: #b35c00;"));
  QString tip = tr("Engine: %1 (%2)\n%3\nLibTorch %4\nBLAS: %5")
                    .arg(engineBuildTitle(env), engine_choice_.reason, QDir::toNativeSeparators(engine_choice_.path),
                         env.info.libtorch, env.info.blas);
  tip += QLatin1Char('\n') + cpuText(env);
  if (!env.info.blas_warning.isEmpty()) tip += QLatin1Char('\n') + tr("Warning: %1").arg(env.info.blas_warning);
  device_label_->setToolTip(tip);
}

QString MainWindow::cpuText(const EngineEnvironment& env) const {
  QString text = tr("CPU: %1 (%2)")
                     .arg(env.info.cpu_model.isEmpty() ? tr("unknown") : env.info.cpu_model,
                          env.info.cpu_features.join(QLatin1Char(' ')));
  if (!env.info.blas_core.isEmpty()) {
    text += QLatin1Char('\n') + tr("OpenBLAS kernels: %1 (%2)").arg(env.info.blas_core, env.info.blas_core_how);
  }
  return text;
}

QString MainWindow::engineBuildTitle(const EngineEnvironment& env) const {
  // What the engine says of itself wins over where it was found: a custom path may be either build.
  if (!env.available) return engine_choice_.build;
  return env.info.cuda_build.isEmpty() ? tr("CPU build") : tr("CUDA build, CUDA %1").arg(env.info.cuda_build);
}

void MainWindow::openWorkspace(const QString& workspace) {
  const QString path = QDir(workspace).absolutePath();
  if (manager_ && path == workspace_) return;
  // Runs of the previous workspace keep training; their tabs go.
  while (run_tabs_->count() > 1) {
    QWidget* page = run_tabs_->widget(1);
    run_tabs_->removeTab(1);
    page->deleteLater();
  }
  run_views_.clear();
  delete manager_;
  workspace_ = path;
  QDir().mkpath(QDir(workspace_).filePath(QStringLiteral("runs")));
  manager_ = new RunManager(workspace_, enginePath(), this);
  connectManager();
  if (model_->databasePath() != QDir(workspace_).filePath(QStringLiteral("temper.db"))) {
    model_->setDatabasePath(QDir(workspace_).filePath(QStringLiteral("temper.db")));
  }
  engine_->setWorkspace(workspace_);
  workspace_label_->setText(tr("Workspace: %1").arg(QDir::toNativeSeparators(workspace_)));
  settings_page_->setCurrentWorkspace(workspace_);
  reloadHistory();
  datasets_page_->setWorkspace(workspace_);
  models_page_->setWorkspace(workspace_);
  label_page_->setDatabase(QDir(workspace_).filePath(QStringLiteral("temper.db")));
  playground_page_->setPreferenceStore(QDir(workspace_).filePath(QStringLiteral("temper.db")), settings_.raw());
}

void MainWindow::compareRuns(const QStringList& run_ids) {
  compare_page_->setRuns(run_ids);
  showPage(kComparePage);
}

void MainWindow::openInPlayground(const QString& dir) {
  showPage(kPlaygroundPage);
  playground_page_->openModel(dir);
}

RunView* MainWindow::makeRunView() {
  auto* view = new RunView(model_->databasePath(), workspace_, this);
  view->setEngine(engine_);
  connect(view, &RunView::openInPlaygroundRequested, this, &MainWindow::openInPlayground);
  connect(view, &RunView::trainWithRewardModelRequested, this, [this](const QString& final_dir) {
    // PPO is the classic next step; the method page offers GRPO and RLOO with the same reward.
    showPage(kNewRunPage);
    openWizard(QJsonObject{{"method", "ppo"}, {"reward-model", final_dir}},
               tr("A policy rewarded by %1").arg(QDir(final_dir).absolutePath()));
  });
  return view;
}

void MainWindow::connectManager() {
  connect(manager_, &RunManager::liveCountChanged, this, &MainWindow::updateLiveCount);
  connect(manager_, &RunManager::runEnded, this, [this](const QString& run_id) {
    if (!run_id.isEmpty()) model_->refreshRun(run_id);
    models_page_->refresh();  // a run that finished has a model now
  });
  updateLiveCount();
}

void MainWindow::reloadHistory() {
  model_->startReload();  // read on a worker; loaded() reports a failure
  const RunManager::ReattachReport report = manager_->reattach();
  if (!report.marked_failed.isEmpty() || !report.followed.isEmpty()) {
    for (const QString& id : report.marked_failed + report.followed) model_->refreshRun(id);
    statusBar()->showMessage(
        tr("Re-attached to %n live run(s)", nullptr, static_cast<int>(report.followed.size())) +
            (report.marked_failed.isEmpty() ? QString()
                                            : tr("; %n run(s) whose engine had stopped marked failed", nullptr,
                                                 static_cast<int>(report.marked_failed.size()))),
        10000);
  }
  updateLiveCount();
}

void MainWindow::updateLiveCount() {
  const int live = manager_ ? manager_->liveCount() : 0;
  live_label_->setText(tr("%n live run(s)", nullptr, live));
  if (live > 0 && !live_refresh_.isActive()) live_refresh_.start();
  if (live == 0) live_refresh_.stop();
}

void MainWindow::refreshLiveRows() {
  // Only the live rows: re-reading 10,000 runs every two seconds would be wasteful.
  for (RunChannel* channel : manager_->liveChannels()) {
    if (!channel->runId().isEmpty()) model_->refreshRun(channel->runId());
  }
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* new_run = file->addAction(tr("&New run…"));
  new_run->setShortcut(QKeySequence::New);
  connect(new_run, &QAction::triggered, this, [this] {
    showPage(kNewRunPage);
    openWizard({});
  });
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"));
  quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
  quit->setMenuRole(QAction::QuitRole);
  connect(quit, &QAction::triggered, this, &QWidget::close);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  QAction* find = edit->addAction(tr("&Find run"));
  find->setShortcut(QKeySequence::Find);
  connect(find, &QAction::triggered, this, [this] {
    showPage(kRunsPage);
    run_tabs_->setCurrentIndex(0);
    runs_page_->focusFilter();
  });
  QAction* preferences = edit->addAction(tr("&Preferences…"));
  preferences->setShortcut(QKeySequence::Preferences);
  preferences->setMenuRole(QAction::PreferencesRole);
  connect(preferences, &QAction::triggered, this, [this] { showPage(kSettingsPage); });

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  QAction* about = help->addAction(tr("&About Temper Studio"));
  about->setMenuRole(QAction::AboutRole);
  connect(about, &QAction::triggered, this, &MainWindow::showAbout);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

QWidget* MainWindow::buildNewRunPage() {
  auto* page = new QWidget(this);
  auto* layout = new QVBoxLayout(page);
  auto* heading = new QLabel(tr("New run"), page);
  QFont font = heading->font();
  font.setPointSizeF(font.pointSizeF() * 1.5);
  font.setBold(true);
  heading->setFont(font);
  auto* line = new QLabel(tr("The wizard walks through base model, data, method, hyperparameters and review."), page);
  line->setWordWrap(true);
  auto* start = new QPushButton(tr("Start the wizard…"), page);
  start->setObjectName(QStringLiteral("startWizard"));
  start->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
  connect(start, &QPushButton::clicked, this, [this] { openWizard({}); });
  layout->addWidget(heading);
  layout->addWidget(line);
  layout->addWidget(start);
  layout->addStretch(1);
  return page;
}

void MainWindow::openWizard(const QJsonObject& initial_config, const QString& label) {
  auto* wizard = new FinetuneWizard(engine_, settings_.raw(), this);
  wizard->setAttribute(Qt::WA_DeleteOnClose);
  QVector<PreviousRunModel> previous;
  for (int row = 0; row < model_->rowCount() && previous.size() < 200; ++row) {
    const RunRecord& run = model_->summaryAt(row).run;
    const QString final_dir = QDir(QString::fromStdString(run.run_dir)).filePath(QStringLiteral("final"));
    if (run.status == kRunFinished && QFileInfo::exists(final_dir)) {
      previous.push_back({QString::fromStdString(run.id), QString::fromStdString(run.name), final_dir,
                          QString::fromStdString(run.method)});
    }
  }
  wizard->setPreviousRuns(previous);
  QVector<PreferenceSetChoice> sets;
  try {
    for (const PreferenceSetRecord& set :
         Store::openReadOnly(model_->databasePath().toStdString()).listPreferenceSets())
      sets.push_back({QString::fromStdString(set.name), set.pairs, set.labelled_pairs});
  } catch (const Error&) {
    // A workspace without a store yet has no sets: the data page says how to make one.
  }
  wizard->setPreferenceSets(sets);
  if (!initial_config.isEmpty()) wizard->setInitialConfig(initial_config, label);
  connect(wizard, &FinetuneWizard::launchRequested, this, &MainWindow::launch);
  wizard->open();
}

void MainWindow::launch(const QJsonObject& config, const QStringList& tags) {
  // The config goes to the engine as a file (exactly what the review page showed); the studio's
  // thread and device defaults only fill keys the wizard left out.
  QJsonObject train = config;
  if (!train.contains(QStringLiteral("threads")) && settings_.threads() > 0) {
    train.insert(QStringLiteral("threads"), settings_.threads());
  }
  if (!train.contains(QStringLiteral("device")) && settings_.device() != QLatin1String("auto")) {
    train.insert(QStringLiteral("device"), settings_.device());
  }
  const QDir launches(QDir(workspace_).filePath(QStringLiteral("studio/launches")));
  QDir().mkpath(launches.path());
  const QString file =
      launches.filePath(QStringLiteral("train-%1.json")
                            .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"))));
  QFile out(file);
  if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(train).toJson()) < 0) {
    QMessageBox::warning(this, tr("New run"), tr("Could not write %1: %2").arg(file, out.errorString()));
    return;
  }
  out.close();
  attachJob(manager_->startJob(EngineJob::trainArgs(file)), tags);
}

void MainWindow::attachJob(RunChannel* channel, const QStringList& tags) {
  showPage(kRunsPage);
  auto* view = makeRunView();
  view->attach(channel);
  const int index = run_tabs_->addTab(view, tr("Starting…"));
  run_tabs_->setCurrentIndex(index);
  connect(view, &RunView::titleChanged, this, [this, view](const QString& title) {
    const int i = run_tabs_->indexOf(view);
    if (i > 0) run_tabs_->setTabText(i, title.left(40));
  });
  connect(channel, &RunChannel::runIdKnown, this, [this, view, tags](const QString& id) {
    run_views_.insert(id, view);
    if (!tags.isEmpty()) {
      try {
        Store::open(model_->databasePath().toStdString())
            .setTags(id.toStdString(), tags.join(QStringLiteral(", ")).toStdString());
      } catch (const Error& e) {
        statusBar()->showMessage(tr("Could not tag run %1: %2").arg(id, QString::fromUtf8(e.what())), 10000);
      }
    }
    model_->refreshRun(id);
  });
  connect(channel, &RunChannel::ended, this, [this](const JobOutcome& outcome) {
    if (outcome.status == QLatin1String("failed") && outcome.run_id.isEmpty()) {
      // Refused before a run existed (bad config, busy workspace): the engine's words, at once.
      QMessageBox::warning(this, tr("The run did not start"), outcome.reason);
    }
  });
}

RunView* MainWindow::openRun(const QString& run_id) {
  showPage(kRunsPage);
  if (RunView* view = run_views_.value(run_id)) {
    run_tabs_->setCurrentWidget(view);
    return view;
  }
  auto* view = makeRunView();
  if (RunChannel* live = manager_->channel(run_id)) {
    view->attach(live);
  } else {
    view->showStoredRun(run_id);
  }
  const int row = model_->rowOf(run_id);
  const QString title = row >= 0 ? model_->index(row, RunHistoryModel::kName).data().toString() : run_id;
  const int index = run_tabs_->addTab(view, title.left(40));
  run_tabs_->setCurrentIndex(index);
  run_views_.insert(run_id, view);
  return view;
}

void MainWindow::duplicateRun(const QString& run_id) {
  QJsonObject train;
  try {
    auto run = Store::openReadOnly(model_->databasePath().toStdString()).findRun(run_id.toStdString());
    if (run) {
      train = QJsonDocument::fromJson(QByteArray::fromStdString(run->config_json))
                  .object()
                  .value(QStringLiteral("train"))
                  .toObject();
    }
  } catch (const Error& e) {
    QMessageBox::warning(this, tr("Duplicate run"), QString::fromUtf8(e.what()));
    return;
  }
  showPage(kNewRunPage);
  openWizard(train);
}

void MainWindow::resumeRun(const QString& run_id, qint64 max_steps) {
  if (manager_->channel(run_id)) {
    openRun(run_id);
    return;
  }
  delete run_views_.value(run_id);  // its tab showed the stopped run; the live one replaces it
  run_views_.remove(run_id);
  attachJob(manager_->resume(run_id, max_steps), {});
}

void MainWindow::deleteRun(const QString& run_id) {
  const int row = model_->rowOf(run_id);
  if (row < 0) return;
  const QString name = model_->index(row, RunHistoryModel::kName).data().toString();
  const QString folder = QString::fromStdString(model_->summaryAt(row).run.run_dir);
  const auto answer = QMessageBox::question(this, tr("Delete run"),
                                            tr("Delete run “%1” (%2) from the history, with its folder %3 "
                                               "(checkpoints, samples, model)? This cannot be undone.")
                                                .arg(name, run_id, QDir::toNativeSeparators(folder)),
                                            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
  if (answer != QMessageBox::Yes) return;
  if (RunView* view = run_views_.take(run_id)) delete view;
  QString error;
  if (!model_->deleteRun(run_id, &error)) QMessageBox::warning(this, tr("Delete run"), error);
  runs_page_->refreshMethods();
}

QString MainWindow::aboutText() const {
  auto or_unknown = [this](const QString& v) { return v.isEmpty() ? tr("unknown") : v; };
  QString engine;
  const EngineEnvironment& env = engine_->environment();
  if (env.available) {
    engine = tr("Engine: temper %1, %2 (%3)<br>LibTorch %4<br>SentencePiece %5<br>SQLite %6<br>Device: %7")
                 .arg(or_unknown(env.info.temper), engineBuildTitle(env), engine_choice_.reason.toHtmlEscaped(),
                      or_unknown(env.info.libtorch), or_unknown(env.info.sentencepiece), or_unknown(env.info.sqlite),
                      env.deviceSummary());
    engine += QStringLiteral("<br>") + cpuText(env).toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
    if (!env.info.blas_warning.isEmpty()) {
      engine += QStringLiteral("<br><b>") + tr("Warning: %1").arg(env.info.blas_warning.toHtmlEscaped()) +
                QStringLiteral("</b>");
    }
  } else {
    engine =
        tr("Engine info unavailable: %1").arg(env.error.isEmpty() ? tr("still asking") : env.error.toHtmlEscaped());
  }
  return tr("<h3>Temper Studio %1</h3><p>Train language models on your own machine.</p><p>Qt %2 (built with "
            "%3)<br>%4</p>")
      .arg(QCoreApplication::applicationVersion(), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
           engine);
}

void MainWindow::showAbout() { QMessageBox::about(this, tr("About Temper Studio"), aboutText()); }

void MainWindow::showPage(Page page) { nav_->setCurrentRow(page); }

MainWindow::Page MainWindow::currentPage() const { return static_cast<Page>(stack_->currentIndex()); }

void MainWindow::closeEvent(QCloseEvent* event) {
  const int live = manager_->liveCount();
  CloseChoice choice = close_choice_;
  if (live > 0 && choice == CloseChoice::Ask) {
    QMessageBox box(QMessageBox::Question, tr("Runs are still training"),
                    tr("%n run(s) are still training. Keep them running after the studio closes? You can follow them "
                       "again when you reopen it.",
                       nullptr, live),
                    QMessageBox::NoButton, this);
    QPushButton* keep = box.addButton(tr("Keep running"), QMessageBox::AcceptRole);
    QPushButton* stop = box.addButton(tr("Stop them"), QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(keep);
    box.exec();
    if (box.clickedButton() == keep) {
      choice = CloseChoice::KeepRunning;
    } else if (box.clickedButton() == stop) {
      choice = CloseChoice::StopRuns;
    } else {
      event->ignore();
      return;
    }
  }
  if (live > 0 && choice == CloseChoice::StopRuns) {
    statusBar()->showMessage(tr("Stopping runs (each saves a checkpoint)…"));
    QApplication::setOverrideCursor(Qt::WaitCursor);
    manager_->stopAll(kStopTimeoutMs);
    QApplication::restoreOverrideCursor();
  }
  manager_->detachAll();  // whatever still runs outlives us
  event->accept();
}

}  // namespace temper::studio
