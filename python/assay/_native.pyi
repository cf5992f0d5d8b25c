# Stubs for the compiled extension assay._native (checked by mypy.stubtest).
from typing import final

import numpy as np
import numpy.typing as npt

_F64 = npt.NDArray[np.float64]
_U32 = npt.NDArray[np.uint32]
_U8 = npt.NDArray[np.uint8]

__all__ = [
    "Cells",
    "Clusterer",
    "ConvergenceError",
    "DuplicateKeyError",
    "LshIndex",
    "NgramScanner",
    "NotIdentifiableError",
    "ShapeError",
    "StyleBattles",
    "_after_fork_in_child",
    "axes_binomial_gaps",
    "axes_layout",
    "axes_moments",
    "axes_paired",
    "bleu_statistics",
    "bt_bootstrap",
    "bt_bootstrap_voters",
    "bt_fit",
    "bt_leave_one_group_out",
    "bt_sandwich",
    "bt_structure",
    "chrf_statistics",
    "elo_online",
    "exact_jaccard",
    "factorize_str",
    "first_equal_u32",
    "first_invalid_utf8",
    "lm_eval_bootstrap_labels",
    "lm_eval_bootstrap_replicates",
    "lm_eval_bootstrap_values",
    "lm_eval_resample_indices",
    "lsh_band_hashes",
    "lsh_banding",
    "minhash_signatures",
    "minhash_signatures_utf8",
    "own_minhash_permutations",
    "pack_utf8",
    "pack_utf8_buffer",
    "pass_at_k_estimates",
    "porter_stems",
    "recode_pair_u32",
    "rouge_scores",
    "rouge_scores_tokenized",
    "spectral_metrics_f32",
    "spectral_metrics_f64",
    "squad_scores",
    "ter_statistics",
    "union_find",
]

class ShapeError(ValueError): ...
class NotIdentifiableError(ValueError): ...
class ConvergenceError(RuntimeError): ...
class DuplicateKeyError(ValueError): ...

@final
class Cells:
    @property
    def n_models(self) -> int: ...
    @property
    def n_groups(self) -> int: ...
    def __new__(
        cls,
        first: npt.NDArray[np.integer],
        second: npt.NDArray[np.integer],
        outcome: _U8,
        n_models: int,
        *,
        tables: tuple[_U32, _U32] | None = None,
        weight: _F64 | None = None,
        group: _U32 | None = None,
        n_groups: int = 1,
    ) -> Cells: ...
    def reweighted(self, floor: float) -> Cells: ...
    def columns(self) -> tuple[_U32, _U32, _U32, _U8, _F64, _F64]: ...
    def __len__(self) -> int: ...

def bt_structure(table: Cells, group: int) -> tuple[_U32, _U32]: ...
def bt_fit(
    table: Cells, group: int, *, prior: float = 0.0, tol: float = 1e-10, max_iter: int = 100
) -> tuple[_F64, int]: ...
def bt_sandwich(
    table: Cells, group: int, theta: _F64, *, prior: float = 0.0, ridge: float
) -> _F64: ...
def bt_bootstrap(
    table: Cells,
    group: int,
    theta: _F64,
    *,
    n_boot: int,
    seed: int,
    first_round: int = 0,
    prior: float = 0.0,
    tol: float = 1e-10,
) -> tuple[_F64, int]: ...
def bt_bootstrap_voters(
    table: Cells,
    theta: _F64,
    *,
    n_boot: int,
    seed: int,
    first_round: int = 0,
    prior: float = 0.0,
    tol: float = 1e-10,
) -> tuple[_F64, int]: ...
def bt_leave_one_group_out(
    table: Cells, theta: _F64, *, prior: float = 0.0, tol: float = 1e-10
) -> tuple[_F64, int]: ...
def elo_online(
    first: _U32,
    second: _U32,
    outcome: _U8,
    order: npt.NDArray[np.int64],
    n_models: int,
    *,
    k: float = 4.0,
    scale: float = 400.0,
    base: float = 10.0,
    init: float = 1000.0,
) -> _F64: ...
def _after_fork_in_child() -> None: ...

# ---- dedup and contamination (rust/py/dedup.rs, rust/py/dedup.rs) ----

def minhash_signatures(
    texts: list[str],
    *,
    num_perm: int,
    ngram: int,
    unit: str,
    case: str,
    strip_punct: bool,
    seed: int,
    family: str,
    a: npt.NDArray[np.uint64] | None = None,
    b: npt.NDArray[np.uint64] | None = None,
) -> npt.NDArray[np.uint32]: ...
def minhash_signatures_utf8(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    *,
    num_perm: int,
    ngram: int,
    unit: str,
    case: str,
    strip_punct: bool,
    seed: int,
    family: str,
    a: npt.NDArray[np.uint64] | None = None,
    b: npt.NDArray[np.uint64] | None = None,
    first: int = 0,
) -> npt.NDArray[np.uint32]: ...
def first_invalid_utf8(
    data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]
) -> int | None: ...
def exact_jaccard(
    texts: list[str],
    i: npt.NDArray[np.uint32],
    j: npt.NDArray[np.uint32],
    *,
    ngram: int,
    unit: str,
    case: str,
    strip_punct: bool,
) -> npt.NDArray[np.float64]: ...
def own_minhash_permutations(
    num_perm: int, seed: int
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]: ...
def pack_utf8(
    texts: list[str], buffer: npt.NDArray[np.uint8], *, case: str
) -> tuple[int, npt.NDArray[np.int64], npt.NDArray[np.bool_]]: ...
def pack_utf8_buffer(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    buffer: npt.NDArray[np.uint8],
    *,
    case: str,
    first: int = 0,
) -> tuple[int, npt.NDArray[np.int64], npt.NDArray[np.bool_]]: ...
def lsh_banding(
    threshold: float, num_perm: int, bands: int | None = None, recall: float = 0.98
) -> tuple[int, int]: ...
def lsh_band_hashes(
    signatures: npt.NDArray[np.uint32], bands: int, rows: int
) -> npt.NDArray[np.uint64]: ...
def union_find(
    n: int, i: npt.NDArray[np.uint32], j: npt.NDArray[np.uint32]
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.bool_]]: ...

@final
class LshIndex:
    def __new__(cls, num_perm: int, bands: int, rows: int, threshold: float) -> LshIndex: ...
    @property
    def params(self) -> tuple[int, int, int, float]: ...
    @property
    def nbytes(self) -> int: ...
    def __len__(self) -> int: ...
    def keys(self) -> list[str]: ...
    def insert(self, keys: list[str], sigs: npt.NDArray[np.uint32]) -> None: ...
    def query(
        self, sigs: npt.NDArray[np.uint32], verify: bool
    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]: ...
    def pairs(self, verify: bool) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]: ...
    def save(self, path: str) -> None: ...
    @staticmethod
    def load(path: str) -> LshIndex: ...

@final
class StyleBattles:
    def __new__(
        cls,
        first: _U32,
        second: _U32,
        score: _F64,
        features: _F64,
        n_models: int,
        *,
        weight: _F64 | None = None,
        prior_theta: float = 0.0,
        prior_beta: float = 0.0,
    ) -> StyleBattles: ...
    def fit(self) -> _F64: ...
    def sandwich(self, params: _F64, ridge: float) -> _F64: ...
    def bootstrap(self, params: _F64, n_boot: int, seed: int) -> _F64: ...

@final
class Clusterer:
    def __new__(
        cls,
        *,
        num_perm: int,
        ngram: int,
        unit: str,
        case: str,
        strip_punct: bool,
        seed: int,
        bands: int,
        rows: int,
        threshold: float,
    ) -> Clusterer: ...
    def __len__(self) -> int: ...
    def add(self, texts: list[str]) -> None: ...
    def add_utf8(
        self, data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64], first: int
    ) -> None: ...
    def add_signatures(self, signatures: npt.NDArray[np.uint32]) -> None: ...
    def needed(self) -> _U32: ...
    def add_shingles(self, positions: _U32, texts: list[str]) -> None: ...
    def finish(self, verify: str) -> tuple[_U32, npt.NDArray[np.bool_]]: ...

@final
class NgramScanner:
    def __new__(
        cls,
        items: list[str],
        *,
        ngram: int,
        case: str,
        strip_punct: bool,
        sign: tuple[int, int, str, bool, int] | None = None,
        near: tuple[npt.NDArray[np.uint32], float] | None = None,
    ) -> NgramScanner: ...
    def scan(self, texts: list[str], first_doc: int) -> npt.NDArray[np.uint32] | None: ...
    def scan_utf8(
        self, data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64], first_doc: int
    ) -> npt.NDArray[np.uint32] | None: ...
    def scan_near(self, texts: list[str], first_doc: int) -> npt.NDArray[np.uint64]: ...
    def scan_near_utf8(
        self, data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64], first_doc: int
    ) -> npt.NDArray[np.uint64]: ...
    def near_results(self) -> tuple[_F64, npt.NDArray[np.int64]]: ...
    def results(
        self,
    ) -> tuple[
        npt.NDArray[np.uint32],
        npt.NDArray[np.uint32],
        npt.NDArray[np.uint32],
        npt.NDArray[np.uint64],
        npt.NDArray[np.uint32],
        npt.NDArray[np.uint32],
    ]: ...

# ---- spectral (rust/py/spectral.rs)

_F32M = np.ndarray[tuple[int, int], np.dtype[np.float32]]
_F64M = np.ndarray[tuple[int, int], np.dtype[np.float64]]
_I64 = np.ndarray[tuple[int], np.dtype[np.int64]]

def spectral_metrics_f32(
    x: _F32M,
    starts: _I64,
    lengths: _I64,
    *,
    alpha: float = 2.0,
    rankme: bool = True,
    rankme_eps: float = 1e-7,
    rank_rtol: float | None = None,
) -> _F64M: ...
def spectral_metrics_f64(
    x: _F64M,
    starts: _I64,
    lengths: _I64,
    *,
    alpha: float = 2.0,
    rankme: bool = True,
    rankme_eps: float = 1e-7,
    rank_rtol: float | None = None,
) -> _F64M: ...
def factorize_str(values: npt.NDArray[np.object_]) -> tuple[_U32, list[str]] | None: ...
def first_equal_u32(a: _U32, b: _U32) -> int: ...
def recode_pair_u32(
    a: npt.NDArray[np.integer], table_a: _U32, b: npt.NDArray[np.integer], table_b: _U32
) -> tuple[tuple[_U32, _U32] | None, str, int, int]: ...

# harness
def lm_eval_bootstrap_values(
    statistic: str, values: npt.NDArray[np.float64], iters: int, compensated: bool
) -> float: ...
def lm_eval_bootstrap_labels(
    statistic: str,
    gold: npt.NDArray[np.uint32],
    pred: npt.NDArray[np.uint32],
    classes: int,
    iters: int,
    compensated: bool,
) -> float: ...
def lm_eval_bootstrap_replicates(
    statistic: str, values: npt.NDArray[np.float64], iters: int, compensated: bool
) -> npt.NDArray[np.float64]: ...

# metrics
def bleu_statistics(
    hyps: list[str], refs: list[list[str]], tokenize: str, max_order: int
) -> npt.NDArray[np.uint64]: ...
def chrf_statistics(
    hyps: list[str],
    refs: list[list[str]],
    char_order: int,
    word_order: int,
    beta: int,
    whitespace: bool,
    eps_smoothing: bool,
) -> npt.NDArray[np.uint64]: ...
def rouge_scores(
    predictions: list[str], references: list[list[str]], types: list[str], use_stemmer: bool
) -> npt.NDArray[np.float64]: ...
def rouge_scores_tokenized(
    items: list[tuple[tuple[list[int], list[list[int]]], list[tuple[list[int], list[list[int]]]]]],
    types: list[str],
) -> npt.NDArray[np.float64]: ...
def porter_stems(words: list[str]) -> list[str]: ...
def squad_scores(
    predictions: list[str], golds: list[list[str]], overlap: str
) -> npt.NDArray[np.float64]: ...
def pass_at_k_estimates(n: list[int], c: list[int], k: int) -> list[float]: ...
def ter_statistics(
    hyps: list[list[int]], refs: list[list[list[int]]]
) -> tuple[list[int], list[float]]: ...
def lm_eval_resample_indices(n: int, iters: int) -> npt.NDArray[np.uint32]: ...
def axes_layout(
    model: _U32,
    benchmark: _U32,
    item: _U32,
    score: _F64,
    cluster: _U32 | None,
    group: _U32 | None,
    keep: npt.NDArray[np.bool_] | None,
    n_models: int,
    n_benchmarks: int,
    n_items: int,
) -> tuple[
    _F64,
    npt.NDArray[np.uint64],
    npt.NDArray[np.int64],
    _U32 | None,
    _U32 | None,
    npt.NDArray[np.bool_],
]: ...
def axes_moments(
    scores: _F64,
    starts: npt.NDArray[np.int64],
    unit_cluster: _U32 | None,
    unit_group: _U32 | None,
    n_groups: int,
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], _F64, _F64, _F64]: ...
def axes_paired(
    scores: _F64,
    starts: npt.NDArray[np.int64],
    unit_cluster: _U32 | None,
    a: _U32,
    b: _U32,
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], _F64, _F64]: ...
def axes_binomial_gaps(
    n: npt.NDArray[np.uint64],
    mean: _F64,
    n_models: int,
    n_benchmarks: int,
    n_groups: int,
    n_boot: int,
    seed: int,
    tail: float,
) -> tuple[_F64, _F64]: ...
