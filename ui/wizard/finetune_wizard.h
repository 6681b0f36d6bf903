#pragma once
/// The new-run wizard: base model, data, method, rewards (for the methods that sample and are
/// rewarded), what is trained (when the method takes an adapter), hyperparameters, review. It asks the engine
/// through EngineQueries only, and its result is a `temper train` config (QJsonObject) plus tags:
/// "Launch" emits launchRequested(); the caller starts the run. Templates and the last used values
/// live in the QSettings the caller passes.
#include <QJsonObject>
#include <QStringList>
#include <QVector>
#include <QWizard>
#include <memory>

#include "ui/client/engine_queries.h"
#include "ui/wizard/wizard_context.h"

class QSettings;

namespace temper::studio {

class BaseModelPage;
class DataPage;
class HyperparametersPage;
class MethodPage;
class PeftPage;
class ReviewPage;
class RewardPage;
class TemplateStore;

class FinetuneWizard : public QWizard {
  Q_OBJECT

 public:
  enum PageId { kBaseModelPage = 0, kDataPage, kMethodPage, kRewardPage, kPeftPage, kHyperparametersPage, kReviewPage };

  /// `engine` (the studio's EngineSession, whose `info` answer is shared) and `settings` are not
  /// owned and must outlive the wizard.
  FinetuneWizard(EngineQueries* engine, QSettings* settings, QWidget* parent = nullptr);
  ~FinetuneWizard() override;

  /// The models of earlier runs offered on the first page (the caller reads them from the store).
  void setPreviousRuns(const QVector<PreviousRunModel>& runs);
  /// The workspace's preference sets offered on the data page (the caller reads them from the store).
  void setPreferenceSets(const QVector<PreferenceSetChoice>& sets);
  /// Starts every page from `config` (a run's stored config: "duplicate into wizard", or a seed
  /// from the Datasets / Models pages). `label` names it in the "Start from" list ("From dataset
  /// X"); empty: "The run being duplicated".
  void setInitialConfig(const QJsonObject& config, const QString& label = QString());

  /// The `temper train` config as the pages stand now: exactly what the review page shows.
  QJsonObject config() const;
  /// The run's tags (stored with the run by the caller; not a train key).
  QStringList tags() const;
  /// Whether `temper info` has answered (the wizard can do nothing before).
  bool engineReady() const;
  /// Skips "Rewards" for a method that is not rewarded, "What is trained" for a method that trains
  /// every weight only.
  int nextId() const override;

  BaseModelPage* baseModelPage() const { return base_page_; }
  DataPage* dataPage() const { return data_page_; }
  MethodPage* methodPage() const { return method_page_; }
  RewardPage* rewardPage() const { return reward_page_; }
  PeftPage* peftPage() const { return peft_page_; }
  HyperparametersPage* hyperparametersPage() const { return hyper_page_; }
  ReviewPage* reviewPage() const { return review_page_; }

 Q_SIGNALS:
  /// "Launch" was pressed: start a run with `config` and then tag it.
  void launchRequested(const QJsonObject& config, const QStringList& tags);

 public Q_SLOTS:
  void accept() override;

 private:
  void askInfo();

  std::unique_ptr<TemplateStore> templates_;
  WizardContext* context_;
  BaseModelPage* base_page_;
  DataPage* data_page_;
  MethodPage* method_page_;
  RewardPage* reward_page_;
  PeftPage* peft_page_;
  HyperparametersPage* hyper_page_;
  ReviewPage* review_page_;
};

}  // namespace temper::studio
