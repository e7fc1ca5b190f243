/**
 * Extraction of many listings at once. With a model, the sentences of all listings are tagged in
 * one `Tagger.tag` call, so the network runs on full length-sorted batches instead of one small
 * batch per listing (the cost that dominates a folder of short listings).
 */
import type { OffsetTokenizer, TagOptions } from '../model/tagger';
import { tokenizeSentences } from '../tokens';
import { type ExtractOptions, extractRecord, type TaggedSpans } from './extract';
import type { ListingRecord } from './fields';

/** What batch extraction needs of a tagger (a `Tagger` fits). */
export interface SpanTagger {
  tagTexts(texts: readonly string[], tokenizer: OffsetTokenizer, options?: TagOptions): TaggedSpans[];
}

export interface Listing {
  id: string;
  text: string;
}

/** How listings are tagged: whole texts in large batches, no alternative labels. */
export const LISTING_TAG_OPTIONS: TagOptions = { batchSize: 64, alternatives: 0 };

/**
 * Tags every listing in one batched call (`Tagger.tagTexts`) and returns each listing's field
 * spans, with the span confidence the tagger gives (the mean of its tokens' confidences).
 */
export function tagListings(
  tagger: SpanTagger,
  texts: readonly string[],
  options: TagOptions & { tokenizer?: OffsetTokenizer } = {},
): TaggedSpans[] {
  return tagger
    .tagTexts(texts, options.tokenizer ?? tokenizeSentences, {
      ...LISTING_TAG_OPTIONS,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    })
    .map(({ spans }) => ({ spans }));
}

/** One record per listing from spans tagged elsewhere (or none: rules only). */
export function extractFromSpans(
  listings: readonly Listing[],
  tagged: readonly TaggedSpans[] | null,
  options: ExtractOptions = {},
): ListingRecord[] {
  return listings.map((listing, i) =>
    extractRecord(listing.text, tagged ? tagged[i]! : null, { ...options, id: listing.id }),
  );
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
  return extractFromSpans(listings, tagged, options);
}
