/**
 * Extraction of many listings at once. With a model, the sentences of all listings are tagged in
 * one `Tagger.tag` call, so the network runs on full length-sorted batches instead of one small
 * batch per listing (the cost that dominates a folder of short listings).
 */
import { tagsToSpans } from '../corpus/schemes';
import type { OffsetTokenizer, TaggedToken, TagOptions } from '../model/tagger';
import { tokenizeSentences } from '../tokens';
import { type ExtractOptions, extractRecord, type TaggedSpans } from './extract';
import type { ListingRecord } from './fields';

/** What batch extraction needs of a tagger (a `Tagger` fits). */
export interface SpanTagger {
  readonly scheme: string;
  tag(sentences: ReadonlyArray<readonly string[]>, options?: TagOptions): TaggedToken[][];
}

export interface Listing {
  id: string;
  text: string;
}

/**
 * Tags every listing's sentences in one batched call and returns each listing's field spans,
 * with the span confidence `Tagger.tagText` gives (the mean of its tokens' confidences).
 */
export function tagListings(
  tagger: SpanTagger,
  texts: readonly string[],
  options: TagOptions & { tokenizer?: OffsetTokenizer } = {},
): TaggedSpans[] {
  const tokenizer = options.tokenizer ?? tokenizeSentences;
  // A POS model has no spans to give.
  if (tagger.scheme === 'none') return texts.map(() => ({ spans: [] }));
  const sentences = texts.map((text) => tokenizer(text).filter((s) => s.tokens.length > 0));
  const flat = sentences.flatMap((perText) => perText.map((s) => s.tokens.map((t) => t.value)));
  const tagged = tagger.tag(flat, { batchSize: options.batchSize ?? 64, alternatives: 0 });
  let next = 0;
  return texts.map((text, i) => {
    const spans: TaggedSpans['spans'][number][] = [];
    for (const sentence of sentences[i]!) {
      const tags = tagged[next++]!;
      for (const chunk of tagsToSpans(tags.map((t) => t.tag))) {
        const first = sentence.tokens[chunk.start]!;
        const last = sentence.tokens[chunk.end - 1]!;
        let confidence = 0;
        for (let t = chunk.start; t < chunk.end; t++) confidence += tags[t]!.confidence;
        spans.push({
          start: first.start,
          end: last.end,
          label: chunk.label,
          confidence: confidence / (chunk.end - chunk.start),
          text: text.slice(first.start, last.end),
        } as TaggedSpans['spans'][number]);
      }
    }
    return { spans };
  });
}

/** One record per listing; with a tagger, its spans come first and the rules complete them. */
export function extractListings(
  listings: readonly Listing[],
  tagger: SpanTagger | null = null,
  options: ExtractOptions & TagOptions = {},
): ListingRecord[] {
  const tagged = tagger
    ? tagListings(
        tagger,
        listings.map((l) => l.text),
        options,
      )
    : null;
  return listings.map((listing, i) =>
    extractRecord(listing.text, tagged ? tagged[i]! : null, { ...options, id: listing.id }),
  );
}
