# Builds tiny chat models the way people download them: a byte-level BPE tokenizer trained with
# `tokenizers`, a chat template, random weights (transformers), all saved to one directory.
#   OUT                       Qwen2 with a ChatML template; prints transformers' chat prompt ids,
#                             greedy continuation and logits.
#   OUT qwen3_5 TEMPLATE      Qwen3.5 with the given template; saves only.
#   OUT families              one directory per family (OUT/<model_type>); prints each one's greedy
#                             continuation of a raw prompt.
import json, os, sys
import torch
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
from transformers import AutoConfig, AutoModelForCausalLM, GenerationConfig, PreTrainedTokenizerFast

CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
SHAPE = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
             tie_word_embeddings=True)
# What each family adds to SHAPE: its own quirks, at toy size.
FAMILIES = {
    "qwen2": {},
    "llama": dict(tie_word_embeddings=False),
    "mistral": dict(sliding_window=4),
    "qwen3": dict(head_dim=24),
    "gemma3_text": dict(head_dim=16, query_pre_attn_scalar=16, sliding_window=4, num_hidden_layers=7,
                        final_logit_softcapping=10.0),
    "phi3": dict(partial_rotary_factor=0.5, tie_word_embeddings=False),
    "smollm3": dict(num_hidden_layers=4, no_rope_layer_interval=2),
    "qwen3_5_text": dict(num_hidden_layers=4, head_dim=16, linear_num_key_heads=2, linear_num_value_heads=4,
                         linear_key_head_dim=16, linear_value_head_dim=16,
                         layer_types=["linear_attention"] * 3 + ["full_attention"]),
}


def make_tokenizer(template):
    corpus = ["The quick brown fox jumps over the lazy dog.", "Hello there! How are you today?",
              "Kinglet runs small language models on the CPU you already have.", "def fib(n): return n"] * 20
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(corpus, trainers.BpeTrainer(
        vocab_size=320, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"]))
    return PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   chat_template=template)


def build(model_type, tokenizer, out):
    """A random model of `model_type` beside `tokenizer` in `out`, with generation_config.json's end tokens."""
    torch.manual_seed(0)
    end = [tokenizer.convert_tokens_to_ids("<|im_end|>"), tokenizer.convert_tokens_to_ids("<|endoftext|>")]
    config = AutoConfig.for_model(model_type, vocab_size=len(tokenizer), eos_token_id=end[1], pad_token_id=end[1],
                                  **{**SHAPE, **FAMILIES[model_type]})
    model = AutoModelForCausalLM.from_config(config, attn_implementation="eager").float().eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "A_log" not in name and "dt_bias" not in name:   # Qwen3.5's decay parameters keep their init
                p.normal_(0, 0.3 if p.dim() == 1 else 0.15)
    tokenizer.save_pretrained(out)
    model.save_pretrained(out, safe_serialization=True)
    GenerationConfig(eos_token_id=end).save_pretrained(out)
    return model, end


def greedy(model, prompt, steps=12):
    """Argmax continuation, ignoring end tokens (the CLI stops at them)."""
    ids = list(prompt)
    with torch.no_grad():
        for _ in range(steps):
            ids.append(int(model(torch.tensor([ids])).logits[0, -1].argmax()))
    return ids[len(prompt):]


out, mode = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "qwen2")
if mode == "qwen3_5":
    build("qwen3_5_text", make_tokenizer(open(sys.argv[3]).read()), out)
elif mode == "families":
    tokenizer = make_tokenizer(CHATML)
    prompt = tokenizer("The quick brown fox", add_special_tokens=False)["input_ids"]
    results = {}
    for model_type in FAMILIES:
        model, end = build(model_type, tokenizer, os.path.join(out, model_type))
        results[model_type] = {"prompt": prompt, "generated": greedy(model, prompt), "end": end}
    print(json.dumps(results))
else:
    tokenizer = make_tokenizer(CHATML)
    model, end = build("qwen2", tokenizer, out)
    messages = [{"role": "user", "content": "Hello there! How are you?"}]
    prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=False)
    if isinstance(prompt, dict): prompt = prompt["input_ids"]
    with torch.no_grad():
        logits = model(torch.tensor([prompt])).logits[0].tolist()
    generated = greedy(model, prompt)
    print(json.dumps({"prompt": list(prompt), "generated": generated, "end": end,
                      "text": tokenizer.decode(generated), "logits": logits}))
