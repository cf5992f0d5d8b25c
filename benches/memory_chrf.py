"""Peak memory of corpus chrF over 10,000 long segments: assay against sacrebleu, each in a
fresh process (peak resident set, which counts Rust's and Python's allocations alike), on the
same texts, with the scores checked equal.

Segments: the WMT23 English→German paragraphs of ../shared/data/mt, consecutive pairs joined
(~170 words), repeated to 10,000 hypothesis / reference pairs (9 systems against the human
reference).

    python benches/memory_chrf.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mt"
N = 10_000

CHILD = """
import json, resource, sys
sys.path.insert(0, {here!r})
from memory_chrf import segments
hyps, refs = segments()
if {impl!r} == "assay":
    from assay import metrics
    score_corpus = lambda: metrics.corpus_chrf(hyps, [refs]).score
else:
    import sacrebleu
    score_corpus = lambda: sacrebleu.corpus_chrf(hyps, [refs]).score
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # texts loaded, library imported
score = score_corpus()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"score": score, "base_kb": base, "peak_kb": peak}}))
"""


def segments() -> tuple[list[str], list[str]]:
    rows = [json.loads(line) for line in (DATA / "wmt23_ende_sxs_segments.jsonl").open()]
    hyps, refs = [], []
    for a, b in zip(rows[::2], rows[1::2], strict=False):
        for name in a["targets"]:
            if name != "refA":
                hyps.append(a["targets"][name] + " " + b["targets"][name])
                refs.append(a["targets"]["refA"] + " " + b["targets"]["refA"])
    k = -(-N // len(hyps))
    return (hyps * k)[:N], (refs * k)[:N]


def measure(impl: str) -> dict[str, float]:
    code = CHILD.format(here=str(Path(__file__).parent), impl=impl)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    if not DATA.exists():
        sys.exit("shared/data is not beside the checkout")
    hyps, _ = segments()
    words = sum(len(h.split()) for h in hyps) / len(hyps)
    results = {impl: measure(impl) for impl in ("assay", "sacrebleu")}
    assert results["assay"]["score"] == results["sacrebleu"]["score"]
    print(
        f"{len(hyps)} segments of ~{words:.0f} words; corpus chrF {results['assay']['score']:.4f}"
    )
    for impl, r in results.items():
        extra = (r["peak_kb"] - r["base_kb"]) / 1024
        print(f"{impl}: peak RSS {r['peak_kb'] / 1024:.0f} MB, {extra:.0f} MB above texts + import")
    a = results["assay"]["peak_kb"] - results["assay"]["base_kb"]
    s = results["sacrebleu"]["peak_kb"] - results["sacrebleu"]["base_kb"]
    print(f"assay uses {a / s:.4f} of sacrebleu's memory above the texts and the import")


if __name__ == "__main__":
    main()
