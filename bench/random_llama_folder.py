#!/usr/bin/env python3
"""Writes a Hugging Face Llama folder of a chosen shape with random bf16 weights, for measuring what
loading and training a base of that size costs (docs/peft.md, "QLoRA's loading") without
downloading one. TinyLlama's shape by default (1.10B parameters, 2.2 GB in bf16, as its published
checkpoint is stored).

Usage: bench/random_llama_folder.py --out DIR --tokenizer TOKENIZER.model [--layers 22 --dim 2048
       --heads 32 --kv-heads 4 --intermediate 5632 --vocab 32000 --ctx 2048] [--seed 0]

The weights are N(0, 0.02) (the norms 1), rounded to bf16 by truncation; the tokenizer file is copied
as tokenizer.model (any SentencePiece model with at most --vocab ids). numpy only; one tensor in
memory at a time.
"""
import argparse
import json
import os
import shutil
import struct

import numpy as np


def tensor_shapes(a):
    head_dim = a.dim // a.heads
    shapes = [("model.embed_tokens.weight", (a.vocab, a.dim))]
    for i in range(a.layers):
        p = f"model.layers.{i}."
        shapes += [
            (p + "input_layernorm.weight", (a.dim,)),
            (p + "self_attn.q_proj.weight", (a.heads * head_dim, a.dim)),
            (p + "self_attn.k_proj.weight", (a.kv_heads * head_dim, a.dim)),
            (p + "self_attn.v_proj.weight", (a.kv_heads * head_dim, a.dim)),
            (p + "self_attn.o_proj.weight", (a.dim, a.heads * head_dim)),
            (p + "post_attention_layernorm.weight", (a.dim,)),
            (p + "mlp.gate_proj.weight", (a.intermediate, a.dim)),
            (p + "mlp.up_proj.weight", (a.intermediate, a.dim)),
            (p + "mlp.down_proj.weight", (a.dim, a.intermediate)),
        ]
    shapes += [("model.norm.weight", (a.dim,)), ("lm_head.weight", (a.vocab, a.dim))]
    return shapes


def bf16_bytes(name, shape, rng):
    if name.endswith("norm.weight"):
        values = np.ones(shape, dtype=np.float32)
    else:
        values = (rng.standard_normal(shape, dtype=np.float32) * 0.02).astype(np.float32)
    return (values.view(np.uint32) >> 16).astype(np.uint16).tobytes()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--tokenizer", required=True)
    p.add_argument("--layers", type=int, default=22)
    p.add_argument("--dim", type=int, default=2048)
    p.add_argument("--heads", type=int, default=32)
    p.add_argument("--kv-heads", type=int, default=4)
    p.add_argument("--intermediate", type=int, default=5632)
    p.add_argument("--vocab", type=int, default=32000)
    p.add_argument("--ctx", type=int, default=2048)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    shapes = tensor_shapes(a)
    header, offset = {}, 0
    for name, shape in shapes:
        size = 2 * int(np.prod(shape))
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # 8-byte aligned data, as safetensors writers pad
    rng = np.random.default_rng(a.seed)
    with open(os.path.join(a.out, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name, shape in shapes:
            f.write(bf16_bytes(name, shape, rng))
    config = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": a.dim,
        "intermediate_size": a.intermediate, "num_hidden_layers": a.layers, "num_attention_heads": a.heads,
        "num_key_value_heads": a.kv_heads, "vocab_size": a.vocab, "max_position_embeddings": a.ctx,
        "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": False, "hidden_act": "silu",
        "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16",
    }
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    shutil.copyfile(a.tokenizer, os.path.join(a.out, "tokenizer.model"))
    params = sum(int(np.prod(s)) for _, s in shapes)
    print(f"{a.out}: {params:,} parameters, {offset / 1e9:.2f} GB of bf16 weights")


if __name__ == "__main__":
    main()
