#!/usr/bin/env python3
"""Hugging Face PEFT as an independent reference for the classifiers Temper trains with a PEFT kind
(`temper train --method classify --peft ...`), whose final/ folder is a PEFT SEQ_CLS adapter.

With the real `temper` binary this script trains peft_check.py's two tiny bases (a GPT-2 from scratch, a
grouped-query Llama continued-pretrained from a random base, exported), writes labelled records of its own
(sentences about the weather, cooking and code: 60 to train on, 21 to validate), trains classifiers (GPT-2 LoRA
on all-linear, Llama LoRA on attention, a GPT-2 soft prompt, a Llama prefix) and checks that

  1. Temper -> PEFT: AutoModelForSequenceClassification (float64, num_labels from temper_adapter.json) with
     `PeftModel.from_pretrained(model, FINAL)` holds every tensor of adapter_model.safetensors under the name
     PEFT gives it with the file's values, the label head (`base_model.model.score.weight` /
     `base_model.score.weight`, modules_to_save) included; its logits of each validation record, one record
     per forward (no padding: the head reads the last token), give the mean NLL of the true labels, the
     accuracy and the confusion matrix of `temper eval --model FINAL --data VAL --json`; `--model BASE
     --adapter FINAL` scores as `--model FINAL`;
  2. the adapter matters: the trained head alone on the base's hidden states (no adapter, soft prompt or
     prefix) gives an NLL more than 100x the tolerance away, so 1 could not pass with the adapter ignored;
  3. LoRA: `temper export --merge` writes a GPT2/LlamaForSequenceClassification folder (id2label = the
     labels) that transformers scores as in 1, and `temper eval` scores as it scores the adapter;
  4. PEFT -> Temper: LoRA SEQ_CLS adapters PEFT writes (get_peft_model on the base's 2-label
     AutoModelForSequenceClassification, non-zero lora_B, a random score head; GPT-2 c_attn, Llama q/v) are
     scored by `temper eval --model BASE --adapter DIR` on records labelled LABEL_0 / LABEL_1 (Temper's names
     for a PEFT folder's labels) as PEFT scores them, and the head alone scores far from that.
  5. a reward model (`--method reward-model`, full weights, on the GPT-2 base; pairs whose chosen answer is on the
     prompt's topic) loads in AutoModelForSequenceClassification with num_labels 1 and scores each validation
     answer (prompt ids + answer ids + eos, as the method tokenizes a pair; read at the last non-pad position) to
     the mean margin and accuracy of `temper eval --data PAIRS --json` and to `temper reward`; the other reading
     position (the eos when pad = eos) scores far from it.

The ids are those of `encodeClassifierText` (core/methods/classify/classify_task.h): the tokenizer's prefix
ids, then the text's ids from `temper tokenizer encode`, no eos. The bases hold a bare tokenizer.model (no
tokenizer_config.json or tokenizer.json), so no bos is added; classifier_prefix would add the one a
tokenizer_config.json asks for. pad_token_id is set to an id no record uses, so transformers' last-non-pad rule
picks the last token, as Temper's head does. PEFT 0.21's SEQ_CLS prefix-tuning forward refuses transformers
5.25 (it looks for `past_key_values` in the model's forward signature, renamed `cache`), so the script calls
what PEFT calls where it finds it: the base model given past_key_values = PEFT's get_prompt (forward_of).

Tolerance: relative 1e-4 on the mean NLL, as peft_check.py and transformers_check.py argue (Temper computes in
float32, the references in float64; seen here: 1e-8 to 4e-7); accuracy and confusion must be equal (a record
whose top-2 logits lie within float32 error could flip: the smallest margin is printed then); two `temper
eval`s of one network (merged vs adapter, the folder alone vs --adapter) must agree within 1e-5.

Exit codes: 0 all checks passed, 1 a check failed, 2 bad arguments or a `temper` command failed,
77 skipped (transformers, torch, numpy, safetensors or peft cannot be imported) so CTest reports a skip.
"""

import argparse
import csv
import json
import random
import shutil
import sys
import time
import warnings
from pathlib import Path

sys.dont_write_bytecode = True  # importing peft_check must leave no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
# peft_check imports transformers_check (which sets HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE) and PEFT, and
# exits 77 with a `skipped: ...` line when any of them cannot be imported.
import peft_check as pc  # noqa: E402

tc, torch, transformers, peft, np = pc.tc, pc.torch, pc.transformers, pc.peft, pc.np
log, CommandFailed, CheckFailed = pc.log, pc.CommandFailed, pc.CheckFailed
RELATIVE_TOLERANCE, SAME_ENGINE_TOLERANCE = pc.RELATIVE_TOLERANCE, pc.SAME_ENGINE_TOLERANCE
MARKER = ".temper-peft-classify-check"
TOPICS = {  # subject x predicate ("|" between them); no words shared across topics but a few articles
    "weather": ("The rain|A cold wind|Morning fog|The storm|Bright sunshine|Heavy snow|A warm breeze|Distant thunder",
                "rolled over the hills|kept the streets wet|is expected by noon|cleared before evening|covered the "
                "valley|turned the sky grey|lasted all weekend|came from the north"),
    "cooking": ("She stirred the soup|Chop the onions|The bread dough|Fry the garlic|He baked a cake|Simmer the sauce|"
                "Season the rice|Roast the carrots", "with a wooden spoon|until golden brown|for twenty minutes|in a "
                "hot pan|with butter and salt|before serving dinner|on a low flame|and taste it often"),
    "code": ("The function|This loop|Our parser|The compiler|A null pointer|The test suite|Each variable|An index",
             "returns an integer|throws an exception|runs in linear time|fails on empty input|is declared const|needs "
             "a unit test|reads the config file|crashed the build"),
}


def write_csv(path, records):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("text", "label")] + list(records))
    return path


def write_records(work):
    """(train.csv, val.csv, the validation records): 27 sentences per topic, shuffled, 60 + 21."""
    rng, rows = random.Random(5), []
    for label, (subjects, predicates) in TOPICS.items():
        combos = [(s, p) for s in subjects.split("|") for p in predicates.split("|")]
        rng.shuffle(combos)
        rows += [(f"{s} {p}.", label) for s, p in combos[:27]]
    rng.shuffle(rows)
    return write_csv(work / "train.csv", rows[:60]), write_csv(work / "val.csv", rows[60:]), rows[60:]


def classifier_prefix(folder):
    """The ids encodeClassifierText puts before a text: a SentencePiece tokenizer_config.json's bos (when
    add_bos_token, default true, as transformers' LlamaTokenizer); a bare tokenizer.model adds nothing."""
    folder = Path(folder)
    if (folder / "tokenizer.json").exists():
        raise CheckFailed(f"{folder} has a tokenizer.json: its post-processor is not read by this script")
    if not (folder / "tokenizer_config.json").exists():
        return []
    config = json.loads((folder / "tokenizer_config.json").read_text())
    bos = json.loads((folder / "config.json").read_text()).get("bos_token_id")
    return [bos] if config.get("add_bos_token", True) and bos is not None else []


def record_ids(temper, folder, records):
    prefix = classifier_prefix(folder)
    return [prefix + temper.encode_text(folder, text) for text, _ in records]


def seq_cls_model(folder, labels, pad, report, case, expect_missing=("score.weight",)):
    """transformers' float64 *ForSequenceClassification of a folder; the head is new unless it has one."""
    model, info = transformers.AutoModelForSequenceClassification.from_pretrained(
        str(folder), num_labels=len(labels), dtype=torch.float64, pad_token_id=pad, output_loading_info=True)
    for key in ("missing_keys", "unexpected_keys", "mismatched_keys"):
        expected = set(expect_missing) if key == "missing_keys" else {"lm_head.weight"}  # an untied LM head
        odd = sorted(set(map(str, info.get(key) or [])) - expected)
        if odd:
            report.fail(f"{case}: transformers reports {key} for {folder}: {odd}")
    return model.eval()


def scores(forward, ids, targets, classes):
    """(mean NLL of the true labels, accuracy, confusion rows=true, smallest top-2 margin), batch size 1;
    `forward(input_ids)` gives the (1, classes) logits."""
    nll, confusion, margins = 0.0, [[0] * classes for _ in range(classes)], []
    with torch.no_grad():
        for record, target in zip(ids, targets):
            logits = forward(torch.tensor([record]))[0].to(torch.float64)
            nll += torch.nn.functional.cross_entropy(logits.unsqueeze(0), torch.tensor([target])).item()
            confusion[target][int(logits.argmax())] += 1
            top = torch.topk(logits, 2).values
            margins.append(float(top[0] - top[1]))
    return nll / len(ids), sum(confusion[k][k] for k in range(classes)) / len(ids), confusion, min(margins)


def forward_of(model):
    """The logits of a transformers or PEFT model; for prefix tuning PEFT's own branch for models whose forward
    names past_key_values (transformers 5.25 names it `cache`, and PEFT 0.21 then refuses: see above)."""
    config = getattr(model, "active_peft_config", None)
    if config is not None and config.peft_type == peft.PeftType.PREFIX_TUNING:
        return lambda x: model.base_model(input_ids=x, past_key_values=model.get_prompt(batch_size=x.size(0))).logits
    return lambda x: model(input_ids=x).logits


def compare_scores(case, what, report, result, reference, tolerance=RELATIVE_TOLERANCE):
    """`temper eval`'s JSON against (nll, accuracy, confusion, margin) of a reference."""
    nll, accuracy, confusion, margin = reference
    report.compare(case, f"mean NLL: {what}", result["mean_nll"], nll, tolerance)
    same = abs(result["accuracy"] - accuracy) < 1e-12 and result.get("confusion") == confusion
    report.rows.append((case, f"accuracy: {what}", result["accuracy"], accuracy, abs(result["accuracy"] - accuracy),
                        0, same))
    if not same:
        report.fail(f"{case}: accuracy / confusion: temper {result['accuracy']} {result.get('confusion')} vs "
                    f"{what} {accuracy} {confusion} (smallest top-2 logit margin {margin:.3g})")


def peft_model(base_folder, adapter_dir, labels, pad, report, case):
    """PEFT's float64 model of base + adapter; checks that PEFT holds every tensor of the file, head included."""
    model, messages = pc.quiet_peft_load(seq_cls_model(base_folder, labels, pad, report, case), adapter_dir)
    for message in messages:
        if "missing" in message.lower() or "unexpected" in message.lower() or "mismatch" in message.lower():
            report.fail(f"{case}: PEFT warned while loading {adapter_dir}: {message[:300]}")
    if type(model).__name__ != "PeftModelForSequenceClassification":
        report.fail(f"{case}: PEFT built {type(model).__name__}")
    held = {k: v.detach() for k, v in pc.get_peft_model_state_dict(model).items()}
    stored = pc.load_safetensors(str(Path(adapter_dir) / "adapter_model.safetensors"))
    if set(held) != set(stored):
        report.fail(f"{case}: PEFT's tensors differ from the file's: only in the file {sorted(set(stored) - set(held))}"
                    f", only in PEFT {sorted(set(held) - set(stored))}")
    for key in sorted(set(held) & set(stored)):
        value = torch.from_numpy(stored[key].astype(np.float64))
        if tuple(held[key].shape) != tuple(value.shape) or not torch.equal(held[key].to(torch.float64), value):
            report.fail(f"{case}: PEFT's {key} is not the file's ({tuple(held[key].shape)} vs {tuple(value.shape)})")
    heads = [k for k in stored if k.endswith("score.weight")]
    if len(heads) != 1:
        raise CheckFailed(f"the file holds {len(heads)} score heads: {heads}")
    log(f"  PEFT {peft.__version__}: {type(model).__name__} / {model.active_peft_config.peft_type}; {len(stored)} "
        f"tensors in the file, {len(set(held) & set(stored))} held by PEFT with the same name and value; "
        f"head {heads[0]} {stored[heads[0]].shape}")
    return model, torch.from_numpy(stored[heads[0]].astype(np.float64))


def compare_with_peft(case, base_folder, adapter, labels, ids, targets, pad, result, report):
    """`temper eval`'s result against PEFT's; the head alone (no adapter) must score far from both."""
    model, head = peft_model(base_folder, adapter, labels, pad, report, case)
    reference = scores(forward_of(model), ids, targets, len(labels))
    compare_scores(case, "PEFT float64", report, result, reference)
    alone = seq_cls_model(base_folder, labels, pad, report, case)  # the trained head on the base's hidden states
    with torch.no_grad():
        alone.score.weight.copy_(head)
    alone = scores(forward_of(alone), ids, targets, len(labels))
    # 30x, not the default 100x: the agreement checked above is within ~1e-7, so 30x the 1e-4
    # tolerance still separates "the adapter is applied" from "only the head is" by four orders of
    # magnitude; the 2.x wheel on an AVX2 EPYC trained the gpt2 prompt-tuning classifier to 68x
    # (2026-12-07).
    report.must_differ(case, "NLL vs the head alone, no adapter (PEFT)", reference[0], alone[0], factor=30)


def check_temper_run(case, temper, work, base_folder, family, flags, records, val_file, pad, report):
    workspace = work / f"{case}-ws"
    run = temper.train_record(workspace, dict(flags, base=base_folder, name=case))
    final = Path(run["run_dir"]) / "final"
    config = json.loads((final / "adapter_config.json").read_text())
    labels = json.loads((final / "temper_adapter.json").read_text())["labels"]
    log(f"== {case}: {final}\n  {config['peft_type']}, task_type {config.get('task_type')}, labels {labels}")
    want = {"task_type": "SEQ_CLS", "modules_to_save": ["classifier", "score"],
            "base_model_name_or_path": str(Path(base_folder).resolve())}
    for key, value in want.items():
        if config.get(key) != value:
            report.fail(f"{case}: adapter_config.json {key} is {config.get(key)!r}, expected {value!r}")
    if labels != sorted({label for _, label in records}):
        report.fail(f"{case}: temper_adapter.json labels {labels} are not the sorted labels of the records")
    ids = record_ids(temper, base_folder, records)
    targets = [labels.index(label) for _, label in records]
    result = temper.eval_nll(final, val_file)
    if result.get("task") != "classify" or result.get("labels") != labels or result.get("examples") != len(records):
        report.fail(f"{case}: temper eval says task {result.get('task')}, labels {result.get('labels')}, "
                    f"examples {result.get('examples')}")
    applied = temper.eval_nll(base_folder, val_file, adapter=final)
    report.compare(case, "eval --model FINAL vs --model BASE --adapter", result["mean_nll"], applied["mean_nll"],
                   SAME_ENGINE_TOLERANCE)
    compare_with_peft(case, base_folder, final, labels, ids, targets, pad, result, report)
    if config["peft_type"] != "LORA":
        return
    merged = temper.export_merged(workspace, run["id"], work / f"{case}-merged")
    merged_config = json.loads((merged / "config.json").read_text())
    architecture = {"gpt2": "GPT2ForSequenceClassification", "llama": "LlamaForSequenceClassification"}[family]
    id2label = {int(k): v for k, v in merged_config.get("id2label", {}).items()}
    if merged_config.get("architectures") != [architecture] or id2label != dict(enumerate(labels)):
        report.fail(f"{case}: merged config.json: architectures {merged_config.get('architectures')}, "
                    f"id2label {merged_config.get('id2label')}")
    merged_model = seq_cls_model(merged, labels, pad, report, case, expect_missing=())  # the class of model_type
    compare_scores(case, "merged folder in transformers", report, result,
                   scores(forward_of(merged_model), ids, targets, len(labels)))
    merged_result = temper.eval_nll(merged, val_file)
    compare_scores(case, "temper eval of the merged folder", report, result,
                   (merged_result["mean_nll"], merged_result["accuracy"], merged_result.get("confusion"), 0.0),
                   SAME_ENGINE_TOLERANCE)


def check_peft_adapter(case, temper, work, base_folder, lora_config, seed, records, pad, report):
    """A SEQ_CLS LoRA adapter PEFT writes itself (non-zero lora_B, a random score head of std 0.5), scored both ways."""
    torch.manual_seed(seed)
    base = transformers.AutoModelForSequenceClassification.from_pretrained(str(base_folder), num_labels=2,
                                                                          dtype=torch.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # transformers 5.25 deprecations PEFT 0.21 still calls
        model = pc.get_peft_model(base, lora_config)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "score" in name and "modules_to_save" in name:
                param.copy_(torch.randn_like(param) * 0.5)
    adapter = work / case
    model.save_pretrained(str(adapter))
    log(f"== {case}: {adapter}")
    config = json.loads((adapter / "adapter_config.json").read_text())
    if config.get("base_model_name_or_path") != str(base_folder) or config.get("task_type") != "SEQ_CLS":
        report.fail(f"{case}: PEFT wrote base_model_name_or_path {config.get('base_model_name_or_path')!r}, "
                    f"task_type {config.get('task_type')!r}")
    labels = ["LABEL_0", "LABEL_1"]
    relabelled = [(text, labels[0] if label == "weather" else labels[1]) for text, label in records]
    val_file = write_csv(work / f"{case}.csv", relabelled)
    ids = record_ids(temper, base_folder, relabelled)
    targets = [labels.index(label) for _, label in relabelled]
    result = temper.eval_nll(base_folder, val_file, adapter=adapter)
    if result.get("labels") != labels:
        report.fail(f"{case}: temper eval names the labels {result.get('labels')}, not {labels}")
    compare_with_peft(case, base_folder, adapter, labels, ids, targets, pad, result, report)


def train_bases(temper, work, corpus, common):
    """peft_check.main's bases: a BPE tokenizer (400), a GPT-2 from scratch and a Llama continued-pretrained
    from tc.llama_family_base, 200 steps each, exported."""
    tokenizer = work / "tok.model"
    temper.json(["tokenizer", "train", "--input", corpus, "--vocab-size", 400, "--model-type", "bpe",
                 "--out", tokenizer])
    steps = 200
    flags = dict(common, **{"ctx": 64, "max-steps": steps, "warmup-steps": 10, "lr": 0.006, "min-lr": 0.0006,
                            "eval-every": steps, "checkpoint-every": steps, "eval-batches": 2, "sample-tokens": 0})
    data = work / "gpt2-data"
    temper.json(["data", "prepare", "--tokenizer", tokenizer, "--input", corpus, "--out", data])
    run = temper.train_record(work / "gpt2-base-ws", dict(flags, data=data, layers=2, dim=64, heads=4))
    gpt2 = temper.export(work / "gpt2-base-ws", run["id"], work / "gpt2-base")
    random_llama = tc.llama_family_base(work / "llama-random", tokenizer, 400, "llama", seed=7)
    run = temper.train_record(work / "llama-base-ws", dict(flags, method="continued-pretrain", base=random_llama,
                                                        data=corpus, ext=".md,.txt,.ts,.tsx,.js"))
    return {"gpt2": gpt2, "llama": temper.export(work / "llama-base-ws", run["id"], work / "llama-base")}


def schedule(steps, lr):
    return {"max-steps": steps, "eval-every": steps, "checkpoint-every": steps, "lr": lr, "min-lr": lr}


def guarded(case, report, check, *args):
    """Runs one case's check; a failed check or `temper` command fails that case, not the script."""
    t0 = time.monotonic()
    try:
        check(case, *args)
    except (CheckFailed, CommandFailed) as error:
        report.fail(f"{case}: {error}")
    log(f"  ({time.monotonic() - t0:.1f}s)")


def write_pairs(work):
    """(train.jsonl, val.jsonl, the validation pairs): TRL explicit pairs whose chosen answer is a sentence on
    the prompt's topic and whose rejected answer is one on another topic; 36 to train on, 12 to validate."""
    rng, names = random.Random(9), list(TOPICS)
    sentences = {label: [f"{s} {p}." for s in subjects.split("|") for p in predicates.split("|")]
                 for label, (subjects, predicates) in TOPICS.items()}
    pairs = []
    for i in range(48):
        topic, other = names[i % 3], names[(i % 3 + 1 + (i // 3) % 2) % 3]  # one of the two other topics
        pairs.append((f"Tell me about {topic}:", " " + rng.choice(sentences[topic]), " " + rng.choice(sentences[other])))
    files = []
    for name, chunk in (("pairs-train.jsonl", pairs[:36]), ("pairs-val.jsonl", pairs[36:])):
        with open(work / name, "w", encoding="utf-8") as f:
            for prompt, chosen, rejected in chunk:
                f.write(json.dumps({"prompt": prompt, "chosen": chosen, "rejected": rejected}) + "\n")
        files.append(work / name)
    return files[0], files[1], pairs[36:]


def check_reward_model(case, temper, work, base_folder, common, report):
    """5. A reward model (`--method reward-model`, full weights) loads in transformers'
    AutoModelForSequenceClassification (num_labels 1) and scores each validation answer, one sequence per
    forward (prompt ids, answer ids, eos, as the method tokenizes them; transformers reads the last position
    whose id is not config.pad_token_id), to `temper eval`'s mean margin and accuracy and `temper reward`'s
    reward; reading the other position (the eos when pad = eos, else the answer's last token) is far from it."""
    train_file, val_file, val_pairs = write_pairs(work)
    run = temper.train_record(work / f"{case}-ws", dict(common, **{
        "method": "reward-model", "base": base_folder, "data": train_file, "val-data": val_file, "name": case,
        "warmup-steps": 0, "eval-batches": 2}, **schedule(40, 0.003)))
    final = Path(run["run_dir"]) / "final"
    config = json.loads((final / "config.json").read_text())
    log(f"== {case}: {final}\n  architectures {config.get('architectures')}, id2label {config.get('id2label')}, "
        f"pad_token_id {config.get('pad_token_id')}, eos_token_id {config.get('eos_token_id')}")
    if config.get("id2label") != {"0": "LABEL_0"} or config.get("architectures") != ["GPT2ForSequenceClassification"]:
        report.fail(f"{case}: config.json is not a one-label GPT2ForSequenceClassification")
    pad, eos = config.get("pad_token_id"), config.get("eos_token_id")
    if pad is None or eos is None:
        raise CheckFailed(f"{final / 'config.json'} names no pad_token_id or eos_token_id")
    prefix = classifier_prefix(base_folder)
    rows = [[prefix + temper.encode_text(final, prompt) + temper.encode_text(final, answer) + [eos]
             for answer in (chosen, rejected)] for prompt, chosen, rejected in val_pairs]
    model = seq_cls_model(final, ["LABEL_0"], pad, report, case, expect_missing=())

    def margins(forward, transform=lambda ids: ids):
        with torch.no_grad():
            scored = [[float(forward(torch.tensor([transform(ids)]))[0, 0]) for ids in row] for row in rows]
        return scored, sum(c - r for c, r in scored) / len(scored), sum(c > r for c, r in scored) / len(scored)

    scored, margin, accuracy = margins(forward_of(model))
    result = temper.json(["eval", "--model", final, "--data", val_file, "--json", "--threads", temper.threads,
                          "--device", "cpu"])
    if result.get("task") != "reward-model" or result.get("pairs") != len(rows):
        report.fail(f"{case}: temper eval says task {result.get('task')}, pairs {result.get('pairs')}")
    report.compare(case, "mean margin, eval vs transformers", result["mean_margin"], margin, RELATIVE_TOLERANCE)
    if result["accuracy"] != accuracy:
        report.fail(f"{case}: temper eval accuracy {result['accuracy']} vs transformers' {accuracy}")
    prompt, chosen, _ = val_pairs[0]
    one = temper.json(["reward", "--model", final, "--prompt", prompt, "--completion", chosen, "--json",
                       "--threads", temper.threads, "--device", "cpu"])
    report.compare(case, "reward of one answer vs transformers", one["reward"], scored[0][0], RELATIVE_TOLERANCE)
    if pad == eos:  # the head reads the answer's last token; a bug reading the eos instead:
        used = {i for row in rows for ids in row for i in ids}
        model.config.pad_token_id = next(i for i in range(1, 100000) if i not in used)
        _, other, _ = margins(forward_of(model))
        model.config.pad_token_id = pad
    else:  # the head reads the eos; a bug reading the answer's last token instead:
        _, other, _ = margins(forward_of(model), lambda ids: ids[:-1])
    report.must_differ(case, "mean margin read at the other position", margin, other)


def prepare_work_dir(work):
    if work.exists():
        if any(work.iterdir()) and not (work / MARKER).exists():
            raise CommandFailed(f"{work} is not empty and was not made by this script; give another --work")
        shutil.rmtree(work)
    work.mkdir(parents=True)
    (work / MARKER).write_text("made by tests/peers/peft_classify_check.py; deleted on its next run\n")


def main():
    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--temper", required=True, help="the temper executable")
    parser.add_argument("--work", required=True, help="a scratch folder of this script's own (emptied first)")
    parser.add_argument("--corpus", default=str(root / "examples" / "corpus"), help="the bases' training text")
    parser.add_argument("--threads", type=int, default=1, help="temper's --threads (0: the engine's policy)")
    args = parser.parse_args()
    started = time.monotonic()
    temper = pc.Temper(Path(args.temper).resolve(), args.threads, "cpu")
    work, corpus = Path(args.work).resolve(), Path(args.corpus).resolve()
    for path, what in ((Path(args.temper), "--temper"), (corpus, "--corpus")):
        if not path.exists():
            parser.error(f"{what}: {path} does not exist")
    torch.manual_seed(0)
    torch.set_num_threads(1)  # tiny models: one thread is the fastest on busy cores (peft_check.main)
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    warnings.filterwarnings("ignore", message=r".*past_key_values.* is deprecated", category=FutureWarning)
    report = pc.Report()
    try:
        prepare_work_dir(work)
        log(f"temper {temper.binary}; transformers {transformers.__version__}, peft {peft.__version__}, "
            f"torch {torch.__version__}; work {work}")
        common = {"batch-size": 8, "threads": args.threads, "seed": 1337, "device": "cpu", "precision": "fp32"}
        t0 = time.monotonic()
        bases = train_bases(temper, work, corpus, common)
        train_file, val_file, records = write_records(work)
        log(f"bases trained in {time.monotonic() - t0:.1f}s; records: {train_file}, {val_file} ({len(records)})")
        # An id no validation record uses stands for padding (GPT-2 and Llama take the last non-pad token).
        used = {i for ids in record_ids(temper, bases["gpt2"], records) for i in ids}
        pad = next(i for i in range(400) if i not in used)
        log(f"pad_token_id {pad}; ids before each text (a bos, if the tokenizer adds one): gpt2 "
            f"{classifier_prefix(bases['gpt2'])}, llama {classifier_prefix(bases['llama'])}")

        # A constant lr, high enough that the adapter moves the NLL far from the trained head's alone (> 2000x
        # the tolerance seen). LoRA learns the topics (accuracy 0.7-0.95); a soft prompt or prefix on these tiny
        # frozen bases barely does (0.3-0.7, as a head trained alone), but predicts more than one label, so the
        # confusion matrices compared still say something.
        flags = dict(common, **{"method": "classify", "data": train_file, "val-data": val_file, "warmup-steps": 0,
                                "eval-batches": 3})
        lora = dict(flags, **{"peft": "lora", "lora-r": 4, "lora-alpha": 8}, **schedule(60, 0.01))
        for case, family, case_flags in [
                ("gpt2-lora", "gpt2", dict(lora, **{"lora-targets": "all-linear"})),
                ("llama-lora", "llama", dict(lora, **{"lora-targets": "attention"})),
                ("gpt2-prompt", "gpt2", dict(flags, **{"peft": "prompt-tuning", "prompt-tokens": 4},
                                             **schedule(60, 0.03))),
                ("llama-prefix", "llama", dict(flags, **{"peft": "prefix-tuning", "prefix-tokens": 4},
                                               **schedule(120, 0.1)))]:
            guarded(case, report, check_temper_run, temper, work, bases[family], family, case_flags, records,
                    val_file, pad, report)
        for seed, (case, family, lora_config) in enumerate([
                ("peft-gpt2", "gpt2", pc.LoraConfig(r=4, lora_alpha=32, target_modules=["c_attn"], fan_in_fan_out=True,
                                                    init_lora_weights=False, task_type="SEQ_CLS")),
                ("peft-llama", "llama", pc.LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                                      init_lora_weights=False, task_type="SEQ_CLS"))], start=400):
            guarded(case, report, check_peft_adapter, temper, work, bases[family], lora_config, seed, records, pad,
                    report)
        guarded("gpt2-reward-model", report, check_reward_model, temper, work, bases["gpt2"], common, report)
    except (CheckFailed, CommandFailed) as error:
        log(f"error: {error}")
        return 2

    report.table()
    log(f"done in {time.monotonic() - started:.1f}s")
    if report.failures:
        log(f"FAILED ({len(report.failures)}):")
        for failure in report.failures:
            log(f"  - {failure}")
        return 1
    log("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
