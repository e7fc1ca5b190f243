/**
 * Annotated documents as training data: each sentence that holds a human decision becomes a
 * tagged sentence (IOB2) with its text and token offsets, ready for `writeCorpus` and then
 * `spanlight train`. Unreviewed sentences are left out (or kept with `wholeDocuments`), because
 * a sentence nobody looked at would teach the model that its entities are `O`.
 */
import { spansToTags } from '../corpus/schemes';
import { tokenizeSentences } from '../tokens';
import type { TaggedSentence, TokenSpan } from '../types';
import { type Annotation, overlaps, REJECTED_LABEL } from './annotation-set';

export interface ExportOptions {
  /** Include spans accepted from model suggestions (default true). */
  includeAccepted?: boolean;
  /** Export every sentence of an annotated document, not only those with annotations. */
  wholeDocuments?: boolean;
}

export interface ExportProblem {
  offset: number;
  message: string;
}

export function annotationsToSentences(
  text: string,
  annotations: readonly Annotation[],
  options: ExportOptions = {},
): { sentences: TaggedSentence[]; problems: ExportProblem[] } {
  const used = annotations.filter((a) => options.includeAccepted !== false || a.origin !== 'accepted');
  const problems: ExportProblem[] = [];
  const sentences: TaggedSentence[] = [];
  const placed = new Set<Annotation>();
  for (const sentence of tokenizeSentences(text)) {
    const inside = used.filter((a) => overlaps(a, sentence));
    if (inside.length === 0 && !options.wholeDocuments) continue;
    const tokenSpans: TokenSpan[] = [];
    for (const a of inside) {
      const first = sentence.tokens.findIndex((t) => t.start === a.start);
      const last = sentence.tokens.findIndex((t) => t.end === a.end);
      if (first < 0 || last < first) {
        problems.push({
          offset: a.start,
          message: `the ${a.label} span ${JSON.stringify(a.text)} does not start and end on token boundaries of one sentence; left out`,
        });
        continue;
      }
      placed.add(a);
      if (a.label !== REJECTED_LABEL) tokenSpans.push({ start: first, end: last + 1, label: a.label });
    }
    const sentenceText = text.slice(sentence.start, sentence.end);
    sentences.push({
      tokens: sentence.tokens.map((t) => t.value),
      tags: spansToTags(tokenSpans, sentence.tokens.length, 'IOB2'),
      text: sentenceText,
      offsets: sentence.tokens.map((t) => [t.start - sentence.start, t.end - sentence.start]),
    });
  }
  for (const a of used) {
    if (!placed.has(a) && !problems.some((p) => p.offset === a.start)) {
      problems.push({
        offset: a.start,
        message: `the ${a.label} span ${JSON.stringify(a.text)} is outside any sentence; left out`,
      });
    }
  }
  return { sentences, problems };
}
