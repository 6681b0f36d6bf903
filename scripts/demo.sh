#!/usr/bin/env bash
# The headless demo: a tokenizer and a small GPT trained from scratch on the example corpus that
# ships with Temper (examples/corpus, written for the project), with samples at every evaluation,
# then an evaluation on held-out text and a generation. About two minutes on two cores. The corpus
# is small (~50k tokens), hence dropout and a short run: longer runs overfit it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "${1:-$root/build}" && pwd)
temper="$build_dir/bin/temper"
demo="$build_dir/demo"
workspace="$demo/workspace"
steps=${TEMPER_DEMO_STEPS:-500}
mkdir -p "$demo"

say() { printf '\n== %s\n' "$*"; }

say "1/5 Training a BPE tokenizer on examples/corpus"
"$temper" tokenizer train --input "$root/examples/corpus" --vocab-size 1000 --model-type bpe \
  --out "$demo/tokenizer.model"

say "2/5 Tokenizing the corpus into packed train/validation files"
"$temper" data prepare --tokenizer "$demo/tokenizer.model" --input "$root/examples/corpus" \
  --val-fraction 0.1 --out "$demo/data"

say "3/5 Pretraining a small GPT from scratch ($steps steps; Ctrl+C stops cleanly with a checkpoint)"
"$temper" train --workspace "$workspace" --data "$demo/data" --name demo \
  --layers 4 --dim 128 --heads 4 --ctx 128 --batch-size 16 --max-steps "$steps" \
  --lr 2e-3 --min-lr 2e-4 --warmup-steps 50 --dropout 0.2 --eval-every 100 --eval-batches 10 \
  --checkpoint-every 250 --sample-tokens 48 --sample-prompts "The bakery|function " \
  --events >"$demo/train-events.jsonl" || status=$?
# 130: stopped with Ctrl+C; the last checkpoint is kept and the run can be resumed.
if [ "${status:-0}" -ne 0 ] && [ "${status:-0}" -ne 130 ]; then exit "$status"; fi
run_id=$("$temper" runs list --workspace "$workspace" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
model="$workspace/runs/$run_id/final"
if [ ! -d "$model" ]; then
  model=$(ls -d "$workspace/runs/$run_id"/checkpoints/step-* | sort -t- -k2 -n | tail -1)
fi

say "4/5 Evaluating on held-out text (examples/held_out.md)"
"$temper" eval --model "$model" --data "$root/examples/held_out.md"

say "5/5 Generating"
"$temper" generate --model "$model" --prompt "The garden" --max-new-tokens 60 --temperature 0.8 --top-k 40 --seed 7

say "Recorded: run $run_id in $workspace/temper.db"
echo "   model:    $model"
echo "   history:  $temper runs list --workspace $workspace"
echo "   details:  $temper runs show $run_id --workspace $workspace"
