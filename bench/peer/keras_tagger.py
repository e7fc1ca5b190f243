#!/usr/bin/env python3
"""Keras peer of Spanlight's tagger benchmark.

Trains the reference char+word BiLSTM UPOS tagger in Keras on a CoNLL-U slice, tags a test
set, and writes one JSON document with speed, memory and accuracy figures. See README.md beside
this file for what each figure means and how `npm run bench` calls it.

Output contract: progress lines go to stderr only; stdout carries nothing but the JSON document
when `--json -` is given. Exit codes: 0 done, 2 bad arguments or input (`path:line: what is
wrong` on stderr), 1 anything else.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# TensorFlow's C++ start-up chatter would drown the progress lines; an explicit setting wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

try:
    import keras
    import numpy as np
    import tensorflow as tf
except ImportError as missing:
    print(
        f"[keras-peer] cannot import {missing.name}: run scripts/setup-peer.sh and use "
        "bench/.venv/bin/python",
        file=sys.stderr,
    )
    sys.exit(2)

SCHEMA = "spanlight-peer-bench/1"
UPOS_TAGS = (
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM",
    "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
)  # fmt: skip
PAD_INDEX = 0
UNK_INDEX = 1


class InputError(Exception):
    """A problem the user can fix: bad arguments or a malformed corpus line."""


def log(message: str) -> None:
    print(f"[keras-peer] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Corpus


@dataclass(frozen=True)
class Sentence:
    words: tuple[str, ...]
    tags: tuple[str, ...]


def read_conllu(path: Path, limit: int | None = None) -> list[Sentence]:
    """Reads FORM and UPOS of every word line; multi-word ranges (1-2) and empty nodes (1.1)
    carry no UPOS of their own and are skipped."""
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    known_tags = set(UPOS_TAGS)

    def close_sentence() -> None:
        if words:
            sentences.append(Sentence(tuple(words), tuple(tags)))
            words.clear()
            tags.clear()

    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: cannot open: {error.strerror}") from error
    line_number = 0
    try:
        with handle:
            for line_number, raw in enumerate(handle, start=1):
                line = raw.rstrip("\n").rstrip("\r")
                if not line.strip():
                    close_sentence()
                    if limit is not None and len(sentences) >= limit:
                        break
                    continue
                if line.startswith("#"):
                    continue
                fields = line.split("\t")
                if len(fields) != 10:
                    raise InputError(
                        f"{path}:{line_number}: expected 10 tab-separated CoNLL-U fields, "
                        f"found {len(fields)}"
                    )
                token_id, form, upos = fields[0], fields[1], fields[3]
                if "-" in token_id or "." in token_id:
                    continue
                if not token_id.isdigit():
                    raise InputError(f"{path}:{line_number}: ID '{token_id}' is not a word index")
                if upos not in known_tags:
                    raise InputError(
                        f"{path}:{line_number}: UPOS '{upos}' is not one of the 17 UD tags"
                    )
                words.append(form)
                tags.append(upos)
            else:
                close_sentence()
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path}:{line_number + 1}: not UTF-8 text near here ({error.reason})"
        ) from error
    if limit is not None:
        sentences = sentences[:limit]
    if not sentences:
        raise InputError(f"{path}: no sentences found")
    return sentences


# --------------------------------------------------------------------------------------------
# Encoding


@dataclass(frozen=True)
class Vocabularies:
    words: dict[str, int]
    chars: dict[str, int]
    tags: dict[str, int]


def build_vocabularies(train: list[Sentence], min_word_count: int) -> Vocabularies:
    """Word vocabulary: lowercased train words seen at least `min_word_count` times; chars from
    the original-case train words. Index 0 is padding and 1 the unknown entry in both."""
    word_counts = Counter(word.lower() for sentence in train for word in sentence.words)
    char_set = {char for sentence in train for word in sentence.words for char in word}

    def indexed(items: list[str]) -> dict[str, int]:
        return {item: position + 2 for position, item in enumerate(items)}

    kept_words = sorted(word for word, count in word_counts.items() if count >= min_word_count)
    return Vocabularies(
        words=indexed(kept_words),
        chars=indexed(sorted(char_set)),
        tags={tag: index for index, tag in enumerate(UPOS_TAGS)},
    )


@dataclass(frozen=True)
class Batch:
    words: np.ndarray  # (batch, length) int32
    chars: np.ndarray  # (batch, length, max_chars) int32
    tags: np.ndarray  # (batch, length) int32, padding = 0 (masked out of the loss)
    tokens: int  # real tokens, not padding


def encode_batch(sentences: list[Sentence], vocab: Vocabularies, max_chars: int) -> Batch:
    """Pads to this batch's own longest sentence; words longer than `max_chars` are cut."""
    length = max(len(sentence.words) for sentence in sentences)
    words = np.zeros((len(sentences), length), dtype=np.int32)
    chars = np.zeros((len(sentences), length, max_chars), dtype=np.int32)
    tags = np.zeros((len(sentences), length), dtype=np.int32)
    for row, sentence in enumerate(sentences):
        for column, (word, tag) in enumerate(zip(sentence.words, sentence.tags, strict=True)):
            words[row, column] = vocab.words.get(word.lower(), UNK_INDEX)
            tags[row, column] = vocab.tags[tag]
            for position, char in enumerate(word[:max_chars]):
                chars[row, column, position] = vocab.chars.get(char, UNK_INDEX)
    tokens = sum(len(sentence.words) for sentence in sentences)
    return Batch(words, chars, tags, tokens)


def training_batch_order(lengths: list[int], batch_size: int, rng: np.random.Generator):
    """Sentence indices sorted by length (ties broken at random) and cut into batches, then
    the batch order shuffled: the same scheme as Spanlight's bucketedBatches."""
    jitter = rng.random(len(lengths))
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], jitter[i]))
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def inference_batch_order(lengths: list[int], batch_size: int) -> list[list[int]]:
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


# --------------------------------------------------------------------------------------------
# Model


def recurrent_layer(args: argparse.Namespace, units: int, **options):
    """One direction of the network's cell. A GRU resets before the recurrent matmul
    (reset_after=False): Cho et al.'s GRU, the one TensorFlow's GRUBlockCell (Spanlight's GRU)
    computes, with the same parameters. On CPU both variants run Keras's generic GRU loop."""
    if args.cell == "gru":
        return keras.layers.GRU(units, reset_after=False, **options)
    return keras.layers.LSTM(units, **options)


def build_model(args: argparse.Namespace, vocab: Vocabularies):
    """The reference network (with --cell gru, every LSTM a GRU). The char BiLSTM runs over all
    words of the batch at once by
    folding (batch, length) into one axis. keras.layers.TimeDistributed is no option here: in
    Keras 3 it maps the LSTM over an unknown time axis with vectorized_map, and the gradient
    of that fails ("Cannot convert a partially known TensorShape <unknown> to a Tensor")."""
    words_in = keras.Input(shape=(None,), dtype="int32", name="words")
    chars_in = keras.Input(shape=(None, args.max_chars), dtype="int32", name="chars")

    word_vectors = keras.layers.Embedding(
        len(vocab.words) + 2, args.word_dim, mask_zero=True, name="word_embedding"
    )(words_in)

    char_embedding = keras.layers.Embedding(
        len(vocab.chars) + 2, args.char_dim, mask_zero=True, name="char_embedding"
    )
    char_bilstm = keras.layers.Bidirectional(
        recurrent_layer(args, args.char_hidden), merge_mode="concat", name=f"char_bi{args.cell}"
    )
    char_vectors = FoldedCharEncoder(char_embedding, char_bilstm, name="char_words")(chars_in)

    features = keras.layers.Concatenate(name="word_and_chars")([word_vectors, char_vectors])
    hidden = keras.layers.Dropout(args.dropout)(features)
    for layer in range(args.lstm_layers):
        hidden = keras.layers.Bidirectional(
            recurrent_layer(args, args.lstm_hidden, return_sequences=True),
            merge_mode="concat",
            name=f"bi{args.cell}_{layer + 1}",
        )(hidden)
    hidden = keras.layers.Dropout(args.dropout)(hidden)
    probabilities = keras.layers.Dense(len(UPOS_TAGS), activation="softmax", name="upos")(hidden)
    return keras.Model([words_in, chars_in], probabilities, name=f"char_word_bi{args.cell}_tagger")


class FoldedCharEncoder(keras.layers.Layer):
    """(batch, length, max_chars) char ids → (batch, length, 2 * char_hidden): one char BiLSTM
    pass over batch * length words; the final state of each direction, concatenated. Masking
    makes the backward direction start at each word's last real character."""

    def __init__(self, embedding, bilstm, **kwargs):
        super().__init__(**kwargs)
        self.embedding = embedding
        self.bilstm = bilstm

    def call(self, chars, training=None):
        shape = keras.ops.shape(chars)
        flat = keras.ops.reshape(chars, (-1, shape[2]))
        vectors = self.embedding(flat)
        mask = keras.ops.not_equal(flat, PAD_INDEX)
        encoded = self.bilstm(vectors, mask=mask, training=training)
        return keras.ops.reshape(encoded, (shape[0], shape[1], self.output_dim))

    @property
    def output_dim(self) -> int:
        return 2 * self.bilstm.forward_layer.units

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], self.output_dim)


# --------------------------------------------------------------------------------------------
# Training and prediction loops


class CustomLoop:
    """tf.GradientTape step and argmax prediction, each one tf.function traced once for any
    batch and sentence length: the input signature leaves both dimensions open. (With
    reduce_retracing alone, the first odd-sized batch, e.g. the last one of an epoch, would
    retrace a step that takes seconds to trace, possibly inside the timed window.)"""

    name = "custom"

    def __init__(self, model, learning_rate: float, max_chars: int):
        self.model = model
        self.optimizer = keras.optimizers.Adam(learning_rate)
        self.optimizer.build(model.trainable_variables)
        self.traces = {"train": 0, "predict": 0}
        words = tf.TensorSpec((None, None), tf.int32)
        chars = tf.TensorSpec((None, None, max_chars), tf.int32)
        self._train = tf.function(
            self._train_step, input_signature=(words, chars, words), reduce_retracing=True
        )
        self._predict = tf.function(
            self._predict_step, input_signature=(words, chars), reduce_retracing=True
        )

    def _train_step(self, words, chars, tags):
        self.traces["train"] += 1  # runs only while tracing
        with tf.GradientTape() as tape:
            probabilities = self.model([words, chars], training=True)
            mask = tf.cast(tf.not_equal(words, PAD_INDEX), probabilities.dtype)
            losses = keras.losses.sparse_categorical_crossentropy(tags, probabilities)
            loss = tf.reduce_sum(losses * mask) / tf.reduce_sum(mask)
        variables = self.model.trainable_variables
        gradients = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(gradients, variables, strict=True))
        return loss

    def _predict_step(self, words, chars):
        self.traces["predict"] += 1
        return tf.argmax(self.model([words, chars], training=False), axis=-1, output_type=tf.int32)

    def train(self, batch: Batch) -> float:
        return float(self._train(batch.words, batch.chars, batch.tags))

    def predict(self, words, chars):
        return self._predict(words, chars).numpy()


class KerasLoop:
    """model.compile + train_on_batch / predict_on_batch. Keras masks the loss with the output
    mask (from mask_zero) and wraps its step in tf.function(reduce_retracing=True) itself."""

    name = "keras"

    def __init__(self, model, learning_rate: float, _max_chars: int):
        self.model = model  # Keras infers input shapes itself: no signature, no max_chars
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate),
            loss="sparse_categorical_crossentropy",
            jit_compile=False,
        )
        # Keras wraps train_step / predict_step in its own tf.function; counting their Python
        # calls counts the traces (the wrapper runs only while tracing).
        self.traces = {"train": 0, "predict": 0}
        model.train_step = self._counted(model.train_step, "train")
        model.predict_step = self._counted(model.predict_step, "predict")

    def _counted(self, step, function: str):
        def counted_step(*args, **kwargs):
            self.traces[function] += 1
            return step(*args, **kwargs)

        return counted_step

    def train(self, batch: Batch) -> float:
        return float(self.model.train_on_batch([batch.words, batch.chars], batch.tags))

    def predict(self, words, chars):
        return np.argmax(self.model.predict_on_batch([words, chars]), axis=-1)


# --------------------------------------------------------------------------------------------
# Measurements


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    return float(np.percentile(np.asarray(sorted_values), fraction * 100))


def run_training(args, loop, batches: list[Batch], rng) -> dict:
    """Fixed-step mode (--train-batches): `warmup` steps untimed (tracing happens there), then
    `train_batches` timed steps. Epoch mode (--epochs): full passes, the first `warmup` steps
    of the run untimed. `batches` come in shuffled order; every further pass reshuffles."""

    def batch_stream():
        order = range(len(batches))
        while True:
            for index in order:
                yield batches[index]
            order = rng.permutation(len(batches))

    timed_tokens = timed_padded = timed_steps = 0
    timed_seconds = 0.0
    step_seconds: list[float] = []
    losses: list[float] = []
    epoch_log: list[dict] = []
    steps_total = (
        args.warmup_batches + args.train_batches
        if args.epochs is None
        else args.epochs * len(batches)
    )
    stream = batch_stream()
    run_start = time.perf_counter()
    epoch_start, epoch_losses = run_start, []
    traces_when_timing_starts = 0
    for step in range(steps_total):
        batch = next(stream)
        if step == args.warmup_batches:
            traces_when_timing_starts = loop.traces["train"]
        start = time.perf_counter()
        loss = loop.train(batch)
        elapsed = time.perf_counter() - start
        losses.append(loss)
        epoch_losses.append(loss)
        if step >= args.warmup_batches:
            timed_steps += 1
            timed_seconds += elapsed
            step_seconds.append(elapsed)
            timed_tokens += batch.tokens
            timed_padded += batch.words.size
        if step + 1 == args.warmup_batches:
            log(f"warm-up done: {args.warmup_batches} steps, loss {loss:.4f}")
        if args.epochs is not None and (step + 1) % len(batches) == 0:
            now = time.perf_counter()
            epoch_log.append(
                {
                    "epoch": len(epoch_log) + 1,
                    "mean_loss": float(np.mean(epoch_losses)),
                    "seconds": now - epoch_start,
                }
            )
            log(
                f"epoch {len(epoch_log)}/{args.epochs}: mean loss "
                f"{epoch_log[-1]['mean_loss']:.4f}, {now - epoch_start:.1f} s"
            )
            epoch_start, epoch_losses = now, []
        elif args.epochs is None and step >= args.warmup_batches and (step + 1) % 25 == 0:
            log(
                f"step {step + 1}/{steps_total}: loss {loss:.4f}, "
                f"{timed_tokens / timed_seconds:.0f} tokens/s so far"
            )
    return {
        "mode": "epochs" if args.epochs is not None else "batches",
        "epochs": args.epochs,
        "batches_per_epoch": len(batches),
        "warmup_batches": args.warmup_batches,
        "timed_batches": timed_steps,
        "timed_tokens": timed_tokens,
        "timed_padded_tokens": timed_padded,
        "timed_seconds": timed_seconds,
        "tokens_per_second": timed_tokens / timed_seconds if timed_seconds else None,
        "batches_per_second": timed_steps / timed_seconds if timed_seconds else None,
        # A retrace or a burst of load from other processes shows as a slow outlier step.
        "step_seconds_median": float(np.median(step_seconds)) if step_seconds else None,
        "step_seconds_max": max(step_seconds) if step_seconds else None,
        "wall_seconds_including_warmup": time.perf_counter() - run_start,
        "traces_while_timed": (
            loop.traces["train"] - traces_when_timing_starts if timed_steps else None
        ),
        "first_loss": losses[0] if losses else None,
        "final_loss": losses[-1] if losses else None,
        "epoch_log": epoch_log,
    }


def run_batch_inference(args, loop, test: list[Sentence], vocab: Vocabularies) -> dict:
    """Tags the whole test set in length-sorted batches; the untimed warm-up pass over two
    batch shapes lets reduce_retracing settle on its generalised trace first."""
    lengths = [len(sentence.words) for sentence in test]
    order = inference_batch_order(lengths, args.batch_size)
    batches = [encode_batch([test[i] for i in indices], vocab, args.max_chars) for indices in order]
    for batch in batches[:1] + batches[-1:]:
        loop.predict(batch.words, batch.chars)

    correct = total = 0
    traces_before = loop.traces["predict"]
    start = time.perf_counter()
    predictions = [loop.predict(batch.words, batch.chars) for batch in batches]
    seconds = time.perf_counter() - start
    traces_while_timed = loop.traces["predict"] - traces_before
    for batch, predicted in zip(batches, predictions, strict=True):
        real = batch.words != PAD_INDEX
        correct += int(np.sum((predicted == batch.tags) & real))
        total += int(np.sum(real))
    return {
        "batch": {
            "sentences": len(test),
            "tokens": total,
            "batches": len(batches),
            "seconds": seconds,
            "tokens_per_second": total / seconds,
            "sentences_per_second": len(test) / seconds,
            "traces_while_timed": traces_while_timed,
        },
        "accuracy": {"token_accuracy": correct / total, "correct": correct, "total": total},
    }


def run_latency(args, loop, test: list[Sentence], vocab: Vocabularies) -> dict:
    """One sentence at a time, in file order: encoding + forward pass + argmax, as a caller
    tagging a single line would pay. The first `latency_warmup` calls are not counted."""
    count = min(args.latency_sentences, len(test))
    warmup = min(args.latency_warmup, len(test))
    for sentence in test[:warmup]:
        batch = encode_batch([sentence], vocab, args.max_chars)
        loop.predict(batch.words, batch.chars)
    timings_ms: list[float] = []
    traces_before = loop.traces["predict"]
    for sentence in test[:count]:
        start = time.perf_counter()
        batch = encode_batch([sentence], vocab, args.max_chars)
        loop.predict(batch.words, batch.chars)
        timings_ms.append((time.perf_counter() - start) * 1000)
    timings_ms.sort()
    return {
        "sentences": count,
        "warmup_sentences": warmup,
        "p50_ms": percentile(timings_ms, 0.50) if timings_ms else None,
        "p95_ms": percentile(timings_ms, 0.95) if timings_ms else None,
        "mean_ms": float(np.mean(timings_ms)) if timings_ms else None,
        "max_ms": timings_ms[-1] if timings_ms else None,
        "traces_while_timed": loop.traces["predict"] - traces_before,
    }


def peak_rss_bytes() -> int:
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


# --------------------------------------------------------------------------------------------
# Command line


def positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {text}")
    return value


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Keras peer of Spanlight's tagger benchmark (char+word BiLSTM or BiGRU, UPOS).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    data = parser.add_argument_group("data")
    data.add_argument("--train", type=Path, required=True, help="CoNLL-U training file")
    data.add_argument("--test", type=Path, required=True, help="CoNLL-U test file")
    data.add_argument(
        "--max-train-sentences",
        type=non_negative_int,
        default=3000,
        help="train on the first N sentences of --train (0 = all)",
    )
    run = parser.add_argument_group("run")
    steps = run.add_mutually_exclusive_group()
    steps.add_argument(
        "--train-batches",
        type=non_negative_int,
        default=100,
        help="timed training steps after the warm-up",
    )
    steps.add_argument(
        "--epochs",
        type=positive_int,
        default=None,
        help="instead of --train-batches: train full passes over the slice",
    )
    run.add_argument(
        "--warmup-batches",
        type=non_negative_int,
        default=10,
        help="untimed training steps first (tracing happens here)",
    )
    run.add_argument("--seed", type=int, default=1)
    run.add_argument(
        "--loop",
        choices=("custom", "keras"),
        default="custom",
        help="custom: tf.function(reduce_retracing=True) train/predict steps; "
        "keras: compile + train_on_batch / predict_on_batch",
    )
    run.add_argument(
        "--latency-sentences",
        type=non_negative_int,
        default=200,
        help="test sentences tagged one at a time for the latency figures",
    )
    run.add_argument("--latency-warmup", type=non_negative_int, default=10)
    run.add_argument(
        "--json", dest="json_out", default="-", help="where to write the JSON result; '-' = stdout"
    )
    net = parser.add_argument_group("network (defaults = the reference configuration)")
    net.add_argument(
        "--cell",
        choices=("lstm", "gru"),
        default="lstm",
        help="the recurrent cell of the char and word layers (gru: reset_after=False)",
    )
    net.add_argument("--batch-size", type=positive_int, default=32)
    net.add_argument("--min-word-count", type=positive_int, default=2)
    net.add_argument("--word-dim", type=positive_int, default=100)
    net.add_argument("--char-dim", type=positive_int, default=30)
    net.add_argument("--char-hidden", type=positive_int, default=50)
    net.add_argument("--max-chars", type=positive_int, default=20)
    net.add_argument("--lstm-hidden", type=positive_int, default=100)
    net.add_argument("--lstm-layers", type=positive_int, default=2)
    net.add_argument("--dropout", type=float, default=0.5)
    net.add_argument("--learning-rate", type=float, default=1e-3)
    args = parser.parse_args(argv)
    if not 0 <= args.dropout < 1:
        parser.error("--dropout must be in [0, 1)")
    if args.epochs is None and args.train_batches == 0 and args.warmup_batches == 0:
        log("note: no training steps requested; accuracy is that of the untrained network")
    return args


def write_json(result: dict, destination: str) -> None:
    text = json.dumps(result, indent=2, sort_keys=False) + "\n"
    if destination == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(destination)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)  # readers never see half a file


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    load_at_start = list(os.getloadavg())

    limit = args.max_train_sentences or None
    train = read_conllu(args.train, limit)
    test = read_conllu(args.test)
    vocab = build_vocabularies(train, args.min_word_count)
    log(
        f"train slice: {len(train)} sentences, {sum(len(s.words) for s in train)} tokens; "
        f"test: {len(test)} sentences; vocab {len(vocab.words) + 2} words, "
        f"{len(vocab.chars) + 2} chars"
    )

    keras.utils.set_random_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    order = training_batch_order([len(s.words) for s in train], args.batch_size, rng)
    batches = [
        encode_batch([train[i] for i in indices], vocab, args.max_chars) for indices in order
    ]

    model = build_model(args, vocab)
    loop = (CustomLoop if args.loop == "custom" else KerasLoop)(
        model, args.learning_rate, args.max_chars
    )
    log(f"model: {model.count_params()} parameters; loop {loop.name}")
    setup_seconds = time.perf_counter() - started

    training = run_training(args, loop, batches, rng)
    if training["tokens_per_second"]:
        log(
            f"training: {training['tokens_per_second']:.0f} tokens/s over "
            f"{training['timed_batches']} timed batches"
        )
    inference = run_batch_inference(args, loop, test, vocab)
    log(
        f"batch tagging: {inference['batch']['tokens_per_second']:.0f} tokens/s; "
        f"test accuracy {inference['accuracy']['token_accuracy']:.4f}"
    )
    latency = run_latency(args, loop, test, vocab)
    if latency["p50_ms"] is not None:
        log(f"single sentence: p50 {latency['p50_ms']:.2f} ms, p95 {latency['p95_ms']:.2f} ms")

    onednn_env = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    rss = peak_rss_bytes()
    result = {
        "schema": SCHEMA,
        "peer": "keras",
        "versions": {
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
        },
        "environment": {
            "TF_ENABLE_ONEDNN_OPTS": onednn_env,
            # TensorFlow 2.9+ turns oneDNN on by default on Linux x86; only "0" turns it off.
            "onednn_enabled": onednn_env != "0"
            if onednn_env is not None
            else (platform.system() == "Linux" and platform.machine() in ("x86_64", "AMD64")),
            "cpu_count": os.cpu_count(),
            "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
            "platform": platform.platform(),
            # Other processes on the machine skew every figure; these say how busy it was.
            "load_average_at_start": load_at_start,
            "load_average_at_end": list(os.getloadavg()),
        },
        "config": {
            "loop": args.loop,
            "seed": args.seed,
            "cell": args.cell,
            "batch_size": args.batch_size,
            "min_word_count": args.min_word_count,
            "word_dim": args.word_dim,
            "char_dim": args.char_dim,
            "char_hidden": args.char_hidden,
            "max_chars": args.max_chars,
            "lstm_hidden": args.lstm_hidden,
            "lstm_layers": args.lstm_layers,
            "dropout": args.dropout,
            "optimizer": "adam",
            "learning_rate": args.learning_rate,
        },
        "data": {
            "train_file": str(args.train),
            "test_file": str(args.test),
            "train_sentences": len(train),
            "train_tokens": sum(len(s.words) for s in train),
            "test_sentences": len(test),
            "test_tokens": sum(len(s.words) for s in test),
            "word_vocabulary": len(vocab.words) + 2,
            "char_vocabulary": len(vocab.chars) + 2,
            "tags": len(UPOS_TAGS),
        },
        "model": {"parameters": int(model.count_params())},
        "train": training,
        "inference": {"batch": inference["batch"], "latency": latency},
        "accuracy": inference["accuracy"],
        "traces_total": loop.traces,
        "memory": {"peak_rss_bytes": rss, "peak_rss_mb": rss / 2**20},
        "timing": {
            "setup_seconds": setup_seconds,
            "total_seconds": time.perf_counter() - started,
        },
    }
    write_json(result, args.json_out)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except InputError as error:
        print(f"[keras-peer] {error}", file=sys.stderr)
        sys.exit(2)
