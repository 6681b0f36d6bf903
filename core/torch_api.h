#pragma once

// The parts of LibTorch that Temper uses: tensors and their operations, autograd (custom
// functions included), nn::Module with the few modules the models are built from, cross entropy,
// Adam/AdamW, and the CUDA queries. Every torch translation unit includes this instead of
// <torch/torch.h>, and it is the torch targets' precompiled header: the whole of <torch/torch.h>
// (data loaders, serialization, every module and functional) makes a precompiled header that
// costs each translation unit about 9 s to load against about 6 s for this set, and CI compiles
// some 240 such units in its two builds (docs/build.md).
#include <ATen/ATen.h>
#include <torch/autograd.h>
#include <torch/cuda.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/init.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/utils.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/types.h>
#include <torch/utils.h>
