#include "ui/shell/settings_page.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include "ui/shell/translations.h"

namespace temper::studio {

SettingsPage::SettingsPage(AppSettings settings, QString current_workspace, QWidget* parent)
    : QWidget(parent), settings_(settings) {
  auto* form = new QFormLayout;

  workspace_ = new QLineEdit(current_workspace, this);
  workspace_->setObjectName(QStringLiteral("workspaceEdit"));
  auto* browse = new QPushButton(tr("Choose…"), this);
  auto* workspace_row = new QHBoxLayout;
  workspace_row->addWidget(workspace_, 1);
  workspace_row->addWidget(browse);
  form->addRow(tr("Workspace folder"), workspace_row);

  engine_build_ = new QComboBox(this);
  engine_build_->setObjectName(QStringLiteral("engineBuildCombo"));
  engine_build_->addItem(tr("Automatic (the CUDA build when a CUDA device is visible)"), QStringLiteral("auto"));
  engine_build_->addItem(tr("CPU build"), QStringLiteral("cpu"));
  engine_build_->addItem(tr("CUDA build"), QStringLiteral("cuda"));
  engine_build_->setCurrentIndex(qMax(0, engine_build_->findData(settings_.engineBuild())));
  engine_build_->setToolTip(
      tr("The studio starts one of the engine builds: the CPU build, or the CUDA build "
         "(LibTorch 2 with CUDA, made by `make cuda-engine`)."));
  form->addRow(tr("Engine build"), engine_build_);

  engine_ = new QLineEdit(settings_.enginePath(), this);
  engine_->setPlaceholderText(tr("automatic: TEMPER_ENGINE, or the build chosen above"));
  form->addRow(tr("Engine path (temper)"), engine_);

  threads_ = new QSpinBox(this);
  threads_->setRange(0, 1024);
  threads_->setSpecialValueText(tr("automatic"));
  threads_->setValue(settings_.threads());
  threads_->setToolTip(tr("Threads for new runs; this machine has %1.").arg(QThread::idealThreadCount()));
  form->addRow(tr("Threads"), threads_);

  device_ = new QComboBox(this);
  device_->addItem(tr("Automatic (CUDA when available)"), QStringLiteral("auto"));
  device_->addItem(tr("CPU"), QStringLiteral("cpu"));
  device_->addItem(tr("CUDA"), QStringLiteral("cuda"));
  device_->setCurrentIndex(qMax(0, device_->findData(settings_.device())));
  form->addRow(tr("Default device"), device_);

  theme_ = new QComboBox(this);
  theme_->addItem(tr("Follow the system"), static_cast<int>(Theme::FollowSystem));
  theme_->addItem(tr("Light"), static_cast<int>(Theme::Light));
  theme_->addItem(tr("Dark"), static_cast<int>(Theme::Dark));
  theme_->setCurrentIndex(theme_->findData(static_cast<int>(settings_.theme())));
  form->addRow(tr("Theme"), theme_);

  language_ = new QComboBox(this);
  language_->addItem(tr("System language"), QString());
  language_->addItem(QStringLiteral("English"), QStringLiteral("en"));
  for (const QString& code : availableLanguages()) {
    if (code == QLatin1String("en")) continue;
    language_->addItem(QLocale(code).nativeLanguageName(), code);
  }
  language_->setCurrentIndex(qMax(0, language_->findData(settings_.language())));
  form->addRow(tr("Language"), language_);

  auto* note = new QLabel(tr("Threads and device apply to runs started from now on."), this);
  note->setWordWrap(true);

  auto* layout = new QVBoxLayout(this);
  auto* heading = new QLabel(tr("Settings"), this);
  QFont font = heading->font();
  font.setPointSizeF(font.pointSizeF() * 1.5);
  font.setBold(true);
  heading->setFont(font);
  layout->addWidget(heading);
  // Fields of a sensible width, not the whole window's.
  auto* form_box = new QWidget(this);
  form_box->setLayout(form);
  form_box->setMaximumWidth(760);
  layout->addWidget(form_box);
  layout->addWidget(note);
  layout->addStretch(1);

  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Workspace folder"), workspace_->text());
    if (dir.isEmpty()) return;
    workspace_->setText(dir);
    Q_EMIT workspace_->editingFinished();
  });
  connect(workspace_, &QLineEdit::editingFinished, this, [this] {
    const QString dir = workspace_->text().trimmed();
    if (dir.isEmpty()) return;
    settings_.setWorkspace(dir);
    Q_EMIT workspaceChosen(dir);
  });
  connect(engine_, &QLineEdit::editingFinished, this, [this] {
    settings_.setEnginePath(engine_->text().trimmed());
    Q_EMIT engineChoiceChanged();
  });
  connect(engine_build_, &QComboBox::currentIndexChanged, this, [this] {
    settings_.setEngineBuild(engine_build_->currentData().toString());
    Q_EMIT engineChoiceChanged();
  });
  connect(threads_, &QSpinBox::valueChanged, this, [this](int value) { settings_.setThreads(value); });
  connect(device_, &QComboBox::currentIndexChanged, this,
          [this] { settings_.setDevice(device_->currentData().toString()); });
  connect(theme_, &QComboBox::currentIndexChanged, this, [this] {
    const auto theme = static_cast<Theme>(theme_->currentData().toInt());
    settings_.setTheme(theme);
    Q_EMIT themeChanged(theme);
  });
  connect(language_, &QComboBox::currentIndexChanged, this, [this] {
    settings_.setLanguage(language_->currentData().toString());
    Q_EMIT languageChanged(language_->currentData().toString());
  });
}

void SettingsPage::setCurrentWorkspace(const QString& path) { workspace_->setText(path); }

}  // namespace temper::studio
