#!/usr/bin/python3
"""Reference byte-level BPE, written from the algorithm's definition (GPT-2's encoder.py and the
Hugging Face `tokenizers` pipeline as documented), independent of Temper's C++.

It does two things:
  * `make OUTDIR`: trains small byte-level BPE vocabularies on a text of its own and writes, for
    each style, OUTDIR/<style>/tokenizer.json plus OUTDIR/<style>/cases.json: tricky texts with
    the ids and decoded text this reference gives. Styles:
        gpt2   ByteLevel(add_prefix_space=false, use_regex=true), merges as "a b" strings,
               <|endoftext|> special, post_processor ByteLevel
        gpt2p  as gpt2 with add_prefix_space=true and a non-special added token
        llama3 Sequence[Split(Llama 3 regex, Isolated), ByteLevel(use_regex=false)],
               ignore_merges, merges as [a, b] pairs, TemplateProcessing adding <|begin_of_text|>
        qwen2  NFC normalizer, Sequence[Split(Qwen2 regex), ByteLevel(use_regex=false)],
               ChatML special tokens (normalized=false)
        smollm Sequence[Digits(individual), ByteLevel(use_regex=true)]
        nfkc   as gpt2 with normalizer Sequence[NFKC] and <|endoftext|> matched after normalization
  * `encode TOKENIZER_JSON` reads texts (JSON list) on stdin, writes their ids.

Run with Debian's interpreter (python3-regex): /usr/bin/python3 tests/core/tokenizer/reference_bpe.py make DIR
The C++ test (bpe_golden_test.cpp) runs it at test time when that interpreter has `regex`, and
otherwise reads the copies committed in golden/bpe/ (made by the same command).
"""
import json
import os
import random
import sys
import unicodedata

import regex

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
LLAMA3_PATTERN = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
                  r"""|\s*[\r\n]+|\s+(?!\S)|\s+""")
QWEN2_PATTERN = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
                 r"""|\s*[\r\n]+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    """GPT-2's table: printable bytes stand for themselves, the others get 256, 257, ... in order."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), 256))
    table = {}
    extra = 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


BYTE_TO_CHAR = bytes_to_unicode()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}


def mapped(raw: bytes) -> str:
    return "".join(BYTE_TO_CHAR[b] for b in raw)


# ------------------------------------------------------------------------------------------------
# Training (only to make test vocabularies; any deterministic merge list would do)

def train(text, pattern, num_merges):
    words = {}
    for piece in regex.findall(pattern, text):
        key = tuple(mapped(piece.encode("utf-8")))
        words[key] = words.get(key, 0) + 1
    vocab = [BYTE_TO_CHAR[b] for b in range(256)]
    merges = []
    for _ in range(num_merges):
        counts = {}
        for word, n in words.items():
            for pair in zip(word, word[1:]):
                counts[pair] = counts.get(pair, 0) + n
        if not counts:
            break
        best = min(counts, key=lambda p: (-counts[p], p))
        merges.append(best)
        vocab.append(best[0] + best[1])
        new_words = {}
        for word, n in words.items():
            out = []
            i = 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            new_words[tuple(out)] = new_words.get(tuple(out), 0) + n
        words = new_words
    return vocab, merges


# ------------------------------------------------------------------------------------------------
# Encoding, following the tokenizers pipeline step by step

class Reference:
    def __init__(self, spec):
        model = spec["model"]
        assert model["type"] == "BPE"
        self.vocab = dict(model["vocab"])
        self.ranks = {}
        for rank, merge in enumerate(model["merges"]):
            a, b = merge.split(" ") if isinstance(merge, str) else merge
            self.ranks[(a, b)] = rank
        self.ignore_merges = bool(model.get("ignore_merges", False))
        self.added = spec.get("added_tokens", [])
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        for tok in self.added:
            self.id_to_token[tok["id"]] = tok["content"]
        self.special_ids = {t["id"] for t in self.added if t["special"]}
        norm = spec.get("normalizer")
        if norm is not None and norm["type"] == "Sequence":
            assert len(norm["normalizers"]) == 1
            norm = norm["normalizers"][0]
        self.form = None if norm is None else norm["type"]
        assert self.form in (None, "NFC", "NFD", "NFKC", "NFKD")
        self.steps = []
        self._collect(spec["pre_tokenizer"])
        self.prefix, self.suffix = [], []
        self._post(spec.get("post_processor"))

    def _post(self, post):
        if post is None or post["type"] == "ByteLevel":
            return
        if post["type"] == "Sequence":
            for p in post["processors"]:
                self._post(p)
            return
        assert post["type"] == "TemplateProcessing"
        seen = False
        for item in post["single"]:
            if "Sequence" in item:
                seen = True
            else:
                ids = post["special_tokens"][item["SpecialToken"]["id"]]["ids"]
                (self.suffix if seen else self.prefix).extend(ids)

    def _collect(self, pre):
        if pre["type"] == "Sequence":
            for p in pre["pretokenizers"]:
                self._collect(p)
        elif pre["type"] == "Split":
            self.steps.append(("split", regex.compile(pre["pattern"]["Regex"])))
        elif pre["type"] == "Digits":
            self.steps.append(("split", regex.compile(r"\p{N}" if pre["individual_digits"] else r"\p{N}+")))
        elif pre["type"] == "ByteLevel":
            self.steps.append(("bytelevel", pre["add_prefix_space"], pre.get("use_regex", True)))
        else:
            raise ValueError(pre["type"])

    @staticmethod
    def _split_isolated(pattern, text):
        """Matches and the gaps between them, in order, none empty."""
        out, last = [], 0
        for m in pattern.finditer(text):
            if m.start() == m.end():
                continue
            if m.start() > last:
                out.append(text[last:m.start()])
            out.append(m.group(0))
            last = m.end()
        if last < len(text):
            out.append(text[last:])
        return out

    @staticmethod
    def _cut_added(text, tokens):
        """Leftmost, then longest, occurrences of the added tokens: [(str, id or None)]."""
        out, start, pos = [], 0, 0
        by_len = sorted(tokens, key=lambda t: -len(t["content"]))
        while pos < len(text):
            hit = next((t for t in by_len if text.startswith(t["content"], pos)), None)
            if hit is None:
                pos += 1
                continue
            if pos > start:
                out.append((text[start:pos], None))
            out.append((hit["content"], hit["id"]))
            pos += len(hit["content"])
            start = pos
        if start < len(text):
            out.append((text[start:], None))
        return out

    def _pre_tokenize(self, text):
        pieces = [text]
        gpt2 = regex.compile(GPT2_PATTERN)
        for step in self.steps:
            new = []
            for p in pieces:
                if step[0] == "split":
                    new.extend(self._split_isolated(step[1], p))
                else:
                    _, add_prefix, use_regex = step
                    if add_prefix and not p.startswith(" "):
                        p = " " + p
                    new.extend(self._split_isolated(gpt2, p) if use_regex else [p])
            pieces = new
        return pieces

    def _bpe(self, piece):
        word = mapped(piece.encode("utf-8"))
        if self.ignore_merges and word in self.vocab:
            return [self.vocab[word]]
        symbols = list(word)
        while len(symbols) > 1:
            # the adjacent pair with the lowest rank; the leftmost among equals
            best, best_rank = None, None
            for i in range(len(symbols) - 1):
                r = self.ranks.get((symbols[i], symbols[i + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best is None:
                break
            symbols[best:best + 2] = [symbols[best] + symbols[best + 1]]
        return [self.vocab[s] for s in symbols]

    def encode(self, text):
        ids = []
        raw_tokens = [t for t in self.added if not t["normalized"]]
        norm_tokens = [t for t in self.added if t["normalized"]]
        for chunk, tid in self._cut_added(text, raw_tokens):
            if tid is not None:
                ids.append(tid)
                continue
            if self.form:
                chunk = unicodedata.normalize(self.form, chunk)
            for part, pid in self._cut_added(chunk, norm_tokens):
                if pid is not None:
                    ids.append(pid)
                    continue
                for piece in self._pre_tokenize(part):
                    ids.extend(self._bpe(piece))
        return ids

    def decode(self, ids):
        out = bytearray()
        for i in ids:
            if i in self.special_ids:
                continue
            token = self.id_to_token[i]
            if all(c in CHAR_TO_BYTE for c in token):
                out.extend(CHAR_TO_BYTE[c] for c in token)
            else:
                out.extend(token.encode("utf-8"))
        return out.decode("utf-8", errors="replace")


# ------------------------------------------------------------------------------------------------
# Fixtures

TRAINING_TEXT = """The quick brown fox jumps over the lazy dog. It's the dog's day; they'll see what we've done.
Numbers: 1234567890, 3.14159, 2024-06-01, 42 apples and 7 oranges cost $12.50 in 1999.
def tokenize(text):
    return [piece for piece in text.split()]  # indentation matters
Naïve café owners in Zürich serve crème brûlée; déjà vu for tourists in São Paulo.
東京の天気は晴れです。你好，世界！ 안녕하세요 세계. Привет, мир! Γειά σου κόσμε.
Emoji: 😀 👍🏽 🎉 ❤️ — and tabs\there\tand there.\r\nWindows lines\r\n
I'LL DO IT, YOU'RE RIGHT, WE'VE WON! She said: "don't stop". He'd go; I'm in.
"""


def tricky_texts():
    texts = [
        "", " ", "  ", "a", "Hello world", "Hello  world", " Hello", "Hello ", "hello\nworld",
        "   leading and trailing   ", "a     b", "a \n\n  b", "\n", "\n\n\n", "\r\n", "x\r\n\r\ny",
        "tabs\tand\t\ttabs\n\tindented", "\t \t", "  \n  ",
        "digits 1 12 123 1234 12345 1234567 and 3.14159, 2024-06-01, 1,000,000",
        "007 x2 2x a1b2c3 ١٢٣ ½ Ⅻ", "9" * 40,
        "contractions: it's, I'LL, we're, they'VE, don't, I'm, he'd, SHE'S, 's, ' s",
        "accents: café naïve Zürich crème brûlée Ångström",
        "decomposed: cafe\u0301 Zu\u0308rich A\u030angstro\u0308m",
        "CJK: 東京の天気は晴れです。你好，世界！ 한국어",
        "emoji 😀👍🏽 family 👨‍👩‍👧 flag 🇫🇷 ❤️",
        "scripts: مرحبا بالعالم नमस्ते Привет Γειά",
        "code:\n    if (x == 1) {\n        return y;\n    }\n",
        "punctuation!!! ??? ... --- *** \"quoted\" 'single' (paren) [bracket] {brace}",
        "mixed<|endoftext|>special",
        "<|endoftext|>",
        "<|endoftext|><|endoftext|> twice <|endoftext|>",
        "<|begin_of_text|>hi<|eot_id|>",
        "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n",
        "almost <|endoftext| not special <|im_start",
        "long spaces" + " " * 300 + "end",
        "z" * 400,
        "ab" * 300,
        "nbsp\u00a0and\u2003em space\u3000ideographic",
        "zero\u200bwidth joiner\u200d and BOM\ufeff",
        "line\u2028separator\u2029paragraph",
        "case folding: it'\u017fa it'\u017f, I'\u212aLL, WE'RE, 'D 'M 'T \u0130'S",
        "mongolian\u180evowel \u180e separator\u180e\u180e  end\x1c\x1f",
    ]
    # Deterministic random mixtures of all of the above classes.
    rng = random.Random(1234)
    fragments = ["the", "The", " ", "  ", "\n", "\t", "\r\n", "'s", "'LL", "'ve", "42", "1234", "3.5", "é", "e\u0301",
                 "東京", "😀", "👍🏽", "—", "!!", "...", "<|endoftext|>", "<|eot_id|>", "<|im_start|>", "a", "Z", "_",
                 "x_1", "über", "ß", "İ", "ſ", "\u00a0", "ﬁ", "Ｆｕｌｌ", "１２", "١٢", "$", "€", "#", "//", "    ",
                 "＜|endoftext|＞", "²"]
    for _ in range(12):
        texts.append("".join(rng.choice(fragments) for _ in range(rng.randint(5, 60))))
    return texts


def make_spec(style, vocab, merges):
    spec = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None}
    vocab_map = {t: i for i, t in enumerate(vocab)}
    n = len(vocab)

    def added(content, special, normalized=False):
        spec["added_tokens"].append({"id": n + len(spec["added_tokens"]), "content": content, "single_word": False,
                                     "lstrip": False, "rstrip": False, "normalized": normalized, "special": special})

    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    if style in ("gpt2", "gpt2p", "nfkc"):
        added("<|endoftext|>", True, normalized=True)
        if style == "nfkc":
            spec["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFKC"}]}
        if style == "gpt2p":
            byte_level["add_prefix_space"] = True
            added("<|im_start|>", False, normalized=False)
        spec["pre_tokenizer"] = byte_level
        spec["post_processor"] = dict(byte_level)
        merges_out = [a + " " + b for a, b in merges]
    elif style == "llama3":
        for content in ("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                        "<|eot_id|>"):
            added(content, True)
        spec["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": LLAMA3_PATTERN}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}
        bos = n
        spec["post_processor"] = {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                        {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [bos],
                                                      "tokens": ["<|begin_of_text|>"]}}}]}
        merges_out = [[a, b] for a, b in merges]
    elif style == "qwen2":
        added("<|endoftext|>", True)
        added("<|im_start|>", True)
        added("<|im_end|>", True)
        spec["normalizer"] = {"type": "NFC"}
        spec["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": QWEN2_PATTERN}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]}
        spec["post_processor"] = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False,
                                  "use_regex": False}
        merges_out = [a + " " + b for a, b in merges]
    elif style == "smollm":
        added("<|endoftext|>", True)
        added("<|im_start|>", True)
        added("<|im_end|>", True)
        spec["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
            {"type": "Digits", "individual_digits": True}, byte_level]}
        spec["post_processor"] = dict(byte_level)
        merges_out = [a + " " + b for a, b in merges]
    else:
        raise ValueError(style)
    spec["decoder"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}
    spec["model"] = {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                     "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                     "ignore_merges": style == "llama3", "vocab": vocab_map, "merges": merges_out}
    return spec


STYLES = {"gpt2": GPT2_PATTERN, "gpt2p": GPT2_PATTERN, "llama3": LLAMA3_PATTERN, "qwen2": QWEN2_PATTERN,
          "smollm": GPT2_PATTERN, "nfkc": GPT2_PATTERN}


def make(outdir):
    for style, pattern in STYLES.items():
        vocab, merges = train(TRAINING_TEXT * 3, pattern, 300)
        spec = make_spec(style, vocab, merges)
        ref = Reference(spec)
        cases = []
        for text in tricky_texts():
            ids = ref.encode(text)
            cases.append({"text": text, "ids": ids, "decoded": ref.decode(ids)})
        folder = os.path.join(outdir, style)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(spec, f, ensure_ascii=False, indent=1)
        with open(os.path.join(folder, "cases.json"), "w", encoding="utf-8") as f:
            json.dump({"style": style, "prefix_ids": ref.prefix, "suffix_ids": ref.suffix, "cases": cases}, f,
                      ensure_ascii=False, indent=1)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "encode":
        with open(sys.argv[2], encoding="utf-8") as f:
            ref = Reference(json.load(f))
        texts = json.load(sys.stdin)
        json.dump([ref.encode(t) for t in texts], sys.stdout)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
