#!/bin/sh
# A fake `temper` for playground_adapters_test: see fakeChatEngine there. $LOG is set above.
echo "args $*" >> "$LOG"
mode=; model=; adapter=; prev=; dir=
for a in "$@"; do
  case "$prev" in --model) model="$a";; --adapter) adapter="$a";; inspect) dir="$a";; esac
  case "$a" in chat) mode=chat;; inspect) mode=inspect;; esac
  prev="$a"
done
if [ "$mode" = inspect ]; then cat "$dir/inspect.json"; exit 0; fi
quoted() { if [ -z "$1" ]; then printf null; else printf '"%s"' "$1"; fi; }
printf '{"v":1,"type":"ready","model":"%s","family":"gpt2","parameters":1000,"template":"plain","context":64,"adapter":%s}\n' "$model" "$(quoted "$adapter")"
n=0
while IFS= read -r line; do
  echo "line $line" >> "$LOG"
  case "$line" in
    *'"type":"adapter"'*)
      case "$line" in
        *'"path":null'*) adapter=; printf '{"v":1,"type":"adapter_set","adapter":null,"adapter_kind":null,"context":64}\n';;
        *broken*) printf '{"v":1,"type":"error","message":"adapter_model.safetensors is missing"}\n';;
        *) adapter=$(printf '%s' "$line" | sed 's/.*"path":"\([^"]*\)".*/\1/')
           printf '{"v":1,"type":"adapter_set","adapter":"%s","adapter_kind":"lora","context":64}\n' "$adapter";;
      esac;;
    *'"type":"user"'*)
      n=$((n+1))
      printf '{"v":1,"type":"token","text":"The boats are back (answer %d)."}\n' $n
      printf '{"v":1,"type":"answer_end","reason":"eos","text":"The boats are back (answer %d).","tokens":9,"prompt_tokens":12,"reused_tokens":0,"seconds":0.1,"tokens_per_s":90,"adapter":%s}\n' $n "$(quoted "$adapter")";;
    *'"type":"exit"'*) exit 0;;
  esac
done
