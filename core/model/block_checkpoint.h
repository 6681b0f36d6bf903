#pragma once
/// Gradient checkpointing of one transformer block (the `gradient-checkpointing` train key): the
/// forward pass keeps only the block's input; the backward pass runs the block again from it, with
/// the random state (dropout) and autocast state the forward had, and back-propagates through that
/// second run. Activation memory then grows with the blocks' inputs (one (B, T, C) tensor each)
/// plus one block's internals, instead of every block's, for about one more forward pass of compute
/// (Chen et al. 2016; transformers' gradient_checkpointing_enable, PyTorch's reentrant
/// torch.utils.checkpoint).
#include "core/torch_api.h"

#include <functional>

namespace temper {

/// A block as a function of its input x and of a side input (prefix tuning's keys and values for
/// the block's attention; undefined when there is none).
using BlockFunction = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& side)>;

/// `block(x, side)`, recorded for autograd as one node that recomputes `block` in its backward and
/// returns gradients for x and side. The block must be a function of x, side and parameters only
/// (no KV cache: a cache would be written twice), and must give the same output when run again
/// under the same random state.
torch::Tensor checkpointBlock(BlockFunction block, const torch::Tensor& x, const torch::Tensor& side = {});

}  // namespace temper
