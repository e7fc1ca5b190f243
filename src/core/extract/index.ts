/** Template extraction: listing text (+ tagger spans) → one normalized record per listing. */

export {
  extractFromSpans,
  extractListings,
  LISTING_TAG_OPTIONS,
  type Listing,
  type SpanTagger,
  tagListings,
} from './batch';
export {
  type Assessed,
  alignModelToRules,
  CONTRADICTING_CONTEXT,
  type CombinedCandidate,
  groupConfidence,
  groupTier,
  implausibility,
  Tier,
} from './combine';
export {
  type ExtractionEvaluation,
  type ExtractionMistake,
  evaluateExtraction,
  type FieldScore,
  formatExtractionEvaluation,
} from './evaluate';
export {
  type ExtractOptions,
  extractRecord,
  modelCandidates,
  recordDisplays,
  type TaggedSpans,
} from './extract';
export * from './fields';
export { ListingInputError, readListings, recordsToCsv } from './files';
export {
  type GoldField,
  GoldFileError,
  type GoldListing,
  goldSpanRecord,
  locateOnTokens,
  parseGoldJsonl,
  parseHandwrittenListings,
} from './gold';
export {
  normalizeField,
  normalizeOwner,
  normalizePhone,
  normalizePrice,
  normalizeRef,
  normalizeRooms,
  normalizeSurface,
  normalizeYear,
  parseLocaleNumber,
} from './normalize';
export { findRuleCandidates } from './rules';
