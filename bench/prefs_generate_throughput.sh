#!/usr/bin/env bash
# Pairs per minute of `temper prefs generate` on a GPT-2-124M-shaped model (12 layers x 768,
# 12 heads, ctx 1024; vocab 8192 from a SentencePiece BPE trained on tinyshakespeare, so 92M
# parameters: GPT-2 small's body with a smaller head), randomly initialised by a 1-step run.
# Three settings, alternated and repeated (the machine is noisy; quote medians):
#   shared   one model, A and B sampled two ways: 2K rows in one batch per prompt
#   two      two model folders (the same weights copied): K rows per side, two batches
#   single   two model folders, --per-prompt 1: one row per batch, no batching at all
# Usage: bench/prefs_generate_throughput.sh BUILD_DIR [ROUNDS] [PROMPTS] [NEW_TOKENS]
set -euo pipefail
build=${1:?build folder}
rounds=${2:-3}
prompts=${3:-12}
new_tokens=${4:-128}
temper="$build/bin/temper"
shared_data="$(cd "$(dirname "$0")/.." && pwd)/../shared/data"
work=$(mktemp -d /tmp/temper-prefs-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

"$temper" tokenizer train --input "$shared_data/corpora/tinyshakespeare.txt" --vocab-size 8192 --model-type bpe \
  --out "$work/tok.model" > /dev/null 2>&1
"$temper" data prepare --tokenizer "$work/tok.model" --input "$shared_data/corpora/tinyshakespeare.txt" \
  --out "$work/data" > /dev/null 2>&1
"$temper" train --workspace "$work/ws" --data "$work/data" --layers 12 --dim 768 --heads 12 --ctx 1024 \
  --batch-size 1 --max-steps 1 --warmup-steps 0 --eval-batches 1 --threads 2 > /dev/null 2>&1
model=$(ls -d "$work"/ws/runs/*/final)
cp -r "$model" "$work/copy"
# Lines of the play longer than 20 characters (awk stops itself: a `head` would break the pipe).
awk -v n="$prompts" 'length($0) > 20 && count < n { print; count++ }' "$shared_data/corpora/tinyshakespeare.txt" \
  > "$work/prompts.txt"

run() {  # name, extra args...
  local name=$1
  shift
  "$temper" prefs generate --workspace "$work/ws" --set "$name-$RANDOM$RANDOM" --prompts "$work/prompts.txt" \
    --a "$model" --raw --max-new-tokens "$new_tokens" --threads 2 --precision fp32 "$@" --events |
    grep '"type":"result"' | python3 -c "import json,sys; r=json.loads(sys.stdin.read())['result']; \
print('$name', r['pairs_added'], 'pairs', round(r['seconds'],1), 's', round(r['pairs_per_minute'],1), 'pairs/min', \
r['tokens'], 'tokens', round(r['tokens']/r['seconds'],1), 'tokens/s')"
}
for i in $(seq "$rounds"); do
  run shared --per-prompt 2 --b-temperature 1.2
  run two --per-prompt 2 --b "$work/copy" --b-temperature 1.2
  run single --per-prompt 1 --b "$work/copy" --b-temperature 1.2
done
