#!/usr/bin/env python3
"""llama.cpp's side of scripts/bench-compare: llama-bench's pp and tg tests through
llama-cpp-python's low-level API, printing one JSON line per test in the shape of
`kinglet bench --json`.

pp N: one batch of N random tokens decoded from an empty KV cache (n_batch >= N;
n_ubatch 512 as llama-bench, so up to pp512 one forward pass; logits for the last
token only). tg N: N single-token decodes from an empty cache, feeding random
tokens without sampling. Each test runs once to warm up, then --repetitions times;
the cache is cleared before every run. n_threads = n_threads_batch = --threads; flash attention off.

    python scripts/llama_bench.py -m MODEL.gguf [-p 64,512] [-n 128] [-t 1,2] [-r 5]
"""
import argparse
import json
import random
import statistics
import sys
import time

import llama_cpp as L


def counts(text):
    return [int(x) for x in text.split(",") if x.strip() != ""]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-m", "--model", required=True)
    parser.add_argument("-p", "--n-prompt", type=counts, default=[512])
    parser.add_argument("-n", "--n-gen", type=counts, default=[128])
    parser.add_argument("-t", "--threads", type=counts, default=[2])
    parser.add_argument("-r", "--repetitions", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()

    tests = [("pp", n) for n in args.n_prompt if n > 0] + [("tg", n) for n in args.n_gen if n > 0]
    if not tests:
        sys.exit("nothing to run: -p and -n are both 0")
    positions = max(n for _, n in tests)

    quiet = L.llama_log_callback(lambda level, text, data: None)  # kept alive while llama.cpp may call it
    L.llama_log_set(quiet, None)
    L.llama_backend_init()
    model_params = L.llama_model_default_params()
    model = L.llama_model_load_from_file(args.model.encode(), model_params)
    if not model:
        sys.exit(f"llama.cpp could not load {args.model}")
    vocab = L.llama_model_get_vocab(model)
    n_vocab = L.llama_vocab_n_tokens(vocab)
    model_bytes = L.llama_model_size(model)

    for threads in args.threads:
        params = L.llama_context_default_params()
        params.n_ctx = positions
        params.n_batch = max(positions, 512)
        params.n_ubatch = 512  # llama-bench's default; Kinglet's largest batch is 512 too
        params.n_seq_max = 1
        params.n_threads = threads
        params.n_threads_batch = threads
        params.flash_attn_type = L.LLAMA_FLASH_ATTN_TYPE_DISABLED  # the default is "auto"
        params.no_perf = True
        ctx = L.llama_init_from_model(model, params)
        if not ctx:
            sys.exit("llama.cpp could not create a context")
        memory = L.llama_get_memory(ctx)
        rng = random.Random(args.seed)
        batch = L.llama_batch_init(max(positions, 1), 0, 1)

        def decode(tokens, start):
            batch.n_tokens = len(tokens)
            for i, token in enumerate(tokens):
                batch.token[i] = token
                batch.pos[i] = start + i
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = 0
                batch.logits[i] = i == len(tokens) - 1
            if L.llama_decode(ctx, batch) != 0:
                sys.exit("llama_decode failed")

        def run(kind, n):
            tokens = [rng.randrange(n_vocab) for _ in range(n)]
            L.llama_memory_clear(memory, True)
            start = time.perf_counter()
            if kind == "pp":
                decode(tokens, 0)
            else:
                for i, token in enumerate(tokens):
                    decode([token], i)
            L.llama_synchronize(ctx)
            return n / (time.perf_counter() - start)

        for kind, n in tests:
            run(kind, n)  # warm-up
            samples = [run(kind, n) for _ in range(max(args.repetitions, 1))]
            print(json.dumps({
                "test": f"{kind}{n}", "threads": threads,
                "tokens_per_second": statistics.fmean(samples),
                "stddev": statistics.stdev(samples) if len(samples) > 1 else 0.0,
                "roofline_ratio": None, "peak_rss_bytes": None,
                "model_bytes": model_bytes, "repetitions": len(samples), "samples": samples,
                "engine": f"llama.cpp (llama-cpp-python {L.__version__})",
            }), flush=True)
        L.llama_batch_free(batch)
        L.llama_free(ctx)
    L.llama_model_free(model)


if __name__ == "__main__":
    main()
