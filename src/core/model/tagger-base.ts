/**
 * What every tagger offers, whichever backend computes it: the native `Tagger` (TensorFlow,
 * tagger.ts) and the `PortableTagger` (plain typed arrays, portable-tagger.ts). Raw text in,
 * tokens and spans with character offsets out; confidences and alternatives per token.
 */
import { allowedTransitions, tagsToSpans } from '../corpus/schemes';
import { VocabularyIndex } from '../encode/vocab';
import type { Span, TagScheme } from '../types';
import type { CrfConstraints } from './crf-decode';
import type { ModelCard } from './io';
import { type PackedTags, type PredictedPart, TagPacker, unpackScored, unpackTags } from './packed-tags';
import type { SentencePrediction } from './predictions';

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

/** A tagged sentence with what uncertainty measures need of it as a whole. */
export interface ScoredSentence {
  tokens: TaggedToken[];
  /** Natural log of the probability of the predicted tags (see SentencePrediction). */
  logProbability: number;
  /** Sum of the tokens' label-distribution entropies, in nats. */
  entropy: number;
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

const DEFAULT_ALTERNATIVES = 3;

/** Which code computes a tagger's scores. */
export type TaggingBackend = 'tensorflow' | 'portable';

export abstract class TaggerBase {
  readonly index: VocabularyIndex;

  constructor(readonly card: ModelCard) {
    this.index = new VocabularyIndex(card.vocabularies);
  }

  abstract readonly backend: TaggingBackend;

  get labels(): string[] {
    return this.card.vocabularies.labels;
  }

  get scheme(): TagScheme | 'none' {
    return this.card.config.tagScheme;
  }

  /**
   * Tags pre-tokenized sentences. A sentence longer than MAX_WINDOW_TOKENS is tagged in
   * overlapping windows (each token takes the tags of the window it is most central in), so the
   * memory of a call stays bounded however long its sentences are.
   */
  tag(sentences: ReadonlyArray<readonly string[]>, options: TagOptions = {}): TaggedToken[][] {
    return unpackTags(this.tagPacked(sentences, options), sentences, this.labels);
  }

  /**
   * `tag`, with each sentence's log-probability and entropy (uncertainty sampling, the review
   * queue). A windowed sentence's figures add up its windows' in proportion to the tokens each
   * window gives it: per token they stay comparable with other sentences'.
   */
  tagScored(sentences: ReadonlyArray<readonly string[]>, options: TagOptions = {}): ScoredSentence[] {
    return unpackScored(this.tagPacked(sentences, options), sentences, this.labels);
  }

  /**
   * `tagScored` as typed arrays, written batch by batch as the network's predictions come out:
   * a call allocates no object per token (the tagging process answers with this).
   */
  tagPacked(sentences: ReadonlyArray<readonly string[]>, options: TagOptions = {}): PackedTags {
    const packer = new TagPacker(
      sentences.map((s) => s.length),
      this.labels.length,
      options.alternatives ?? DEFAULT_ALTERNATIVES,
    );
    const parts: PredictedPart[] = [];
    const partTokens: Array<readonly string[]> = [];
    sentences.forEach((tokens, sentence) => {
      for (const w of tokenWindows(tokens.length)) {
        parts.push({ sentence, ...w });
        partTokens.push(w.end - w.start === tokens.length ? tokens : tokens.slice(w.start, w.end));
      }
    });
    this.predictBounded(partTokens, options, (i, prediction) => packer.add(parts[i]!, prediction));
    return packer.packed;
  }

  /**
   * Predicts sentences of at most MAX_WINDOW_TOKENS tokens, handing each sentence's prediction
   * to `each` (in any order) as soon as its batch is done: nothing of a batch outlives it.
   */
  protected abstract predictBounded(
    sentences: ReadonlyArray<readonly string[]>,
    options: TagOptions,
    each: (index: number, prediction: SentencePrediction) => void,
  ): void;

  /** Does whatever a first tag() would otherwise do (loading graphs, compiling code paths). */
  abstract warmUp(): void;

  /**
   * Remembers the char-level state of up to `maxWords` words across tag() calls: an editor retags
   * the same document's words over and over. Only for a tagger whose weights no longer change.
   */
  abstract cacheCharStates(maxWords?: number): void;

  abstract dispose(): void;

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

/** Char states by word key, least recently used dropped first (a Map keeps insertion order). */
export class CharStateCache {
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

/** The transitions a CRF model's tag scheme forbids at decode time (none for softmax or POS models). */
export function crfConstraints(card: ModelCard): CrfConstraints | undefined {
  const scheme = card.config.tagScheme;
  if (card.config.output !== 'crf' || scheme === 'none') return undefined;
  const mask = allowedTransitions(card.vocabularies.labels, scheme);
  return { allowed: mask.transitions, allowedStart: mask.start, allowedEnd: mask.end };
}
