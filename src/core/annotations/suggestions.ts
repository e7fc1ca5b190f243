/**
 * Model suggestions for sentences of a document: tokens with their tag (POS) and entity spans,
 * tagged in batches that yield to the event loop, with a per-sentence cache and cancellation.
 */
import { OUTSIDE_TAG, parseTag, tagsToSpans } from '../corpus/schemes';
import type { LabelScore, ScoredSentence, TaggedToken, TagOptions } from '../model/tagger';
import type { TagScheme } from '../types';
import type { SentenceCache } from './cache';
import { shiftSpans, type TextChange } from './edits';
import type { RegionSentence } from './regions';

/** What the editor needs from a tagger (the real `Tagger` fits; tests may pass their own). */
export interface SentenceTagger {
  readonly labels: string[];
  readonly scheme: TagScheme | 'none';
  /** In this process (`Tagger`) or another (the editor's `RemoteTagger`). */
  tag(
    sentences: ReadonlyArray<readonly string[]>,
    options?: TagOptions,
  ): TaggedToken[][] | Promise<TaggedToken[][]>;
  /** `tag` with each sentence's log-probability and entropy, when the tagger reports them (the review queue's uncertainty). */
  tagScored?(
    sentences: ReadonlyArray<readonly string[]>,
    options?: TagOptions,
  ): ScoredSentence[] | Promise<ScoredSentence[]>;
}

export interface TokenSuggestion {
  start: number;
  end: number;
  /** The tag (`NOUN`, `B-PER`…). */
  label: string;
  confidence: number;
  alternatives: LabelScore[];
}

export interface EntitySuggestion {
  start: number;
  end: number;
  label: string;
  text: string;
  /** Mean confidence of the span's tokens. */
  confidence: number;
  /** Other entity labels (and `O`) for the span, from its first token's distribution. */
  alternatives: LabelScore[];
}

/** Suggestions for one sentence; offsets are relative to the sentence start while cached. */
export interface SentenceSuggestions {
  start: number;
  end: number;
  tokens: TokenSuggestion[];
  entities: EntitySuggestion[];
  /** Natural log of the probability of the suggested tags as a whole (the CRF's path), when the tagger reports it. */
  logProbability?: number;
  /** The tokens' summed label-distribution entropy (nats), when the tagger reports it. */
  entropy?: number;
}

/** Entity-level alternatives from a token's tag distribution: `B-ORG` and `I-ORG` both count for ORG. */
export function entityAlternatives(token: TaggedToken, chosen: string): LabelScore[] {
  const byLabel = new Map<string, number>();
  for (const { label, probability } of [
    { label: token.tag, probability: token.confidence },
    ...token.alternatives,
  ]) {
    const entity = label === OUTSIDE_TAG ? OUTSIDE_TAG : parseTag(label).label;
    byLabel.set(entity, (byLabel.get(entity) ?? 0) + probability);
  }
  byLabel.delete(chosen);
  return [...byLabel]
    .map(([label, probability]) => ({ label, probability }))
    .sort((a, b) => b.probability - a.probability);
}

/** Suggestions of one tagged sentence, relative to its start. */
export function sentenceSuggestions(
  sentence: RegionSentence,
  tagged: readonly TaggedToken[],
  scheme: TagScheme | 'none',
  scores?: Pick<ScoredSentence, 'logProbability' | 'entropy'>,
): SentenceSuggestions {
  const base = sentence.start;
  const tokens = sentence.tokens.map((t, i) => ({
    start: t.start - base,
    end: t.end - base,
    label: tagged[i]!.tag,
    confidence: tagged[i]!.confidence,
    alternatives: tagged[i]!.alternatives,
  }));
  const entities: EntitySuggestion[] =
    scheme === 'none'
      ? []
      : tagsToSpans(tagged.map((t) => t.tag)).map((chunk) => {
          const first = tokens[chunk.start]!;
          const last = tokens[chunk.end - 1]!;
          let confidence = 0;
          for (let i = chunk.start; i < chunk.end; i++) confidence += tagged[i]!.confidence;
          return {
            start: first.start,
            end: last.end,
            label: chunk.label,
            text: sentence.text.slice(first.start, last.end),
            confidence: confidence / (chunk.end - chunk.start),
            alternatives: entityAlternatives(tagged[chunk.start]!, chunk.label),
          };
        });
  return {
    start: 0,
    end: sentence.end - sentence.start,
    tokens,
    entities,
    ...(scores ? { logProbability: scores.logProbability, entropy: scores.entropy } : {}),
  };
}

/** The cached (relative) suggestions placed at a sentence's offsets. */
export function placeSuggestions(relative: SentenceSuggestions, start: number): SentenceSuggestions {
  const shift = <T extends { start: number; end: number }>(x: T): T => ({
    ...x,
    start: x.start + start,
    end: x.end + start,
  });
  return {
    ...relative,
    start,
    end: relative.end + start,
    tokens: relative.tokens.map(shift),
    entities: relative.entities.map(shift),
  };
}

/**
 * A tagged sentence through an edit, until it is tagged again: suggestions the edit did not touch
 * move with their text, those it touched are dropped, and the sentence's extent stretches over
 * the edit. Dropping the whole sentence instead would make its label names (inlay hints, which
 * take room in the line) vanish and come back at every pause in typing. Undefined when nothing of
 * the sentence is left.
 */
export function followSentenceEdit(
  sentence: SentenceSuggestions,
  changes: readonly TextChange[],
): SentenceSuggestions | undefined {
  let { start, end } = sentence;
  // Changes from the last offset to the first, so each is against the text the next one saw.
  for (const change of [...changes].sort((a, b) => b.rangeOffset - a.rangeOffset)) {
    const editEnd = change.rangeOffset + change.rangeLength;
    const delta = change.text.length - change.rangeLength;
    if (editEnd <= start) start += delta;
    else if (change.rangeOffset < start) start = change.rangeOffset;
    if (editEnd <= end) end += delta;
    else if (change.rangeOffset < end) end = change.rangeOffset + change.text.length;
  }
  if (end <= start) return undefined;
  return {
    ...sentence,
    start,
    end,
    tokens: shiftSpans(sentence.tokens, changes),
    entities: shiftSpans(sentence.entities, changes),
  };
}

export class TaggingCancelled extends Error {
  constructor() {
    super('tagging cancelled');
    this.name = 'TaggingCancelled';
  }
}

export interface TagSentencesOptions {
  /** Identifies the model in the cache. */
  modelKey: string;
  /** Sentences per network batch (the tagger's `batchSize`). */
  batchSize?: number;
  /**
   * Tokens per call to the tagger (whole sentences; at least one): between calls the run yields
   * and can be cancelled. Larger calls waste less on round trips to a tagging process.
   */
  requestTokens?: number;
  alternatives?: number;
  signal?: AbortSignal;
  /** Called between calls so other work can run; default: a macrotask (`setImmediate`). */
  yieldToEventLoop?: () => Promise<void>;
}

/** ~40 ms of tagging on 2 cores (shipped models): a stale run finishes its call that soon. */
const DEFAULT_REQUEST_TOKENS = 2_000;

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Suggestions for `sentences` (absolute offsets), in their order. Cached sentences cost nothing;
 * the rest are tagged `requestTokens` at a time, yielding between calls; an aborted `signal` stops
 * the run with `TaggingCancelled` at the next call boundary.
 */
export async function tagSentences(
  tagger: SentenceTagger,
  sentences: readonly RegionSentence[],
  cache: SentenceCache<SentenceSuggestions>,
  options: TagSentencesOptions,
): Promise<SentenceSuggestions[]> {
  const batchSize = options.batchSize ?? 32;
  const pause = options.yieldToEventLoop ?? nextMacrotask;
  const relative: Array<SentenceSuggestions | undefined> = sentences.map((s) =>
    cache.get(options.modelKey, s.text),
  );
  // Each distinct uncached text is tagged once (a document repeats boilerplate sentences), and
  // in order of length, so the sentences of a batch are alike and little of it is padding.
  const positionsOf = new Map<string, number[]>();
  sentences.forEach((sentence, i) => {
    if (relative[i] !== undefined) return;
    const positions = positionsOf.get(sentence.text);
    if (positions) positions.push(i);
    else positionsOf.set(sentence.text, [i]);
  });
  const missing = [...positionsOf.values()]
    .map((positions) => positions[0]!)
    .sort((a, b) => sentences[a]!.tokens.length - sentences[b]!.tokens.length);
  const requestTokens = options.requestTokens ?? DEFAULT_REQUEST_TOKENS;
  for (let from = 0; from < missing.length; ) {
    if (options.signal?.aborted) throw new TaggingCancelled();
    let to = from + 1;
    let tokens = sentences[missing[from]!]!.tokens.length;
    while (to < missing.length && tokens + sentences[missing[to]!]!.tokens.length <= requestTokens) {
      tokens += sentences[missing[to]!]!.tokens.length;
      to++;
    }
    const batch = missing.slice(from, to);
    from = to;
    const words = batch.map((i) => sentences[i]!.tokens.map((t) => t.value));
    const tagOptions = { batchSize, alternatives: options.alternatives ?? 3 };
    const tagged: Array<ScoredSentence | { tokens: TaggedToken[]; logProbability?: undefined }> =
      tagger.tagScored
        ? await tagger.tagScored(words, tagOptions)
        : (await tagger.tag(words, tagOptions)).map((t) => ({ tokens: t }));
    batch.forEach((sentenceIndex, b) => {
      const sentence = sentences[sentenceIndex]!;
      const scored = tagged[b]!;
      const result = sentenceSuggestions(
        sentence,
        scored.tokens,
        tagger.scheme,
        scored.logProbability !== undefined ? scored : undefined,
      );
      cache.set(options.modelKey, sentence.text, result);
      for (const position of positionsOf.get(sentence.text)!) relative[position] = result;
    });
    if (from < missing.length) await pause();
  }
  if (options.signal?.aborted) throw new TaggingCancelled();
  return relative.map((r, i) => placeSuggestions(r!, sentences[i]!.start));
}
