#!/usr/bin/python3
"""Float64 reference for the preference and policy losses (preference_losses_test.cpp,
policy_losses_test.cpp).

Usage: reference_losses.py CASES_JSON
CASES_JSON holds {"cases": [{"name": ..., inputs...}, ...]}; prints {"results": [{...}, ...]}, one
object of outputs per case, computed in float64.

Written from the formulas of the papers and of TRL's trainers (reward, DPO, CPO/SimPO, ORPO, KTO,
PPO, GRPO, RLOO) as docs/preferences.md states them, not from Temper's code. Loops over rows and
tokens where that is the plainer statement of a formula.
"""
import json
import math
import sys

import torch

D = torch.float64


def t(values):
    return torch.tensor(values, dtype=D)


def logsigmoid(x):
    return torch.nn.functional.logsigmoid(x)


def sequence_logps(c):
    """Summed completion log-probs from full logits: log_softmax over the vocabulary, then the
    token each position predicts, counted where the next token is a completion token."""
    logits, ids, mask = t(c["logits"]), c["ids"], c["mask"]
    logp = torch.log_softmax(logits, dim=-1)
    sums, tokens = [], []
    for b in range(len(ids)):
        total, count = 0.0, 0
        for pos in range(1, len(ids[b])):
            if mask[b][pos]:
                total += logp[b, pos - 1, ids[b][pos]].item()
                count += 1
        sums.append(total)
        tokens.append(count)
    return {"sum": sums, "tokens": tokens}


def bradley_terry(c):
    rc, rr, margin = t(c["chosen"]), t(c["rejected"]), t(c["margin"])
    loss = -logsigmoid(rc - rr - margin).mean() + c["center"] * ((rc + rr) ** 2).mean()
    return {"loss": loss.item()}


def dpo(c):
    beta, eps = c["beta"], c["label_smoothing"]
    pc, pr, rc, rr = t(c["policy_chosen"]), t(c["policy_rejected"]), t(c["ref_chosen"]), t(c["ref_rejected"])
    nc, nr = t(c["chosen_tokens"]), t(c["rejected_tokens"])
    h = beta * ((pc - rc) - (pr - rr))
    kind = c["kind"]
    if kind == "sigmoid":
        losses = -logsigmoid(h)
    elif kind == "hinge":
        losses = torch.clamp(1 - h, min=0)
    elif kind == "ipo":
        losses = (((pc - rc) / nc - (pr - rr) / nr) - 1 / (2 * beta)) ** 2
    elif kind == "robust":
        losses = (-(1 - eps) * logsigmoid(h) + eps * logsigmoid(-h)) / (1 - 2 * eps)
    else:
        raise ValueError(kind)
    return {"loss": losses.mean().item(), "chosen_rewards": (beta * (pc - rc)).tolist(),
            "rejected_rewards": (beta * (pr - rr)).tolist()}


def simpo(c):
    beta, gamma = c["beta"], c["gamma"]
    mc = t(c["policy_chosen"]) / t(c["chosen_tokens"])
    mr = t(c["policy_rejected"]) / t(c["rejected_tokens"])
    return {"loss": (-logsigmoid(beta * (mc - mr) - gamma)).mean().item()}


def orpo(c):
    beta = c["beta"]
    sc, nc = t(c["policy_chosen"]), t(c["chosen_tokens"])
    mc, mr = sc / nc, t(c["policy_rejected"]) / t(c["rejected_tokens"])
    # log odds(p) = log p − log(1 − p) with p = exp(mean log-prob); math.log1p/expm1 per element.
    def log_odds(m):
        return torch.tensor([x - math.log(-math.expm1(x)) for x in m.tolist()], dtype=D)
    lo = log_odds(mc) - log_odds(mr)
    nll = -sc.sum() / nc.sum()
    return {"loss": (nll - beta * logsigmoid(lo).mean()).item(), "log_odds_chosen": lo.mean().item()}


def kto(c):
    beta, wd, wu = c["beta"], c["desirable_weight"], c["undesirable_weight"]
    ratio = t(c["policy"]) - t(c["reference"])
    z = max((t(c["kl_policy"]) - t(c["kl_reference"])).mean().item(), 0.0)
    losses = []
    for r, good in zip(ratio.tolist(), c["desirable"]):
        if good:
            losses.append(wd * (1 - 1 / (1 + math.exp(-beta * (r - z)))))
        else:
            losses.append(wu * (1 - 1 / (1 + math.exp(-beta * (z - r)))))
    return {"loss": sum(losses) / len(losses), "kl": z}


def masked_mean(v, m):
    return (v * m).sum() / m.sum()


def ppo(c):
    logp, ref, old, mask = t(c["logps"]), t(c["ref_logps"]), t(c["old_logps"]), t(c["mask"])
    values, scores = t(c["values"]), t(c["scores"])
    gamma, lam, kl_coef, clip, vclip = c["gamma"], c["lam"], c["kl_coef"], c["clip"], c["vclip"]
    B, T = mask.shape
    r = ref - logp
    kl = (-r) if c["estimator"] == "k1" else (torch.exp(r) - 1 - r)
    rewards = torch.zeros(B, T, dtype=D)
    advantages = torch.zeros(B, T, dtype=D)
    for b in range(B):
        n = int(mask[b].sum().item())
        for i in range(n):
            rewards[b, i] = -kl_coef * kl[b, i]
        rewards[b, n - 1] += scores[b]
        running = 0.0
        for i in reversed(range(n)):
            next_value = values[b, i + 1].item() if i + 1 < n else 0.0
            delta = rewards[b, i].item() + gamma * next_value - values[b, i].item()
            running = delta + gamma * lam * running
            advantages[b, i] = running
    returns = advantages + values * mask
    mean = masked_mean(advantages, mask)
    var = masked_mean((advantages - mean) ** 2, mask) * mask.sum() / (mask.sum() - 1)
    whitened = (advantages - mean) / torch.sqrt(var + 1e-8) * mask
    ratio = torch.exp(logp - old)
    pg = torch.maximum(-whitened * ratio, -whitened * torch.clamp(ratio, 1 - clip, 1 + clip))
    new_values = t(c["new_values"])
    vclipped = torch.clamp(new_values, values - vclip, values + vclip)
    vf = 0.5 * masked_mean(torch.maximum((new_values - returns) ** 2, (vclipped - returns) ** 2), mask)
    return {"rewards": (rewards * mask).tolist(), "advantages": (advantages * mask).tolist(),
            "returns": (returns * mask).tolist(), "whitened": whitened.tolist(),
            "policy_loss": masked_mean(pg, mask).item(), "value_loss": vf.item()}


def std1(values):
    n = len(values)
    mean = sum(values) / n
    return math.sqrt(sum((x - mean) ** 2 for x in values) / (n - 1))


def group_advantages(c):
    rewards, G, scale = c["rewards"], c["group_size"], c["scale"]
    out = []
    batch_std = std1(rewards)
    for start in range(0, len(rewards), G):
        group = rewards[start:start + G]
        mean = sum(group) / G
        for x in group:
            if scale == "none":
                out.append(x - mean)
            elif scale == "group":
                out.append((x - mean) / (std1(group) + 1e-4))
            else:
                out.append((x - mean) / (batch_std + 1e-4))
    loo = []
    for start in range(0, len(rewards), G):
        group = rewards[start:start + G]
        for i, x in enumerate(group):
            loo.append(x - (sum(group) - x) / (G - 1))
    mean = sum(loo) / len(loo)
    normalized = [(a - mean) / (std1(loo) + 1e-4) for a in loo]
    return {"advantages": out, "loo": loo, "loo_normalized": normalized}


def grpo(c):
    logp, old, ref, mask = t(c["logps"]), t(c["old_logps"]), t(c["ref_logps"]), t(c["mask"])
    adv = t(c["advantages"]).unsqueeze(1)
    lo, hi, beta = c["epsilon_low"], c["epsilon_high"], c["beta"]
    B, T = mask.shape
    if c["level"] == "sequence":
        seq = ((logp - old) * mask).sum(1, keepdim=True) / mask.sum(1, keepdim=True)
        ratio = torch.exp(seq).expand(B, T)
    else:
        ratio = torch.exp(logp - old)
    per_token = -torch.minimum(ratio * adv, torch.clamp(ratio, 1 - lo, 1 + hi) * adv)
    if beta != 0:
        per_token = per_token + beta * (torch.exp(ref - logp) - (ref - logp) - 1)
    kind = c["kind"]
    if kind == "grpo":
        loss = ((per_token * mask).sum(1) / mask.sum(1)).mean()
    elif kind == "bnpo":
        loss = (per_token * mask).sum() / mask.sum()
    elif kind == "dr-grpo":
        loss = (per_token * mask).sum() / (B * c["max_completion_length"])
    else:
        loss = (per_token * mask).sum() / mask.sum()
    return {"loss": loss.item()}


def rloo(c):
    logp, old, ref, mask = t(c["logps"]), t(c["old_logps"]), t(c["ref_logps"]), t(c["mask"])
    adv = t(c["advantages"])
    lo, hi = c["epsilon_low"], c["epsilon_high"]
    ratio = torch.exp(((logp - old) * mask).sum(1))
    loss = (-torch.minimum(ratio * adv, torch.clamp(ratio, 1 - lo, 1 + hi) * adv)).mean()
    kl = ((old - ref) * mask).sum(1)
    return {"loss": loss.item(), "kl": kl.tolist()}


CASES = {"sequence_logps": sequence_logps, "bradley_terry": bradley_terry, "dpo": dpo, "simpo": simpo,
         "orpo": orpo, "kto": kto, "ppo": ppo, "group_advantages": group_advantages, "grpo": grpo,
         "rloo": rloo}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)["cases"]
    print(json.dumps({"results": [CASES[c["name"]](c) for c in cases]}))


if __name__ == "__main__":
    main()
