#include "core/train/flat_adamw.h"

#include <cmath>
#include <map>

#include "core/common/error.h"
#include "core/torch_compat/torch_compat.h"
#include "core/train/adamw_kernel.h"

namespace temper {

FlatAdamW::FlatAdamW(const std::vector<std::pair<std::string, torch::Tensor>>& named_parameters, AdamWOptions options,
                     const std::function<double(const std::string&)>& lr_scale)
    : options_(options) {
  // Groups 0 and 1 are the usual pair at the schedule's rate (their state names predate scales);
  // a pair per other scale follows, in the order the scales first appear.
  std::map<double, std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>>> by_scale;
  std::vector<double> scales = {1.0};
  for (const auto& [name, p] : named_parameters) {
    if (!p.requires_grad()) continue;
    const double scale = lr_scale ? lr_scale(name) : 1.0;
    if (!by_scale.count(scale) && scale != 1.0) scales.push_back(scale);
    auto& pair = by_scale[scale];
    (p.dim() >= 2 ? pair.first : pair.second).push_back(p);
  }
  for (double scale : scales) {
    auto& pair = by_scale[scale];
    groups_.push_back(makeGroup(pair.first, options.weight_decay, scale));
    groups_.push_back(makeGroup(pair.second, 0.0, scale));
  }
}

FlatAdamW::Group FlatAdamW::makeGroup(const std::vector<torch::Tensor>& members, double weight_decay, double lr_scale) {
  int64_t total = 0;
  for (const auto& p : members) total += p.numel();
  auto options = members.empty() ? torch::TensorOptions().dtype(torch::kFloat32) : members.front().options();
  Group group;
  group.weight_decay = weight_decay;
  group.lr_scale = lr_scale;
  group.params = torch::empty({total}, options.requires_grad(false));
  group.grads = torch::zeros({total}, options.requires_grad(false));
  group.exp_avg = torch::zeros({total}, options.requires_grad(false));
  group.exp_avg_sq = torch::zeros({total}, options.requires_grad(false));
  torch::NoGradGuard no_grad;
  int64_t offset = 0;
  for (auto p : members) {
    auto slot = group.params.narrow(0, offset, p.numel()).view(p.sizes());
    slot.copy_(p);
    p.set_data(slot);
    // A defined gradient makes autograd accumulate into it in place, i.e. into our flat buffer.
    p.mutable_grad() = group.grads.narrow(0, offset, p.numel()).view(p.sizes());
    offset += p.numel();
  }
  return group;
}

int64_t FlatAdamW::parameterCount() const {
  int64_t total = 0;
  for (const auto& g : groups_) total += g.params.numel();
  return total;
}

void FlatAdamW::zeroGrad() {
  for (auto& g : groups_) g.grads.zero_();
}

double FlatAdamW::clipGradNorm(double max_norm) {
  torch::NoGradGuard no_grad;
  double sum_squares = 0;
  for (auto& g : groups_) {
    if (g.grads.numel() == 0) continue;
    double norm = g.grads.norm().item<double>();
    sum_squares += norm * norm;
  }
  double total = std::sqrt(sum_squares);
  if (max_norm > 0 && std::isfinite(total)) {
    double coefficient = max_norm / (total + 1e-6);  // torch.nn.utils.clip_grad_norm_'s formula
    if (coefficient < 1.0) {
      for (auto& g : groups_) g.grads.mul_(coefficient);
    }
  }
  return total;
}

void FlatAdamW::step(double schedule_lr) {
  torch::NoGradGuard no_grad;
  ++step_count_;
  const double bias_correction1 = 1.0 - std::pow(options_.beta1, static_cast<double>(step_count_));
  const double bias_correction2 = 1.0 - std::pow(options_.beta2, static_cast<double>(step_count_));
  const double sqrt_bc2 = std::sqrt(bias_correction2);
  for (auto& g : groups_) {
    if (g.params.numel() == 0) continue;
    const double lr = schedule_lr * g.lr_scale;  // LoRA+ groups learn at a multiple
    const double step_size = lr / bias_correction1;
    if (g.params.device().is_cpu() && g.params.scalar_type() == torch::kFloat32) {
      AdamWStep s;
      s.lr = static_cast<float>(lr);
      s.beta1 = static_cast<float>(options_.beta1);
      s.beta2 = static_cast<float>(options_.beta2);
      s.eps = static_cast<float>(options_.eps);
      s.weight_decay = static_cast<float>(g.weight_decay);
      s.step_size = static_cast<float>(step_size);
      s.inv_sqrt_bc2 = static_cast<float>(1.0 / sqrt_bc2);
      adamwUpdate(g.params.data_ptr<float>(), g.grads.data_ptr<float>(), g.exp_avg.data_ptr<float>(),
                  g.exp_avg_sq.data_ptr<float>(), g.params.numel(), s);
      continue;
    }
    // CUDA: LibTorch's fused kernel (one launch per group) where the build has it.
    if (g.params.device().is_cuda() && compat::hasFusedAdamW(g.params.device())) {
      compat::fusedAdamWStep(g.params, g.grads, g.exp_avg, g.exp_avg_sq, step_count_, lr, options_.beta1,
                             options_.beta2, g.weight_decay, options_.eps);
      continue;
    }
    // Other devices and dtypes: the same update, op by op.
    if (g.weight_decay != 0.0) g.params.mul_(1.0 - lr * g.weight_decay);
    g.exp_avg.lerp_(g.grads, 1.0 - options_.beta1);
    g.exp_avg_sq.mul_(options_.beta2).addcmul_(g.grads, g.grads, 1.0 - options_.beta2);
    auto denom = (g.exp_avg_sq.sqrt() / sqrt_bc2).add_(options_.eps);
    g.params.addcdiv_(g.exp_avg, denom, -step_size);
  }
}

std::vector<std::pair<std::string, torch::Tensor>> FlatAdamW::stateTensors() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (size_t i = 0; i < groups_.size(); ++i) {
    out.emplace_back("group" + std::to_string(i) + ".exp_avg", groups_[i].exp_avg);
    out.emplace_back("group" + std::to_string(i) + ".exp_avg_sq", groups_[i].exp_avg_sq);
  }
  return out;
}

void FlatAdamW::loadStateTensors(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                                 int64_t step_count) {
  torch::NoGradGuard no_grad;
  // Everything is checked before anything is copied, and every moment must be there: resuming
  // with zeroed moments would silently change the run.
  std::map<std::string, torch::Tensor> targets;
  for (size_t i = 0; i < groups_.size(); ++i) {
    targets["group" + std::to_string(i) + ".exp_avg"] = groups_[i].exp_avg;
    targets["group" + std::to_string(i) + ".exp_avg_sq"] = groups_[i].exp_avg_sq;
  }
  std::map<std::string, torch::Tensor> values;
  for (const auto& [name, value] : tensors) {
    auto it = targets.find(name);
    if (it == targets.end()) throwInputError("optimizer state has an unexpected tensor `" + name + "`");
    if (it->second.numel() != value.numel()) {
      throwInputError("optimizer state `" + name + "` has " + std::to_string(value.numel()) +
                      " values, the model has " + std::to_string(it->second.numel()));
    }
    values[name] = value;
  }
  for (auto& [name, target] : targets) {
    auto it = values.find(name);
    if (it == values.end()) throwInputError("optimizer state is missing `" + name + "`");
    target.copy_(it->second.view_as(target));
  }
  step_count_ = step_count;
}

}  // namespace temper
