import type { Tensor2D } from '@tensorflow/tfjs-node';
import { readFloats } from '../backend';
import { allowedTransitions, tagsToSpans } from '../corpus/schemes';
import { charKey, type EncodedWords, encodeBatch, encodeWords } from '../encode/batch';
import { sortedBatches } from '../encode/buckets';
import { VocabularyIndex } from '../encode/vocab';
import type { KernelImplementation } from '../kernels';
import type { Span, TagScheme } from '../types';
import { recoverFolder } from './folder';
import { loadModelFiles, type ModelCard, type NamedWeight, saveModel } from './io';
import { type NetworkOptions, TaggerNetwork } from './network';

/** A label and its probability. */
export interface LabelScore {
  label: string;
  probability: number;
}

export interface TaggedToken {
  token: string;
  tag: string;
  confidence: number;
  /** The next most likely labels, best first (up to `alternatives`). */
  alternatives: LabelScore[];
}

export interface TextToken {
  start: number;
  end: number;
  text: string;
  tag: string;
  confidence: number;
  alternatives: LabelScore[];
}

export interface TextSpan extends Span {
  text: string;
  /** Mean confidence of the span's tokens. */
  confidence: number;
}

export interface TagTextResult {
  tokens: TextToken[];
  /** Entity spans (entity models) by character offsets; empty for POS models. */
  spans: TextSpan[];
  /** Sentence boundaries as `[start, end)` offsets. */
  sentences: Array<[number, number]>;
}

/** A tokenizer with character offsets; the default is src/core/tokens. */
export type OffsetTokenizer = (
  text: string,
) => Array<{ start: number; end: number; tokens: Array<{ value: string; start: number; end: number }> }>;

export interface TagOptions {
  batchSize?: number;
  /** How many alternative labels to report per token (default 3). */
  alternatives?: number;
}

/**
 * A trained tagger: its card (config, vocabularies, metrics) and its network. Inference runs in
 * length-sorted batches, and every tensor is freed before a call returns.
 */
export class Tagger {
  readonly index: VocabularyIndex;
  private charStateCache: CharStateCache | undefined;

  constructor(
    readonly card: ModelCard,
    readonly network: TaggerNetwork,
  ) {
    this.index = new VocabularyIndex(card.vocabularies);
  }

  static create(card: ModelCard, options: Omit<NetworkOptions, 'constraints'> = {}): Tagger {
    return new Tagger(
      card,
      new TaggerNetwork(card.config, card.vocabularies, { ...options, ...constraintsFor(card) }),
    );
  }

  /** Loads a model folder; throws ModelFileError with a clear message on any problem. */
  static async load(
    folder: string,
    options: { implementation?: KernelImplementation } = {},
  ): Promise<Tagger> {
    // A save that a crash cut between its two renames is finished first (see folder.ts).
    await recoverFolder(folder);
    const { card, weights } = await loadModelFiles(folder);
    const tagger = Tagger.create(card, options);
    try {
      tagger.network.setWeights(weights);
    } catch (err) {
      tagger.dispose();
      const { ModelFileError } = await import('./io');
      throw new ModelFileError(
        folder,
        `the weights do not fit the model's config: ${(err as Error).message}`,
      );
    }
    return tagger;
  }

  get labels(): string[] {
    return this.card.vocabularies.labels;
  }

  get scheme(): TagScheme | 'none' {
    return this.card.config.tagScheme;
  }

  async save(folder: string, cardUpdates: Partial<ModelCard> = {}): Promise<void> {
    const card = { ...this.card, ...cardUpdates };
    const weights: NamedWeight[] = this.network.weights();
    // Embedding tables dominate the size; float16 halves them with no measurable accuracy loss.
    await saveModel(folder, card, weights, { float16: (name) => name.endsWith('_embedding') });
  }

  /**
   * Tags one short sentence, so that the graphs a first tag() loads (one TensorFlow session
   * each, tens of milliseconds) are loaded now, while the model is loading, and not when the
   * first document is waiting for its decorations.
   */
  warmUp(): void {
    this.tag([['Spanlight', 'is', 'ready', '.']]);
  }

  /**
   * Remembers the char BiLSTM state of up to `maxWords` words across tag() calls, so words seen
   * before skip the char BiLSTM: an editor retags the same document's words over and over. Only
   * for a tagger whose weights no longer change (a loaded model, not one being trained).
   */
  cacheCharStates(maxWords = 50_000): void {
    this.charStateCache = new CharStateCache(maxWords);
  }

  /**
   * The distinct words of `tokens` and their char states: from the cache when there is one
   * (computing only the words it lacks), else computed at once when they are few enough.
   */
  private sharedWords(tokens: readonly string[]): { words: EncodedWords; states: Tensor2D } | undefined {
    const { maxWordLength } = this.card.config;
    const cache = this.charStateCache;
    if (!cache) {
      const words = encodeWords(tokens, this.index, this.card.config);
      if (words.rowOf.size > MAX_SHARED_WORDS) return undefined;
      return { words, states: this.network.charStates(words.charGroups) };
    }
    // States of this call's words, held here as well: the cache may drop some of them meanwhile.
    const found = new Map<string, Float32Array | undefined>();
    const missing: string[] = [];
    for (const token of tokens) {
      const key = charKey(token, maxWordLength);
      if (found.has(key)) continue;
      const cached = cache.get(key);
      found.set(key, cached);
      if (!cached) missing.push(token);
    }
    const tf = this.network.tf;
    const width = 2 * this.card.config.charHidden;
    for (let from = 0; from < missing.length; from += MAX_SHARED_WORDS) {
      const computed = encodeWords(
        missing.slice(from, from + MAX_SHARED_WORDS),
        this.index,
        this.card.config,
      );
      const states = readFloats(tf, () => this.network.charStates(computed.charGroups));
      for (const [key, row] of computed.rowOf) {
        const state = states.slice(row * width, (row + 1) * width);
        found.set(key, state);
        cache.set(key, state);
      }
    }
    const values = new Float32Array(found.size * width);
    const rowOf = new Map<string, number>();
    for (const [key, state] of found) {
      values.set(state!, rowOf.size * width);
      rowOf.set(key, rowOf.size);
    }
    return {
      words: { rowOf, charGroups: [] },
      states: tf.tensor2d(values, [rowOf.size, width]),
    };
  }

  /**
   * Tags pre-tokenized sentences. A sentence longer than MAX_WINDOW_TOKENS is tagged in
   * overlapping windows (each token takes the tags of the window it is most central in), so the
   * memory of a call stays bounded however long its sentences are.
   */
  tag(sentences: ReadonlyArray<readonly string[]>, options: TagOptions = {}): TaggedToken[][] {
    const windows = sentences.map((s) => tokenWindows(s.length));
    if (windows.every((w) => w.length === 1)) return this.tagBounded(sentences, options);
    const tagged = this.tagBounded(
      sentences.flatMap((s, i) => windows[i]!.map((w) => s.slice(w.start, w.end))),
      options,
    );
    let next = 0;
    return windows.map((list) =>
      list.flatMap((w) => tagged[next++]!.slice(w.keepFrom - w.start, w.keepTo - w.start)),
    );
  }

  /** Tags sentences of at most MAX_WINDOW_TOKENS tokens. */
  private tagBounded(sentences: ReadonlyArray<readonly string[]>, options: TagOptions): TaggedToken[][] {
    const results: TaggedToken[][] = new Array(sentences.length);
    const alternatives = options.alternatives ?? 3;
    const labels = this.labels;
    const batches = sortedBatches(
      sentences.map((s) => s.length),
      options.batchSize ?? 32,
    );
    // Over several batches, the char BiLSTM runs once per distinct word of ALL of them: a
    // document repeats its words across batches far more than within one. Capped, because the
    // fused kernel keeps every step's activations: a huge input falls back to per-batch words.
    const sharedWords =
      batches.length > 1 || this.charStateCache ? this.sharedWords(sentences.flat()) : undefined;
    const shared = sharedWords?.words;
    const sharedCharStates = sharedWords?.states;
    try {
      for (const indices of batches) {
        const nonEmpty = indices.filter((i) => sentences[i]!.length > 0);
        for (const i of indices) if (sentences[i]!.length === 0) results[i] = [];
        if (nonEmpty.length === 0) continue;
        const batch = encodeBatch(
          nonEmpty.map((i) => ({ tokens: sentences[i]! })),
          this.index,
          this.card.config,
          undefined,
          shared,
        );
        const predictions = this.network.predict(batch, sharedCharStates);
        nonEmpty.forEach((sentenceIndex, b) => {
          const tokens = sentences[sentenceIndex]!;
          results[sentenceIndex] = predictions[b]!.map((p, t) => ({
            token: tokens[t]!,
            tag: labels[p.label]!,
            confidence: p.confidence,
            alternatives: topAlternatives(p.distribution, p.label, labels, alternatives),
          }));
        });
      }
    } finally {
      sharedCharStates?.dispose();
    }
    return results;
  }

  /** Tags raw text: tokens and entity spans with character offsets into `text`. */
  tagText(text: string, tokenizer: OffsetTokenizer, options: TagOptions = {}): TagTextResult {
    return this.tagTexts([text], tokenizer, options)[0]!;
  }

  /**
   * Tags many texts at once: the sentences of all texts share length-sorted batches, which is
   * much faster than one small batch per text (a folder of short listings, say).
   */
  tagTexts(texts: readonly string[], tokenizer: OffsetTokenizer, options: TagOptions = {}): TagTextResult[] {
    const sentencesOf = texts.map((text) => tokenizer(text).filter((s) => s.tokens.length > 0));
    const tagged = this.tag(
      sentencesOf.flatMap((sentences) => sentences.map((s) => s.tokens.map((t) => t.value))),
      options,
    );
    let next = 0;
    return texts.map((text, i) => {
      const sentences = sentencesOf[i]!;
      const tokens: TextToken[] = [];
      const spans: TextSpan[] = [];
      for (const sentence of sentences) {
        const sentenceTags = tagged[next++]!;
        sentence.tokens.forEach((token, t) => {
          const result = sentenceTags[t]!;
          tokens.push({
            start: token.start,
            end: token.end,
            text: token.value,
            tag: result.tag,
            confidence: result.confidence,
            alternatives: result.alternatives,
          });
        });
        if (this.scheme === 'none') continue;
        for (const chunk of tagsToSpans(
          sentenceTags.map((r) => r.tag),
          this.scheme,
        )) {
          const first = sentence.tokens[chunk.start]!;
          const last = sentence.tokens[chunk.end - 1]!;
          let confidence = 0;
          for (let t = chunk.start; t < chunk.end; t++) confidence += sentenceTags[t]!.confidence;
          spans.push({
            start: first.start,
            end: last.end,
            label: chunk.label,
            text: text.slice(first.start, last.end),
            confidence: confidence / (chunk.end - chunk.start),
          });
        }
      }
      return { tokens, spans, sentences: sentences.map((s): [number, number] => [s.start, s.end]) };
    });
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** The longest token sequence the network sees at once (CLI, editor and evaluation alike). */
export const MAX_WINDOW_TOKENS = 250;
/** Tokens shared by consecutive windows: each side keeps half, so every token has context. */
const WINDOW_OVERLAP = 50;

export interface TokenWindow {
  /** The window's tokens: [start, end). */
  start: number;
  end: number;
  /** The tokens whose tags come from this window: [keepFrom, keepTo). */
  keepFrom: number;
  keepTo: number;
}

/** Windows over a sentence of `length` tokens; their kept ranges tile it exactly. */
export function tokenWindows(
  length: number,
  size = MAX_WINDOW_TOKENS,
  overlap = WINDOW_OVERLAP,
): TokenWindow[] {
  if (length <= size) return [{ start: 0, end: length, keepFrom: 0, keepTo: length }];
  const half = Math.floor(overlap / 2);
  const windows: TokenWindow[] = [];
  for (let start = 0; ; start += size - overlap) {
    const end = Math.min(start + size, length);
    const last = end === length;
    windows.push({
      start,
      end,
      keepFrom: start === 0 ? 0 : start + half,
      keepTo: last ? length : end - (overlap - half),
    });
    if (last) return windows;
  }
}

/** Distinct words whose char states one tag() call computes at once (~100 MB of activations). */
const MAX_SHARED_WORDS = 8_000;

/** Char states by word key, least recently used dropped first (a Map keeps insertion order). */
class CharStateCache {
  private readonly states = new Map<string, Float32Array>();

  constructor(private readonly maxWords: number) {}

  get(key: string): Float32Array | undefined {
    const state = this.states.get(key);
    if (state) {
      this.states.delete(key);
      this.states.set(key, state);
    }
    return state;
  }

  set(key: string, state: Float32Array): void {
    this.states.delete(key);
    this.states.set(key, state);
    if (this.states.size > this.maxWords) this.states.delete(this.states.keys().next().value!);
  }
}

function constraintsFor(card: ModelCard): Pick<NetworkOptions, 'constraints'> {
  const scheme = card.config.tagScheme;
  if (card.config.output !== 'crf' || scheme === 'none') return {};
  const mask = allowedTransitions(card.vocabularies.labels, scheme);
  return { constraints: { allowed: mask.transitions, allowedStart: mask.start, allowedEnd: mask.end } };
}

function topAlternatives(
  distribution: Float32Array,
  best: number,
  labels: string[],
  count: number,
): LabelScore[] {
  if (count <= 0) return [];
  // Insertion into a short sorted list: called for every token, so no per-label allocation.
  const top: number[] = [];
  for (let k = 0; k < distribution.length; k++) {
    if (k === best) continue;
    const probability = distribution[k]!;
    if (top.length === count && probability <= distribution[top[count - 1]!]!) continue;
    let at = top.length === count ? count - 1 : top.length;
    while (at > 0 && distribution[top[at - 1]!]! < probability) {
      top[at] = top[at - 1]!;
      at--;
    }
    top[at] = k;
  }
  return top.map((k) => ({ label: labels[k]!, probability: distribution[k]! }));
}
