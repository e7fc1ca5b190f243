import type { Tensor2D } from '@tensorflow/tfjs-node';
import { readFloats } from '../backend';
import { charKey, type EncodedWords, encodeBatch, encodeWords } from '../encode/batch';
import { sortedBatches } from '../encode/buckets';
import type { KernelImplementation } from '../kernels';
import { readModelFolder } from './folder';
import { type ModelCard, type NamedWeight, saveModel } from './io';
import { type NetworkOptions, TaggerNetwork } from './network';
import type { SentencePrediction } from './predictions';
import { CharStateCache, crfConstraints, TaggerBase, type TagOptions } from './tagger-base';

export type {
  LabelScore,
  OffsetTokenizer,
  ScoredSentence,
  TaggedToken,
  TagOptions,
  TagTextResult,
  TextSpan,
  TextToken,
} from './tagger-base';
export { MAX_WINDOW_TOKENS, type TokenWindow, tokenWindows } from './tagger-base';

/**
 * A trained tagger on native TensorFlow: its card (config, vocabularies, metrics) and its
 * network. Inference runs in length-sorted batches, and every tensor is freed before a call
 * returns.
 */
export class Tagger extends TaggerBase {
  readonly backend = 'tensorflow';
  private charStateCache: CharStateCache | undefined;

  constructor(
    card: ModelCard,
    readonly network: TaggerNetwork,
  ) {
    super(card);
  }

  static create(card: ModelCard, options: Omit<NetworkOptions, 'constraints'> = {}): Tagger {
    const constraints = crfConstraints(card);
    return new Tagger(
      card,
      new TaggerNetwork(card.config, card.vocabularies, {
        ...options,
        ...(constraints ? { constraints } : {}),
      }),
    );
  }

  /** Loads a model folder; throws ModelFileError with a clear message on any problem. */
  static async load(
    folder: string,
    options: { implementation?: KernelImplementation } = {},
  ): Promise<Tagger> {
    return Tagger.fromFiles(folder, await readModelFolder(folder), options);
  }

  /** A tagger of a model folder's files, read and checked by `readModelFolder`. */
  static async fromFiles(
    folder: string,
    { card, weights }: { card: ModelCard; weights: NamedWeight[] },
    options: { implementation?: KernelImplementation } = {},
  ): Promise<Tagger> {
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
  override warmUp(): void {
    this.tag([['Spanlight', 'is', 'ready', '.']]);
  }

  /**
   * Remembers the char BiLSTM state of up to `maxWords` words across tag() calls, so words seen
   * before skip the char BiLSTM: an editor retags the same document's words over and over. Only
   * for a tagger whose weights no longer change (a loaded model, not one being trained).
   */
  override cacheCharStates(maxWords = 50_000): void {
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

  /** Predicts sentences of at most MAX_WINDOW_TOKENS tokens (TaggerBase.tagPacked windows longer ones). */
  protected override predictBounded(
    sentences: ReadonlyArray<readonly string[]>,
    options: TagOptions,
    each: (index: number, prediction: SentencePrediction) => void,
  ): void {
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
        for (const i of indices) if (sentences[i]!.length === 0) each(i, EMPTY_SENTENCE);
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
          each(sentenceIndex, predictions[b]!);
        });
      }
    } finally {
      sharedCharStates?.dispose();
    }
  }

  override dispose(): void {
    this.network.dispose();
  }
}

const EMPTY_SENTENCE: SentencePrediction = {
  length: 0,
  labels: [],
  distributions: [],
  logProbability: 0,
  entropy: 0,
};

/** Distinct words whose char states one tag() call computes at once (~100 MB of activations). */
const MAX_SHARED_WORDS = 8_000;
