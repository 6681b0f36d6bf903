#!/usr/bin/python3
"""Independent GPT-2 forward pass for model_test (reference_logits_test.cpp).

Usage: reference_gpt2.py MODEL_DIR IDS_JSON
Reads MODEL_DIR/config.json and MODEL_DIR/model.safetensors (parsed here with struct/json, no
safetensors package) and the (B, T) token ids in IDS_JSON; prints {"logits": [[[...]]]} (B, T, V)
computed in float64.

Written from the Hugging Face GPT-2 definition (transformers models/gpt2/modeling_gpt2.py), not from
Temper's code: Conv1D is x @ W + b with W stored (in, out); pre-LayerNorm blocks with the epsilon
from config.json; fused c_attn split into q, k, v; scores scaled by 1/sqrt(head_dim) with a causal
mask; gelu_new (tanh approximation); final ln_f; the head tied to wte.
"""
import json
import math
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (header_size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + header_size].decode("utf-8"))
    data = blob[8 + header_size:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[begin:end])
        t = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]]) if raw else torch.empty(0)
        key = name[len("transformer."):] if name.startswith("transformer.") else name
        tensors[key] = t.reshape(info["shape"]).to(torch.float64)
    return tensors


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)  # biased variance, as torch.nn.LayerNorm
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def conv1d(x, w, b):
    return x @ w + b


def attention(x, w, prefix, n_head):
    batch, steps, dim = x.shape
    head_dim = dim // n_head
    qkv = conv1d(x, w[prefix + "c_attn.weight"], w[prefix + "c_attn.bias"])
    q, k, v = qkv.split(dim, dim=2)

    def heads(t):  # (B, T, C) -> (B, H, T, D)
        return t.view(batch, steps, n_head, head_dim).permute(0, 2, 1, 3)

    q, k, v = heads(q), heads(k), heads(v)
    scores = q @ k.transpose(-1, -2) / math.sqrt(head_dim)
    causal = torch.tril(torch.ones(steps, steps, dtype=torch.bool))
    scores = torch.where(causal, scores, torch.tensor(torch.finfo(scores.dtype).min, dtype=scores.dtype))
    probs = torch.softmax(scores, dim=-1)
    out = (probs @ v).permute(0, 2, 1, 3).reshape(batch, steps, dim)
    return conv1d(out, w[prefix + "c_proj.weight"], w[prefix + "c_proj.bias"])


def gpt2_logits(config, w, ids):
    eps = config.get("layer_norm_epsilon", 1e-5)
    n_head = config["n_head"]
    steps = ids.shape[1]
    h = w["wte.weight"][ids] + w["wpe.weight"][torch.arange(steps)]
    for layer in range(config["n_layer"]):
        p = "h.%d." % layer
        a = layer_norm(h, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        h = h + attention(a, w, p + "attn.", n_head)
        m = layer_norm(h, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        m = gelu_new(conv1d(m, w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"]))
        h = h + conv1d(m, w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"])
    h = layer_norm(h, w["ln_f.weight"], w["ln_f.bias"], eps)
    return h @ w["wte.weight"].t()


def main():
    model_dir, ids_path = sys.argv[1], sys.argv[2]
    with open(model_dir + "/config.json") as f:
        config = json.load(f)
    if config.get("model_type") != "gpt2" or config.get("activation_function", "gelu_new") != "gelu_new":
        sys.exit("reference_gpt2.py: not a gelu_new GPT-2 config")
    weights = read_safetensors(model_dir + "/model.safetensors")
    with open(ids_path) as f:
        ids = torch.tensor(json.load(f), dtype=torch.long)
    with torch.no_grad():
        logits = gpt2_logits(config, weights, ids)
    json.dump({"logits": logits.tolist()}, sys.stdout)


if __name__ == "__main__":
    main()
