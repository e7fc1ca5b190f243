/**
 * Annotated documents as training data for one task: each sentence the annotator reviewed for
 * the task becomes a tagged sentence (IOB2) with its text and token offsets, complete (its
 * annotations are its entities; every other token is outside), ready for `writeCorpus` and then
 * `spanlight train`. Sentences nobody reviewed are left out and counted, never written with
 * their entities as `O`; other tasks' spans never appear; a rejection (`O`) is never a label.
 */
import { spansToTags } from '../corpus/schemes';
import type { TaggedSentence, TokenSpan } from '../types';
import { type Annotation, overlaps, REJECTED_LABEL, type SentenceReview } from './annotation-set';
import { documentSentences, isSentenceReviewed } from './review';

export interface ExportProblem {
  offset: number;
  message: string;
}

export interface DocumentExport {
  sentences: TaggedSentence[];
  problems: ExportProblem[];
  /** Sentences left out because they are not reviewed for the task. */
  unreviewed: number;
  /** Of those, how many hold annotations of the task (work begun but not accepted). */
  unreviewedAnnotated: number;
  /** Reviewed sentences left out because a span in them does not fit the tokens. */
  misaligned: number;
}

export function annotationsToSentences(
  text: string,
  annotations: readonly Annotation[],
  reviews: readonly SentenceReview[],
  task: string,
): DocumentExport {
  const own = annotations.filter((a) => a.task === task);
  const result: DocumentExport = {
    sentences: [],
    problems: [],
    unreviewed: 0,
    unreviewedAnnotated: 0,
    misaligned: 0,
  };
  const placed = new Set<Annotation>();
  for (const sentence of documentSentences(text)) {
    const inside = own.filter((a) => overlaps(a, sentence));
    if (!isSentenceReviewed(reviews, sentence, task)) {
      result.unreviewed++;
      if (inside.length > 0) result.unreviewedAnnotated++;
      for (const a of inside) placed.add(a);
      continue;
    }
    const tokenSpans: TokenSpan[] = [];
    let fits = true;
    for (const a of inside) {
      placed.add(a);
      const first = sentence.tokens.findIndex((t) => t.start === a.start);
      const last = sentence.tokens.findIndex((t) => t.end === a.end);
      if (first < 0 || last < first) {
        // Writing the sentence without this span would teach that its tokens are outside.
        result.problems.push({
          offset: a.start,
          message: `the ${a.label} span ${JSON.stringify(a.text)} does not start and end on token boundaries of one sentence; its sentence is left out`,
        });
        fits = false;
        continue;
      }
      if (a.label !== REJECTED_LABEL) tokenSpans.push({ start: first, end: last + 1, label: a.label });
    }
    if (!fits) {
      result.misaligned++;
      continue;
    }
    result.sentences.push({
      tokens: sentence.tokens.map((t) => t.value),
      tags: spansToTags(tokenSpans, sentence.tokens.length, 'IOB2'),
      text: sentence.text,
      offsets: sentence.tokens.map((t) => [t.start - sentence.start, t.end - sentence.start]),
    });
  }
  for (const a of own) {
    if (!placed.has(a)) {
      result.problems.push({
        offset: a.start,
        message: `the ${a.label} span ${JSON.stringify(a.text)} is outside any sentence; left out`,
      });
    }
  }
  return result;
}
