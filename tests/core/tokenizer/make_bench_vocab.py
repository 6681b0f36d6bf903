#!/usr/bin/python3
"""Writes tokenizer.json files with a realistic vocabulary for the speed measurement
(docs/tokenizers.md): merges that build every frequent pre-token of a corpus letter by letter
(≈43k tokens on tinyshakespeare), in GPT-2 and Llama 3 style.

    /usr/bin/python3 tests/core/tokenizer/make_bench_vocab.py CORPUS OUTDIR
    build-t/bin/tokenizer_bench OUTDIR/bench_llama3.json CORPUS
"""
import collections
import json
import os
import sys

import regex

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_bpe as R  # noqa: E402


def main():
    corpus, outdir = sys.argv[1], sys.argv[2]
    with open(corpus, encoding="utf-8") as f:
        text = f.read()
    counts = collections.Counter(regex.findall(R.LLAMA3_PATTERN, text))
    vocab = [R.BYTE_TO_CHAR[b] for b in range(256)]
    seen = set(vocab)
    merges = []
    for word, _ in counts.most_common(30000):
        mapped = R.mapped(word.encode("utf-8"))
        current = mapped[0]
        for c in mapped[1:]:
            merged = current + c
            if merged not in seen:
                seen.add(merged)
                vocab.append(merged)
                merges.append((current, c))
            current = merged
    os.makedirs(outdir, exist_ok=True)
    for style in ("gpt2", "llama3"):
        with open(os.path.join(outdir, "bench_%s.json" % style), "w", encoding="utf-8") as f:
            json.dump(R.make_spec(style, vocab, merges), f, ensure_ascii=False)
    print(len(vocab), "tokens,", len(merges), "merges")


if __name__ == "__main__":
    main()
