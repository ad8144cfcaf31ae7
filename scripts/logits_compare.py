#!/usr/bin/env python3
"""Kinglet's next-token logits against llama.cpp's at every position of a text, on the same GGUF:
top-1 agreement, and the worst and mean |Δ| over llama.cpp's ten largest logits per position.

A developer's parity check, not run in CI; the conformance tests pin the shipped models. Run it
with the Python that scripts/bench-compare installs llama-cpp-python into:

    ~/.cache/kinglet/llama-venv/bin/python scripts/logits_compare.py MODEL.gguf TEXT_FILE [KINGLET]

The text is tokenized by llama.cpp (no BOS, special tokens parsed) and the same ids go to
`kinglet logits --ids`; both use 2 threads, llama.cpp without flash attention.
"""
import json
import subprocess
import sys

import llama_cpp
import numpy as np


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    model, text_file = sys.argv[1], sys.argv[2]
    kinglet = sys.argv[3] if len(sys.argv) == 4 else ".build/release/kinglet"
    text = open(text_file, encoding="utf-8").read()
    llm = llama_cpp.Llama(model_path=model, n_ctx=4096, logits_all=True, verbose=False, n_threads=2,
                          flash_attn=False)
    ids = llm.tokenize(text.encode(), add_bos=False, special=True)
    llm.eval(ids)
    reference = np.array(llm.scores[:len(ids)])
    lines = subprocess.run([kinglet, "logits", "-m", model, "--ids", ",".join(map(str, ids)), "--json", "-t", "2"],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    agree, worst, means = 0, 0.0, []
    for line in lines:
        row = json.loads(line)
        got, want = np.array(row["logits"]), reference[row["pos"]]
        agree += int(np.argmax(got) == np.argmax(want))
        top = np.argsort(-want)[:10]
        delta = np.abs(got[top] - want[top])
        worst, means = max(worst, float(delta.max())), means + [float(delta.mean())]
    print(f"{model.split('/')[-1]}: {len(lines)} positions, top-1 agrees {agree}/{len(lines)}, "
          f"top-10 |Δ| worst {worst:.3f}, mean {np.mean(means):.4f}")


if __name__ == "__main__":
    main()
