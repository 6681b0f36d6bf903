#!/usr/bin/python3
"""Independent Llama-family forward pass for model_test (llama_reference_test.cpp).

Usage: reference_llama.py MODEL_DIR IDS_JSON
Reads MODEL_DIR/config.json and the weights (model.safetensors, or the shards listed by
model.safetensors.index.json), parsed here with struct/json (no safetensors or transformers
package), and the (B, T) token ids in IDS_JSON; prints {"logits": [[[...]]]} (B, T, V) computed in
float64.

Written from the definition of the architecture (transformers models/llama/modeling_llama.py,
modeling_rope_utils.py, Qwen2's q/k/v biases), not from Temper's code:
  h = embed_tokens[ids]
  per layer: h += o_proj(attention(rope(q_proj(rms(h))), rope(k_proj(rms(h))), v_proj(rms(h))))
             h += down_proj(silu(gate_proj(rms(h))) * up_proj(rms(h)))
  logits = rms(h) @ lm_head^T   (lm_head = embed_tokens when tie_word_embeddings)
rms(x) = w * x / sqrt(mean(x^2) + eps); rope rotates the two halves of each head (rotate-half);
each group of num_attention_heads / num_key_value_heads query heads shares one key/value head.
"""
import json
import math
import os
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}


def read_safetensors(path, into):
    with open(path, "rb") as f:
        blob = f.read()
    (header_size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + header_size].decode("utf-8"))
    data = blob[8 + header_size:]
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[begin:end])
        t = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]]) if raw else torch.empty(0)
        into[name] = t.reshape(info["shape"]).to(torch.float64)


def read_weights(model_dir):
    weights = {}
    single = os.path.join(model_dir, "model.safetensors")
    if os.path.exists(single):
        read_safetensors(single, weights)
        return weights
    with open(os.path.join(model_dir, "model.safetensors.index.json")) as f:
        index = json.load(f)
    for shard in sorted(set(index["weight_map"].values())):
        read_safetensors(os.path.join(model_dir, shard), weights)
    return weights


def inverse_frequencies(config, head_dim):
    """1 / theta^(2i / D) for i < D/2, then the rope_scaling of the config."""
    theta = float(config.get("rope_theta", 10000.0))
    inv = [1.0 / theta ** (2.0 * i / head_dim) for i in range(head_dim // 2)]
    scaling = config.get("rope_scaling") or {}
    kind = scaling.get("rope_type", scaling.get("type", "default"))
    if kind == "default":
        return torch.tensor(inv, dtype=torch.float64)
    factor = float(scaling["factor"])
    if kind == "linear":  # positions divided by the factor
        return torch.tensor([f / factor for f in inv], dtype=torch.float64)
    if kind != "llama3":
        sys.exit("reference_llama.py: rope type %s not written here" % kind)
    # Llama 3.1: wavelengths shorter than original/high_freq_factor kept, longer than
    # original/low_freq_factor slowed down by the factor, linear blend of the two in between.
    low, high = float(scaling["low_freq_factor"]), float(scaling["high_freq_factor"])
    original = float(scaling["original_max_position_embeddings"])
    out = []
    for f in inv:
        wavelength = 2.0 * math.pi / f
        if wavelength < original / high:
            out.append(f)
        elif wavelength > original / low:
            out.append(f / factor)
        else:
            smooth = (original / wavelength - low) / (high - low)
            out.append((1.0 - smooth) * f / factor + smooth * f)
    return torch.tensor(out, dtype=torch.float64)


def rms_norm(x, weight, eps):
    return weight * x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps)


def rotate(x, cos, sin):
    """x: (B, H, T, D); pairs channel i with channel i + D/2."""
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def linear(x, w, prefix, has_bias):
    y = x @ w[prefix + ".weight"].t()
    return y + w[prefix + ".bias"] if has_bias else y


def llama_logits(config, w, ids):
    model_type = config.get("model_type", "llama")
    heads = config["num_attention_heads"]
    kv_heads = config.get("num_key_value_heads") or heads
    head_dim = config.get("head_dim") or config["hidden_size"] // heads
    eps = config.get("rms_norm_eps", 1e-6)
    qkv_bias = model_type == "qwen2" or config.get("attention_bias", False)
    o_bias = model_type != "qwen2" and config.get("attention_bias", False)
    mlp_bias = config.get("mlp_bias", False)
    batch, steps = ids.shape

    angles = torch.arange(steps, dtype=torch.float64)[:, None] * inverse_frequencies(config, head_dim)[None, :]
    cos, sin = torch.cos(angles), torch.sin(angles)  # (T, D/2)
    causal = torch.tril(torch.ones(steps, steps, dtype=torch.bool))

    h = w["model.embed_tokens.weight"][ids]
    for layer in range(config["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        a = rms_norm(h, w[p + "input_layernorm.weight"], eps)

        def split(t, n):  # (B, T, n*D) -> (B, n, T, D)
            return t.view(batch, steps, n, head_dim).permute(0, 2, 1, 3)

        q = rotate(split(linear(a, w, p + "self_attn.q_proj", qkv_bias), heads), cos, sin)
        k = rotate(split(linear(a, w, p + "self_attn.k_proj", qkv_bias), kv_heads), cos, sin)
        v = split(linear(a, w, p + "self_attn.v_proj", qkv_bias), kv_heads)
        outs = []
        for head in range(heads):
            kv = head // (heads // kv_heads)
            scores = q[:, head] @ k[:, kv].transpose(-1, -2) / math.sqrt(head_dim)
            scores = scores.masked_fill(~causal, float("-inf"))
            outs.append(torch.softmax(scores, dim=-1) @ v[:, kv])
        attn = torch.cat(outs, dim=-1)  # heads side by side: (B, T, H*D)
        h = h + linear(attn, w, p + "self_attn.o_proj", o_bias)

        m = rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
        gate = linear(m, w, p + "mlp.gate_proj", mlp_bias)
        up = linear(m, w, p + "mlp.up_proj", mlp_bias)
        h = h + linear(gate * torch.sigmoid(gate) * up, w, p + "mlp.down_proj", mlp_bias)
    h = rms_norm(h, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if config.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return h @ head.t()


def main():
    model_dir, ids_path = sys.argv[1], sys.argv[2]
    with open(os.path.join(model_dir, "config.json")) as f:
        config = json.load(f)
    if config.get("hidden_act", "silu") != "silu":
        sys.exit("reference_llama.py: hidden_act must be silu")
    weights = read_weights(model_dir)
    with open(ids_path) as f:
        ids = torch.tensor(json.load(f), dtype=torch.long)
    with torch.no_grad():
        logits = llama_logits(config, weights, ids)
    json.dump({"logits": logits.tolist()}, sys.stdout)


if __name__ == "__main__":
    main()
