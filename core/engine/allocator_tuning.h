#pragma once
/// glibc's malloc hands blocks above its mmap threshold (dynamic, 128 KiB at start) to fresh mmap()
/// calls and gives freed memory at the top of the heap back to the kernel. A training step allocates
/// and frees the same few hundred activation tensors of 1-30 MB every step, so each step pays the
/// kernel again to map and zero those pages: 8% of a GPT-2-124M bf16 step on 2 cores was page faults
/// and clear_page (perf, docs/cpu-speed.md). Keeping blocks up to 32 MiB (glibc's ceiling) in the
/// heap and never trimming it turns those faults into reuse: +3% tokens/s, the resident size staying
/// at the step's peak, which training reaches anyway.
namespace temper {

/// Called once at the start of `temper`, before any large allocation. Respects the user's own
/// MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ / MALLOC_TOP_PAD_ when set; does nothing when
/// TEMPER_ALLOCATOR_DEFAULTS is set (the A/B measurement of docs/cpu-speed.md).
void tuneAllocatorForTraining();

/// The memory-first policy of a run with a quantised base (QLoRA, `base-quant`), whose point is
/// to fit: blocks from 1 MiB up are mapped and unmapped with each tensor, and the heap's free top
/// is trimmed, so the resident size follows what is live instead of the largest step's layout. At
/// 1.1B (LoRA on a nf4 base, fp32, ctx 128) the reuse-first policy above held ~300 MB of freed
/// heap at the step's peak (docs/peft.md). A wide quantised projection is dequantised into one
/// reused buffer (core/quant/quantized_linear.cpp), so the pages mapped afresh each step are the
/// activations', not the base's. Same environment overrides as tuneAllocatorForTraining; returns
/// a short description for the run's record ("memory-first" or why not).
const char* tuneAllocatorForMemory();

}  // namespace temper
