#include "core/model/block_checkpoint.h"

#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/function.h>

#include "core/torch_compat/torch_compat.h"

namespace temper {
namespace {

/// What the forward pass ran under, so that the recomputation runs under the same.
struct ForwardState {
  torch::Device device{torch::kCPU};
  torch::Tensor cpu_rng, device_rng;
  bool cpu_autocast = false, cuda_autocast = false;
  at::ScalarType cpu_dtype = at::kBFloat16, cuda_dtype = at::kHalf;

  static ForwardState capture(const torch::Device& device) {
    ForwardState s;
    s.device = device;
    s.cpu_rng = rngState(torch::Device(torch::kCPU));
    if (!s.device.is_cpu()) s.device_rng = rngState(s.device);
    s.cpu_autocast = compat::autocastEnabled(at::kCPU);
    s.cpu_dtype = compat::autocastDtype(at::kCPU);
    if (s.device.is_cuda()) {
      s.cuda_autocast = compat::autocastEnabled(at::kCUDA);
      s.cuda_dtype = compat::autocastDtype(at::kCUDA);
    }
    return s;
  }

  static torch::Tensor rngState(const torch::Device& device) {
    auto generator = at::globalContext().defaultGenerator(device);
    std::lock_guard<std::mutex> lock(generator.mutex());
    return generator.get_state();
  }
  static void setRngState(const torch::Device& device, const torch::Tensor& state) {
    auto generator = at::globalContext().defaultGenerator(device);
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
  }
};

/// Puts a forward pass's random and autocast state in place for the recomputation and restores the
/// backward pass's own afterwards (its dropout draws must not change what later steps draw).
class ReplayForwardState {
 public:
  explicit ReplayForwardState(const ForwardState& forward) : backward_(ForwardState::capture(forward.device)) {
    apply(forward);
    at::autocast::increment_nesting();
  }
  ~ReplayForwardState() {
    // The outermost autocast scope drops the weights it cast, as torch.autocast's exit does.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    apply(backward_);
  }
  ReplayForwardState(const ReplayForwardState&) = delete;
  ReplayForwardState& operator=(const ReplayForwardState&) = delete;

 private:
  static void apply(const ForwardState& s) {
    ForwardState::setRngState(torch::Device(torch::kCPU), s.cpu_rng);
    if (s.device_rng.defined()) ForwardState::setRngState(s.device, s.device_rng);
    compat::setAutocastDtype(at::kCPU, s.cpu_dtype);
    compat::setAutocastEnabled(at::kCPU, s.cpu_autocast);
    if (s.device.is_cuda()) {
      compat::setAutocastDtype(at::kCUDA, s.cuda_dtype);
      compat::setAutocastEnabled(at::kCUDA, s.cuda_autocast);
    }
  }
  ForwardState backward_;  ///< the backward pass's own state, put back afterwards
};

/// A detached copy of a block input that records its own gradient when the original needs one:
/// the leaf the recomputation (and the first run) differentiates with respect to.
torch::Tensor detachedLeaf(const torch::Tensor& t) {
  if (!t.defined()) return t;
  torch::Tensor leaf = t.detach();
  if (t.requires_grad()) leaf.requires_grad_(true);
  return leaf;
}

/// The autograd node of a checkpointed block: its input is the block's output gradient, its next
/// edges the gradients of the block's input and side input. Parameters get theirs from the inner
/// backward pass, which accumulates into their .grad as the plain graph would.
class BlockCheckpointBackward final : public torch::autograd::Node {
 public:
  BlockCheckpointBackward(BlockFunction block, const torch::Tensor& input, const torch::Tensor& side,
                          ForwardState state)
      : block_(std::move(block)),
        input_(input.detach()),
        side_(side.defined() ? side.detach() : side),
        input_requires_grad_(input.requires_grad()),
        side_requires_grad_(side.defined() && side.requires_grad()),
        state_(std::move(state)) {}

  torch::autograd::variable_list apply(torch::autograd::variable_list&& grads) override {
    TORCH_CHECK(block_, "a checkpointed block was back-propagated twice; its graph was released");
    if (!grads.at(0).defined()) return {torch::Tensor(), torch::Tensor()};  // no gradient reached the output
    torch::Tensor x = input_.detach(), side = side_.defined() ? side_.detach() : side_;
    if (input_requires_grad_) x.requires_grad_(true);
    if (side_requires_grad_) side.requires_grad_(true);
    torch::Tensor out;
    {
      ReplayForwardState replay(state_);
      torch::AutoGradMode grad(true);
      out = block_(x, side);
    }
    if (out.requires_grad()) torch::autograd::backward({out}, {grads.at(0)});
    return {input_requires_grad_ ? x.grad() : torch::Tensor(), side_requires_grad_ ? side.grad() : torch::Tensor()};
  }

  std::string name() const override { return "BlockCheckpointBackward"; }
  void release_variables() override {
    input_ = torch::Tensor();
    side_ = torch::Tensor();
    block_ = nullptr;
  }

 private:
  BlockFunction block_;
  torch::Tensor input_;  ///< detached: the block's input as the forward saw it
  torch::Tensor side_;   ///< detached side input (undefined: none)
  bool input_requires_grad_, side_requires_grad_;
  ForwardState state_;
};

}  // namespace

torch::Tensor checkpointBlock(BlockFunction block, const torch::Tensor& x, const torch::Tensor& side) {
  ForwardState state = ForwardState::capture(x.device());
  // The block runs as the recomputation will (with autograd recording, on detached inputs): some
  // kernels take another path without autograd, and the two runs must agree to the bit. Detaching
  // the output drops that graph, and with it every activation of the block.
  torch::Tensor full = block(detachedLeaf(x), detachedLeaf(side));
  // A block with nothing to train and inputs that need no gradient (the frozen blocks below
  // `train-last-blocks`) has no backward pass: nothing to keep, nothing to recompute.
  if (!full.requires_grad()) return full;
  torch::Tensor out = full.detach();
  full = torch::Tensor();
  auto node = compat::makeAutogradNode<BlockCheckpointBackward>(std::move(block), x, side, std::move(state));
  node->set_next_edges(torch::autograd::collect_next_edges(x, side));
  torch::autograd::create_gradient_edge(out, node);
  return out;
}

}  // namespace temper
