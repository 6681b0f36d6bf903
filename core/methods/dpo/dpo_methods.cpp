#include "core/methods/dpo/dpo_methods.h"

#include "core/common/error.h"
#include "core/methods/dpo/pair_preference_task.h"
#include "core/methods/peft_keys.h"
#include "core/methods/preference/preference_method_keys.h"
#include "core/methods/record_method.h"

namespace temper {
namespace {

PairObjective objectiveOf(const std::string& method) {
  if (method == "simpo") return PairObjective::Simpo;
  if (method == "orpo") return PairObjective::Orpo;
  if (method == "kto") return PairObjective::Kto;
  return PairObjective::Dpo;
}

MethodSetup setUpPairPreference(const MethodInputs& in) {
  const TrainConfig& c = in.config;
  PairPreferenceSetup s;
  s.source = methodBaseModel(in, /*accept_classifier=*/false);
  s.objective = objectiveOf(c.method);
  // Full-weight DPO and KTO keep the base as it was beside the policy: the same folder loaded again.
  if (needsReference(s.objective) && !s.source.peft.adapter()) s.reference = baseModel(*in.base).model;
  s.data = preferenceDataSetup(in);
  s.context = c.ctx;
  s.batch_size = c.batch_size;
  s.seed = static_cast<uint64_t>(c.seed);
  s.device = in.device;
  s.beta = c.values.value("beta", 0.1);
  s.dpo_loss = parseDpoLossKind(c.values.value("dpo-loss", std::string("sigmoid"))).value_or(DpoLossKind::Sigmoid);
  s.label_smoothing = c.values.value("label-smoothing", 0.0);
  s.simpo_gamma = c.values.value("simpo-gamma", 1.0);
  s.desirable_weight = c.values.value("desirable-weight", 1.0);
  s.undesirable_weight = c.values.value("undesirable-weight", 1.0);
  s.sample_tokens = c.sample_tokens;
  if (c.values.value("precompute-ref", false)) s.reference_cache_dir = in.workspace.root / "cache" / "reference-logps";
  return startRecordTask<PairPreferenceTask>(std::move(s), c);
}

/// DPO and KTO with full weights hold the base a second time as their reference (precomputed, it is
/// released before the first step, when the training memory peaks).
MethodShape pairShape(const MethodInputs& in) {
  MethodShape shape = baseModelShape(in);
  const TrainConfig& c = in.config;
  if (needsReference(objectiveOf(c.method)) && !peftChoice(c).adapter() && !c.values.value("precompute-ref", false))
    shape.frozen_model_parameters = in.base->parameters;
  return shape;
}

/// `beta` is shared with GRPO and RLOO, where 0 turns the KL term off; here it scales the loss itself.
void validatePairBeta(const TrainConfig& c) {
  if (c.values.value("beta", 0.1) <= 0.0) {
    throwConfigError("`beta` is 0; " + c.method + " needs a positive beta (it scales the preference term)");
  }
}

void validateDpo(const TrainConfig& c) {
  validatePairBeta(c);
  const double smoothing = c.values.value("label-smoothing", 0.0);
  const std::string loss = c.values.value("dpo-loss", std::string("sigmoid"));
  if (smoothing > 0.0 && loss != "robust") {
    throwConfigError("`label-smoothing` (" + std::to_string(smoothing) +
                     ") applies to dpo-loss robust, the loss that models label noise; dpo-loss is " + loss);
  }
}

void validateKto(const TrainConfig& c) {
  validatePairBeta(c);
  if (c.batch_size < 2) {
    throwConfigError("kto estimates its KL term from the other answers of a micro-batch; `batch-size` is " +
                     std::to_string(c.batch_size) + ", give 2 or more");
  }
}

/// What the four share: the data, the base, the chat template, the adapters, the samples.
MethodSpec pairMethod(std::string name, std::string title, std::string summary) {
  MethodSpec m;
  m.name = std::move(name);
  m.title = std::move(title);
  m.summary = std::move(summary);
  m.base = BaseUse::LanguageModel;
  m.data_formats = {"preference"};
  m.keys = {"base", "val-data", "val-fraction", "chat-template", "sample-tokens"};
  m.own_keys = preferenceDataKeys();
  m.own_keys.push_back(betaKey());
  m.defaults = finetuneDefaults();
  // TRL's DPO, CPO and ORPO configs: a small learning rate, the policy starts where it should be.
  m.defaults["lr"] = 1e-6;
  m.defaults["min-lr"] = 1e-7;
  m.metrics = {"rewards/chosen",  "rewards/rejected", "rewards/accuracies",
               "rewards/margins", "logps/chosen",     "logps/rejected"};
  m.peft = {"none", "lora", "adapters", "prompt-tuning", "prefix-tuning"};
  m.set_up = setUpPairPreference;
  m.dry_run_shape = pairShape;
  m.validate = validatePairBeta;
  return m;
}

}  // namespace

MethodSpec dpoMethod() {
  MethodSpec m = pairMethod(
      "dpo", "DPO",
      "Align a model to preference pairs directly, against a frozen copy of where it started: no reward model, no "
      "sampling during training.");
  m.own_keys.push_back({"dpo-loss",
                        KeyKind::Choice,
                        "sigmoid",
                        0,
                        0,
                        {"sigmoid", "ipo", "hinge", "robust"},
                        "dpo: sigmoid (DPO), ipo (squared, length-normalised), hinge (SLiC), robust (for noisy "
                        "labels, with label-smoothing)"});
  m.own_keys.push_back(
      {"label-smoothing", KeyKind::Number, 0.0, 0, 0.49, {}, "dpo-loss robust: the share of labels believed flipped"});
  m.own_keys.push_back({"precompute-ref",
                        KeyKind::Boolean,
                        false,
                        0,
                        0,
                        {},
                        "dpo: the reference's log-probabilities of every pair computed once before training and "
                        "cached in the workspace (no reference pass per batch, its copy released); the next run on "
                        "the same base and pairs reads them"});
  m.validate = validateDpo;
  return m;
}

MethodSpec ktoMethod() {
  MethodSpec m = pairMethod("kto", "KTO",
                            "Learn from answers marked good or bad one at a time (thumbs up / down), against a frozen "
                            "copy of where the model started.");
  for (const char* side : {"desirable", "undesirable"}) {
    m.own_keys.push_back({std::string(side) + "-weight",
                          KeyKind::Number,
                          1.0,
                          0,
                          100,
                          {},
                          std::string("kto: the weight of ") + side +
                              " answers' losses (raise the rarer side's so that weight × count is about even)"});
  }
  m.metrics.push_back("kl");
  m.validate = validateKto;
  return m;
}

MethodSpec simpoMethod() {
  MethodSpec m = pairMethod("simpo", "SimPO",
                            "Preference pairs without a reference model: length-normalised likelihoods with a target "
                            "margin; half the memory of DPO.");
  m.own_keys.push_back({"simpo-gamma",
                        KeyKind::Number,
                        1.0,
                        0,
                        100,
                        {},
                        "simpo: the target reward margin γ (the SimPO paper keeps γ/β near 0.5)"});
  m.defaults["beta"] = 2.0;  // the SimPO paper's range is 2.0-2.5
  return m;
}

MethodSpec orpoMethod() {
  MethodSpec m = pairMethod("orpo", "ORPO",
                            "SFT and preference alignment in one step from a base model: the chosen answers' "
                            "likelihood plus an odds-ratio term, no reference model.");
  m.metrics.insert(m.metrics.end(), {"nll_loss", "log_odds_ratio", "log_odds_chosen"});
  return m;
}

}  // namespace temper
