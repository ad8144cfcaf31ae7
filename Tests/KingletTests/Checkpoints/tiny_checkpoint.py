# Builds a tiny chat model the way people download one: a byte-level BPE tokenizer trained with
# `tokenizers`, a chat template, a random model (transformers), all saved to one directory.
# argv: OUT [qwen2 | qwen3_5 TEMPLATE.jinja]. Qwen2 (ChatML template) prints what transformers itself
# does with it: the chat prompt ids, greedy continuation, logits. Qwen3.5 (the given template) only saves.
import json, sys
import torch
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
from transformers import (PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM, Qwen3_5TextConfig,
                          Qwen3_5ForCausalLM, GenerationConfig)

out = sys.argv[1]
family = sys.argv[2] if len(sys.argv) > 2 else "qwen2"
corpus = ["The quick brown fox jumps over the lazy dog.", "Hello there! How are you today?",
          "Kinglet runs small language models on the CPU you already have.", "def fib(n): return n"] * 20
bpe = Tokenizer(models.BPE())
bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
bpe.decoder = decoders.ByteLevel()
bpe.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=320, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                                    special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>",
                                                                    "<think>", "</think>"]))
template = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
            "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
if family == "qwen3_5":
    template = open(sys.argv[3]).read()
tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                    chat_template=template)
tokenizer.save_pretrained(out)
torch.manual_seed(0)
if family == "qwen3_5":
    config = Qwen3_5TextConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=4,
                               num_attention_heads=4, num_key_value_heads=2, head_dim=16, linear_num_key_heads=2,
                               linear_num_value_heads=4, linear_key_head_dim=16, linear_value_head_dim=16,
                               layer_types=["linear_attention"] * 3 + ["full_attention"], tie_word_embeddings=True,
                               eos_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"))
    model = Qwen3_5ForCausalLM(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "A_log" not in name and "dt_bias" not in name:
                p.normal_(0, 0.3 if p.dim() == 1 else 0.15)
    model.save_pretrained(out, safe_serialization=True)
    sys.exit(0)
config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                     num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512, tie_word_embeddings=True,
                     eos_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"))
model = Qwen2ForCausalLM(config).eval()
with torch.no_grad():
    for p in model.parameters():
        p.normal_(0, 0.3 if p.dim() == 1 else 0.15)
model.save_pretrained(out, safe_serialization=True)
GenerationConfig(eos_token_id=[tokenizer.convert_tokens_to_ids("<|im_end|>"), config.eos_token_id]).save_pretrained(out)

messages = [{"role": "user", "content": "Hello there! How are you?"}]
prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=False)
if isinstance(prompt, dict): prompt = prompt["input_ids"]
ids = torch.tensor([prompt])
with torch.no_grad():
    generated = []
    for _ in range(12):   # greedy, ignoring end-of-generation tokens (the CLI stops at them)
        logits = model(torch.cat([ids, torch.tensor([generated], dtype=torch.long)], 1) if generated else ids).logits
        generated.append(int(logits[0, -1].argmax()))
    logits = model(ids).logits[0].tolist()
print(json.dumps({"prompt": list(prompt), "generated": generated,
                  "end": [tokenizer.convert_tokens_to_ids("<|im_end|>"), config.eos_token_id],
                  "text": tokenizer.decode(generated), "logits": logits}))
