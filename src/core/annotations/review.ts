/**
 * Review state: which sentences of a document the annotator has reviewed for a task, what
 * accepting a sentence does (its remaining suggestions become annotations, and it is marked
 * reviewed), and the progress counts the views show. Sentences are the document's own
 * (`tokenizeSentences` over the whole text), the same ones the editor tags and the export writes.
 */
import { type Annotation, overlaps, type SentenceReview } from './annotation-set';
import type { OffsetRange } from './edits';
import { expandToParagraphs, type RegionSentence, sentencesIn } from './regions';
import type { EntitySuggestion } from './suggestions';

/** Every sentence of a document, with absolute offsets and its text. */
export function documentSentences(text: string): RegionSentence[] {
  return sentencesIn(text, 0, text.length);
}

/** The sentence containing `offset` (or the one ending there), if any. */
export function sentenceAt(sentences: readonly RegionSentence[], offset: number): RegionSentence | undefined {
  return (
    sentences.find((s) => s.start <= offset && offset < s.end) ?? sentences.find((s) => s.end === offset)
  );
}

/** The sentence holding `offset`, tokenizing only the paragraphs around it (not the whole text). */
export function sentenceAround(text: string, offset: number): RegionSentence | undefined {
  const region = expandToParagraphs(text, offset, offset);
  return sentenceAt(sentencesIn(text, region.start, region.end), offset);
}

/** The sentences touched by `[start, end)` (a cursor: the one it is in), tokenizing around them only. */
export function sentencesTouching(text: string, start: number, end: number): RegionSentence[] {
  const region = expandToParagraphs(text, start, end);
  const sentences = sentencesIn(text, region.start, region.end);
  if (start === end) {
    const one = sentenceAt(sentences, start);
    return one ? [one] : [];
  }
  return sentences.filter((s) => s.start < end && start < s.end);
}

export const isSentenceReviewed = (
  reviews: readonly SentenceReview[],
  sentence: OffsetRange,
  task: string,
): boolean => reviews.some((r) => r.task === task && r.start === sentence.start && r.end === sentence.end);

export interface ReviewProgress {
  reviewed: number;
  total: number;
}

/** How many of the sentences are reviewed for `task`. */
export function reviewProgress(
  sentences: readonly OffsetRange[],
  reviews: readonly SentenceReview[],
  task: string,
): ReviewProgress {
  return {
    reviewed: sentences.filter((s) => isSentenceReviewed(reviews, s, task)).length,
    total: sentences.length,
  };
}

/** What accepting sentences does: the spans it adds and the reviews it records. */
export interface AcceptPlan {
  /** The sentences' remaining suggestions (those no annotation of the task covers), accepted. */
  spans: Annotation[];
  reviews: SentenceReview[];
}

/**
 * Accepting `sentences` for `task`: every visible suggestion inside them becomes an `accepted`
 * annotation, and each sentence is marked reviewed. `annotations` are the document's (any task);
 * suggestions covered by one of the task are left alone (the annotation already decided).
 */
export function acceptSentences(
  sentences: readonly RegionSentence[],
  suggestions: readonly EntitySuggestion[],
  annotations: readonly Annotation[],
  task: string,
): AcceptPlan {
  const own = annotations.filter((a) => a.task === task);
  const spans: Annotation[] = [];
  for (const s of suggestions) {
    if (!sentences.some((sentence) => sentence.start <= s.start && s.end <= sentence.end)) continue;
    if (own.some((a) => overlaps(a, s))) continue;
    spans.push({ start: s.start, end: s.end, label: s.label, text: s.text, origin: 'accepted', task });
  }
  return {
    spans,
    reviews: sentences.map((s) => ({ start: s.start, end: s.end, text: s.text, task })),
  };
}

/** The first sentence after `offset` (wrapping to the start) not yet reviewed for `task`. */
export function nextUnreviewed(
  sentences: readonly RegionSentence[],
  reviews: readonly SentenceReview[],
  task: string,
  offset: number,
): RegionSentence | undefined {
  const open = sentences.filter((s) => !isSentenceReviewed(reviews, s, task));
  return open.find((s) => s.start >= offset) ?? open[0];
}
