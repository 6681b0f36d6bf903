#pragma once
/// Gradient checkpointing of one transformer block (the `gradient-checkpointing` train key): the
/// forward pass keeps only the block's input; the backward pass runs the block again from it, with
/// the random state (dropout) and autocast state the forward had, and back-propagates through that
/// second run. Activation memory then grows with the blocks' inputs (one (B, T, C) tensor each)
/// plus one block's internals, instead of every block's, for about one more forward pass of compute
/// (Chen et al. 2016; transformers' gradient_checkpointing_enable, PyTorch's reentrant
/// torch.utils.checkpoint).
#include <torch/torch.h>

#include <functional>

namespace temper {

using BlockFunction = std::function<torch::Tensor(const torch::Tensor&)>;

/// `block(x)`, recorded for autograd as one node that recomputes `block` in its backward. The
/// block must be a function of x and of parameters only (no KV cache: a cache would be written
/// twice), and must give the same output when run again under the same random state.
torch::Tensor checkpointBlock(BlockFunction block, const torch::Tensor& x);

}  // namespace temper
