/**
 * A tagger on the portable backend (portable-network.ts): the same model files and the same
 * results as the native `Tagger` (emissions within 1e-4, tested), for tagging only. Used where
 * native TensorFlow cannot load, and in VS Code for the Web.
 */
import { charKey, charsOf } from '../encode/batch';
import { sortedBatches } from '../encode/buckets';
import { casingClass, normalizeWord, UNK_INDEX } from '../encode/vocab';
import type { CrfConstraints } from './crf-decode';
import type { ModelCard, NamedWeight } from './io';
import { type DistinctProjections, PortableNetwork } from './portable-network';
import { crfPredictions, type SentencePrediction, softmaxPredictions } from './predictions';
import { CharStateCache, crfConstraints, TaggerBase, type TagOptions } from './tagger-base';

/** Distinct tokens whose projections one tag() call computes at once (~25 MB at hidden 100). */
const MAX_SHARED_TOKENS = 8_000;

export class PortableTagger extends TaggerBase {
  readonly backend = 'portable';
  readonly network: PortableNetwork;
  private readonly constraints: CrfConstraints | undefined;
  private charStateCache: CharStateCache | undefined;

  /** Throws when the weights do not fit the card's config (the caller names the folder). */
  constructor(card: ModelCard, weights: readonly NamedWeight[]) {
    super(card);
    this.network = new PortableNetwork(card.config, card.vocabularies, weights);
    this.constraints = crfConstraints(card);
  }

  /** Loads a model folder; throws ModelFileError with a clear message on any problem. */
  static async load(folder: string): Promise<PortableTagger> {
    const { readModelFolder } = await import('./folder');
    return PortableTagger.fromFiles(folder, await readModelFolder(folder));
  }

  /** A tagger of a model folder's files, read and checked by `readModelFolder`. */
  static async fromFiles(
    folder: string,
    { card, weights }: { card: ModelCard; weights: readonly NamedWeight[] },
  ): Promise<PortableTagger> {
    const { ModelFileError } = await import('./io');
    try {
      return new PortableTagger(card, weights);
    } catch (err) {
      throw new ModelFileError(
        folder,
        `the weights do not fit the model's config: ${(err as Error).message}`,
      );
    }
  }

  /** Runs every code path once, so V8 has compiled them before the first document. */
  override warmUp(): void {
    this.tag([['Spanlight', 'is', 'ready', '.']]);
  }

  override cacheCharStates(maxWords = 50_000): void {
    this.charStateCache = new CharStateCache(maxWords);
  }

  override dispose(): void {
    this.charStateCache = undefined;
  }

  protected override predictBounded(
    sentences: ReadonlyArray<readonly string[]>,
    options: TagOptions,
    each: (index: number, prediction: SentencePrediction) => void,
  ): void {
    this.eachEmissions(sentences, options.batchSize, (i, scores) =>
      each(i, this.predict(scores, sentences[i]!.length)),
    );
  }

  /**
   * Each sentence's emission scores, `[length, K]` row-major: what the native network's
   * `logits` computes, in length-sorted batches of `batchSize`.
   */
  emissions(sentences: ReadonlyArray<readonly string[]>, batchSize = 32): Float32Array[] {
    const results: Float32Array[] = sentences.map(() => new Float32Array(0));
    this.eachEmissions(sentences, batchSize, (i, scores) => {
      results[i] = scores;
    });
    return results;
  }

  /** `emissions`, handed to `each` batch by batch (empty sentences are skipped). */
  private eachEmissions(
    sentences: ReadonlyArray<readonly string[]>,
    batchSize = 32,
    each: (index: number, scores: Float32Array) => void,
  ): void {
    const K = this.network.numLabels;
    const all = new Set(sentences.flat());
    const shared = all.size <= MAX_SHARED_TOKENS ? this.project(all) : undefined;
    for (const batch of sortedBatches(
      sentences.map((s) => s.length),
      batchSize,
    )) {
      const running = batch.filter((i) => sentences[i]!.length > 0);
      if (running.length === 0) continue;
      // Longest first: the sentences still running at each step are then a prefix.
      running.sort((a, b) => sentences[b]!.length - sentences[a]!.length);
      const { rowOf, projections } = shared ?? this.project(new Set(running.flatMap((i) => sentences[i]!)));
      const lengths = Int32Array.from(running, (i) => sentences[i]!.length);
      const tokenRows = Int32Array.from(
        running.flatMap((i) => sentences[i]!),
        (token) => rowOf.get(token)!,
      );
      const scores = this.network.emissions({ lengths, tokenRows }, projections);
      let start = 0;
      for (const i of running) {
        each(i, scores.subarray(start * K, (start + sentences[i]!.length) * K));
        start += sentences[i]!.length;
      }
    }
  }

  /** One sentence's predictions from its emission scores `[length, K]` (softmax applied in place). */
  private predict(scores: Float32Array, length: number): SentencePrediction {
    const K = this.network.numLabels;
    if (this.network.crf)
      return crfPredictions(scores, [length], length, this.network.crf, this.constraints)[0]!;
    for (let t = 0; t < length; t++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) max = Math.max(max, scores[t * K + k]!);
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(scores[t * K + k]! - max);
        scores[t * K + k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) scores[t * K + k]! /= sum;
    }
    return softmaxPredictions(scores, [length], length, K)[0]!;
  }

  /** The first word layer's projections of `tokens`, and each token's row in them. */
  private project(tokens: Set<string>): { rowOf: Map<string, number>; projections: DistinctProjections } {
    const { config } = this.card;
    const rowOf = new Map<string, number>();
    const wordIds = new Int32Array(tokens.size);
    const casing = new Int32Array(tokens.size);
    const keys: string[] = [];
    for (const token of tokens) {
      const row = rowOf.size;
      rowOf.set(token, row);
      wordIds[row] = this.index.word.get(normalizeWord(token, config)) ?? UNK_INDEX;
      casing[row] = casingClass(token);
      keys.push(charKey(token, config.maxWordLength));
    }
    return {
      rowOf,
      projections: this.network.projectTokens(wordIds, casing, this.charStates([...tokens], keys)),
    };
  }

  /** Char states of `tokens` (`[tokens, 2 · charHidden]`), from the cache where it has them. */
  private charStates(tokens: readonly string[], keys: readonly string[]): Float32Array {
    const width = 2 * this.card.config.charHidden;
    const states = new Float32Array(tokens.length * width);
    const cache = this.charStateCache;
    const missing: number[] = [];
    keys.forEach((key, row) => {
      const cached = cache?.get(key);
      if (cached) states.set(cached, row * width);
      else missing.push(row);
    });
    if (missing.length === 0) return states;
    const words = missing.map((row) =>
      Int32Array.from(
        charsOf(tokens[row]!, this.card.config.maxWordLength),
        (ch) => this.index.char.get(ch) ?? UNK_INDEX,
      ),
    );
    const computed = this.network.charStates(words);
    missing.forEach((row, w) => {
      const state = computed.slice(w * width, (w + 1) * width);
      states.set(state, row * width);
      cache?.set(keys[row]!, state);
    });
    return states;
  }
}
