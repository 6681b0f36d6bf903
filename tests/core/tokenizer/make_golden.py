#!/usr/bin/python3
"""Regenerates golden/botchan_ids.json: what the reference SentencePiece (python3-sentencepiece
0.1.97, Debian) gives for a set of tricky inputs with ../shared/data/tokenizers/botchan-unigram-1000.model.

The C++ test (tokenizer_test.cpp) loads the same model through Temper's shim and must agree id for
id. Run with Debian's interpreter, not the first python3 on PATH:

    /usr/bin/python3 tests/core/tokenizer/make_golden.py
"""
import json
import os
import re
import sys

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
MODEL = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "tokenizers", "botchan-unigram-1000.model"))

# The model is NFKC with whitespace folding, so decode is not always the input: the golden file
# records what the reference decodes to.
INPUTS = [
    "Hello world, this is Botchan.",
    "",
    " ",
    "a",
    "I was born a rash and reckless fellow.",
    "multiple   spaces    between\twords  ",
    "   leading and trailing   ",
    "digits 0123456789 and 3.14159, 2024-06-01",
    "unicode: naïve café — über résumé",
    "東京 日本語のテキスト",
    "emoji 😀🎉 and symbols ©®™ ∑∫√",
    "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",  # NFKC folds these to ASCII
    "line one\nline two\r\nline three",
    "def f(x):\n    return x + 1  # code",
    "ALL CAPS AND MiXeD cAsE",
    "don't can't won't it's",
    "\u00e9 vs e\u0301",  # precomposed vs combining accent
]


def main():
    if not os.path.exists(MODEL):
        sys.exit(f"model not found: {MODEL}")
    sp = spm.SentencePieceProcessor(model_file=MODEL)
    cases = []
    for text in INPUTS:
        ids = sp.encode(text)
        cases.append({"text": text, "ids": ids, "decoded": sp.decode(ids)})
    out = {
        "model": "tokenizers/botchan-unigram-1000.model",
        "generator": f"python3-sentencepiece {spm.__version__}",
        "vocab_size": sp.get_piece_size(),
        "bos_id": sp.bos_id(),
        "eos_id": sp.eos_id(),
        "pad_id": sp.pad_id(),
        "unk_id": sp.unk_id(),
        "pieces": {str(i): sp.id_to_piece(i) for i in (0, 1, 2, 3, 151, 999)},
        "cases": cases,
    }
    path = os.path.join(HERE, "golden", "botchan_ids.json")
    text = json.dumps(out, ensure_ascii=False, indent=1)
    # One id list per line keeps the file readable and its diffs small.
    text = re.sub(r"\[\s*([-\d,\s]*?)\s*\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
