#include "ui/wizard/finetune_wizard.h"

#include "ui/wizard/base_model_page.h"
#include "ui/wizard/data_page.h"
#include "ui/wizard/hyperparameters_page.h"
#include "ui/wizard/method_page.h"
#include "ui/wizard/peft_page.h"
#include "ui/wizard/review_page.h"
#include "ui/wizard/reward_page.h"
#include "ui/wizard/template_store.h"

namespace temper::studio {

FinetuneWizard::FinetuneWizard(EngineQueries* engine, QSettings* settings, QWidget* parent)
    : QWizard(parent), templates_(std::make_unique<TemplateStore>(settings)) {
  setWindowTitle(tr("New run"));
  setWizardStyle(QWizard::ModernStyle);
  setOption(QWizard::NoBackButtonOnStartPage, true);
  setButtonText(QWizard::FinishButton, tr("Launch"));
  setMinimumSize(820, 620);

  context_ = new WizardContext(engine, this);
  base_page_ = new BaseModelPage(context_, templates_.get(), this);
  data_page_ = new DataPage(context_, this);
  method_page_ = new MethodPage(context_, this);
  reward_page_ = new RewardPage(context_, this);
  peft_page_ = new PeftPage(context_, this);
  hyper_page_ = new HyperparametersPage(context_, this);
  review_page_ = new ReviewPage(context_, templates_.get(), this);
  setPage(kBaseModelPage, base_page_);
  setPage(kDataPage, data_page_);
  setPage(kMethodPage, method_page_);
  setPage(kRewardPage, reward_page_);
  setPage(kPeftPage, peft_page_);
  setPage(kHyperparametersPage, hyper_page_);
  setPage(kReviewPage, review_page_);
  context_->assembleConfig = [this] { return config(); };
  connect(review_page_, &ReviewPage::templateSaved, base_page_, &BaseModelPage::refreshTemplates);

  // The last used values are where a new run starts, unless the caller says otherwise.
  const QJsonObject last = templates_->lastUsed();
  if (!last.isEmpty()) context_->setSeed(last);
  askInfo();
}

// Pending engine answers are guarded by the pages' lifetime (engine_queries.h): a page that goes
// kills its children and hears nothing more.
FinetuneWizard::~FinetuneWizard() = default;

void FinetuneWizard::askInfo() {
  context_->engine()->info(context_, [this](const EngineReply& reply) {
    EngineInfo info;
    const QString error = reply.ok ? parseEngineInfo(reply.json, info) : reply.error;
    if (error.isEmpty()) {
      context_->setInfo(info);
    } else {
      context_->setInfoError(error);
    }
  });
}

void FinetuneWizard::setPreviousRuns(const QVector<PreviousRunModel>& runs) {
  context_->previous_runs = runs;
  base_page_->refreshPreviousRuns();
}

void FinetuneWizard::setPreferenceSets(const QVector<PreferenceSetChoice>& sets) {
  context_->preference_sets = sets;
  data_page_->refreshPreferenceSets();
}

void FinetuneWizard::setInitialConfig(const QJsonObject& config, const QString& label) {
  restart();
  base_page_->offerDuplicate(config, label);
}

QJsonObject FinetuneWizard::config() const {
  QJsonObject config;
  base_page_->contribute(config);
  data_page_->contribute(config);
  method_page_->contribute(config);
  reward_page_->contribute(config);
  peft_page_->contribute(config);
  hyper_page_->contribute(config);
  review_page_->contribute(config);
  return config;
}

QStringList FinetuneWizard::tags() const { return review_page_->tags(); }

bool FinetuneWizard::engineReady() const { return context_->infoReady(); }

int FinetuneWizard::nextId() const {
  const int page = currentId();
  if (page == kMethodPage && reward_page_->applies()) return kRewardPage;
  if (page == kMethodPage || page == kRewardPage) return peft_page_->applies() ? kPeftPage : kHyperparametersPage;
  return QWizard::nextId();
}

void FinetuneWizard::accept() {
  const QJsonObject launched = config();
  templates_->setLastUsed(launched);
  Q_EMIT launchRequested(launched, tags());
  QWizard::accept();
}

}  // namespace temper::studio
