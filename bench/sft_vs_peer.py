#!/usr/bin/env python3
"""SFT step throughput of `temper train --method sft` on a GPT-2-124M-shaped base, against the
Python peer (../shared/bench/reference_gpt.py) at the same shapes, A/B alternating.

The base is generated here: GPT-2 config (12 layers, 768 wide, 12 heads, vocab 50257), random
N(0, 0.02) weights written as model.safetensors, and a byte-level tokenizer.json (256 byte tokens
plus <|endoftext|>, no merges), so every character is one token. The SFT records are
prompt-completion pairs of random letters whose prompt + completion + eos is exactly ctx + 1
tokens: every batch is full, no padding, the same work per step as the peer's random-id batches
(the loss covers the completion half; the compute does not depend on that).

Throughput is the engine's own `tokens_per_s` of each step event (steps after the first two),
against the peer's `tokens_per_s` at its best setting (OpenBLAS's OpenMP build, 2 threads).
Needs /usr/bin/python3 with torch (Debian's python3-torch) for the weights. Standard library + torch.

Usage: bench/sft_vs_peer.py --temper build/bin/temper [--rounds 3] [--steps 6] [--batch 8] [--ctx 256]
"""
import argparse
import json
import os
import random
import shutil
import statistics
import string
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PEER = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "bench", "reference_gpt.py"))


def bytes_to_unicode():
    """GPT-2's map from bytes to printable characters (the definition in its encoder.py)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors:
        data = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(raw).to_bytes(8, "little"))
        f.write(raw)
        for b in blobs:
            f.write(b)


def make_base(folder, layers, dim, heads, vocab, positions):
    os.makedirs(folder, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    rnd = lambda *shape: torch.randn(*shape, generator=g) * 0.02
    tensors = [("wte.weight", rnd(vocab, dim)), ("wpe.weight", rnd(positions, dim))]
    for i in range(layers):
        p = f"h.{i}."
        tensors += [(p + "ln_1.weight", torch.ones(dim)), (p + "ln_1.bias", torch.zeros(dim)),
                    (p + "attn.c_attn.weight", rnd(dim, 3 * dim)), (p + "attn.c_attn.bias", torch.zeros(3 * dim)),
                    (p + "attn.c_proj.weight", rnd(dim, dim)), (p + "attn.c_proj.bias", torch.zeros(dim)),
                    (p + "ln_2.weight", torch.ones(dim)), (p + "ln_2.bias", torch.zeros(dim)),
                    (p + "mlp.c_fc.weight", rnd(dim, 4 * dim)), (p + "mlp.c_fc.bias", torch.zeros(4 * dim)),
                    (p + "mlp.c_proj.weight", rnd(4 * dim, dim)), (p + "mlp.c_proj.bias", torch.zeros(dim))]
    tensors += [("ln_f.weight", torch.ones(dim)), ("ln_f.bias", torch.zeros(dim))]
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors)
    config = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": vocab, "n_positions": positions,
              "n_embd": dim, "n_layer": layers, "n_head": heads, "n_inner": None, "activation_function": "gelu_new",
              "layer_norm_epsilon": 1e-5, "bos_token_id": 256, "eos_token_id": 256}
    json.dump(config, open(os.path.join(folder, "config.json"), "w"))
    vocab_map = {ch: b for b, ch in bytes_to_unicode().items()}
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": 256, "content": "<|endoftext|>", "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
                  "vocab": dict(vocab_map, **{"<|endoftext|>": 256}), "merges": []}}
    json.dump(tokenizer, open(os.path.join(folder, "tokenizer.json"), "w"))
    json.dump({"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>"},
              open(os.path.join(folder, "tokenizer_config.json"), "w"))


def make_records(path, count, ctx, seed):
    rng = random.Random(seed)
    half = ctx // 2
    with open(path, "w") as f:
        for _ in range(count):
            # ctx + 1 tokens in all: prompt (half) + completion (ctx - half) + eos.
            prompt = "".join(rng.choice(string.ascii_lowercase) for _ in range(half))
            completion = "".join(rng.choice(string.ascii_lowercase) for _ in range(ctx - half))
            f.write(json.dumps({"prompt": prompt, "completion": completion}) + "\n")


def run_engine(args, base, data, val, workspace):
    command = [args.temper, "--workspace", workspace, "--events", "train", "--method", "sft", "--base", base,
               "--data", data, "--val-data", val, "--batch-size", str(args.batch), "--ctx", str(args.ctx),
               "--max-steps", str(args.steps), "--eval-every", str(10 ** 6), "--checkpoint-every", str(10 ** 6),
               "--eval-batches", "1", "--sample-tokens", "0", "--warmup-steps", "0", "--threads",
               args.engine_threads]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rates = [e["tokens_per_s"] for e in map(json.loads, out.splitlines()) if e.get("type") == "step"]
    shutil.rmtree(workspace, ignore_errors=True)  # the final model and optimizer state: ~1.5 GB
    return statistics.median(rates[2:] if len(rates) > 3 else rates)


def run_peer(args, layers, dim, heads, vocab):
    env = dict(os.environ, LD_LIBRARY_PATH=args.openmp_blas_dir)
    command = [args.python, args.peer, "--layers", str(layers), "--dim", str(dim), "--heads", str(heads), "--ctx",
               str(args.ctx), "--vocab", str(vocab), "--batch", str(args.batch), "--steps", str(args.steps),
               "--threads", "2"]
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])["tokens_per_s"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--temper", required=True)
    p.add_argument("--peer", default=DEFAULT_PEER)
    p.add_argument("--python", default="/usr/bin/python3")
    p.add_argument("--openmp-blas-dir", default="/usr/lib/x86_64-linux-gnu/openblas-openmp")
    p.add_argument("--engine-threads", default="0")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--ctx", type=int, default=256)
    args = p.parse_args()
    layers, dim, heads, vocab = 12, 768, 12, 50257
    with tempfile.TemporaryDirectory(prefix="temper-sft-bench-") as tmp:
        base = os.path.join(tmp, "base")
        make_base(base, layers, dim, heads, vocab, 1024)
        data, val = os.path.join(tmp, "train.jsonl"), os.path.join(tmp, "val.jsonl")
        make_records(data, 200, args.ctx, 1)
        make_records(val, 8, args.ctx, 2)
        engine, peer, ratios = [], [], []
        for r in range(args.rounds):
            e = run_engine(args, base, data, val, os.path.join(tmp, f"ws{r}"))
            q = run_peer(args, layers, dim, heads, vocab)
            engine.append(e)
            peer.append(q)
            ratios.append(e / q)
            print(json.dumps({"round": r + 1, "engine_tokens_per_s": round(e, 1), "peer_tokens_per_s": round(q, 1),
                              "ratio": round(e / q, 3)}), flush=True)
        print(json.dumps({"shape": {"layers": layers, "dim": dim, "heads": heads, "vocab": vocab, "ctx": args.ctx,
                                    "batch": args.batch, "steps": args.steps},
                          "engine_median": statistics.median(engine), "peer_median": statistics.median(peer),
                          "median_ratio": statistics.median(ratios), "ratios": [round(x, 3) for x in ratios]}))


if __name__ == "__main__":
    sys.exit(main())
