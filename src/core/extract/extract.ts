/**
 * Spans → one record per listing. Candidates come from the tagger's spans (source 'model') and
 * from the rule finder (source 'rules'); each is normalized, candidates that read as the same
 * value are grouped, and the best group fills the field: confident model spans first, then rule
 * matches, then model spans below `minModelConfidence`. The other groups are kept as alternatives.
 */
import type { Span } from '../types';
import {
  type Candidate,
  type CandidateSource,
  type ExtractedField,
  FIELD_LABELS,
  type FieldChoice,
  type FieldLabel,
  isFieldLabel,
  type ListingFields,
  type ListingRecord,
} from './fields';
import { normalizeField } from './normalize';
import { findRuleCandidates } from './rules';

/** The part of a tagger result extraction reads (`Tagger.tagText` returns it). */
export interface TaggedSpans {
  spans: ReadonlyArray<Span & { confidence: number }>;
}

export interface ExtractOptions {
  /** Use the rule finder (default true). Without a tagging, rules are the only source. */
  rules?: boolean;
  /** Model spans below this rank after rule matches (default 0.5). */
  minModelConfidence?: number;
}

/**
 * The tagger's field spans as candidates. Sentence splitting can cut a span (`1,800 sq.` | `ft.`):
 * two spans of the same field separated only by spaces are joined back.
 */
export function modelCandidates(text: string, tagged: TaggedSpans): Candidate[] {
  const spans = tagged.spans
    .filter((s): s is Span & { confidence: number; label: FieldLabel } => isFieldLabel(s.label))
    .slice()
    .sort((a, b) => a.start - b.start);
  const joined: Candidate[] = [];
  for (const span of spans) {
    const previous = joined[joined.length - 1];
    if (previous && previous.label === span.label && /^\s*$/.test(text.slice(previous.end, span.start))) {
      joined[joined.length - 1] = {
        ...previous,
        end: span.end,
        text: text.slice(previous.start, span.end),
        confidence: Math.min(previous.confidence, span.confidence),
      };
      continue;
    }
    joined.push({
      label: span.label,
      start: span.start,
      end: span.end,
      text: text.slice(span.start, span.end),
      confidence: span.confidence,
      source: 'model',
    });
  }
  return joined;
}

type Ranked = Candidate & { display: string; value: unknown; warnings: string[]; rank: number };

function rankOf(candidate: Candidate, warnings: number, minModelConfidence: number): number {
  // Lower is better: confident model spans, then rules, then unsure model spans; warnings last.
  const tier = candidate.source === 'model' ? (candidate.confidence >= minModelConfidence ? 0 : 2) : 1;
  return tier * 2 + (warnings > 0 ? 1 : 0);
}

function chooseField<L extends FieldLabel>(
  label: L,
  candidates: readonly Candidate[],
  minModelConfidence: number,
): ExtractedField<L> | null {
  const ranked: Ranked[] = [];
  for (const candidate of candidates) {
    if (candidate.label !== label) continue;
    const normalized = normalizeField(label, candidate.text);
    if (!normalized) continue;
    ranked.push({
      ...candidate,
      display: normalized.display,
      value: normalized.value,
      warnings: normalized.warnings,
      rank: rankOf(candidate, normalized.warnings.length, minModelConfidence),
    });
  }
  ranked.sort((a, b) => a.rank - b.rank || b.confidence - a.confidence || a.start - b.start);
  const groups = new Map<string, FieldChoice<L>>();
  for (const c of ranked) {
    const span = {
      start: c.start,
      end: c.end,
      label,
      text: c.text,
      source: c.source,
      confidence: c.confidence,
    };
    const group = groups.get(c.display);
    if (group) {
      if (!group.spans.some((s) => s.start === c.start && s.end === c.end)) group.spans.push(span);
      continue;
    }
    groups.set(c.display, {
      value: c.value as FieldChoice<L>['value'],
      display: c.display,
      spans: [span],
      confidence: c.confidence,
      source: c.source as CandidateSource,
      warnings: c.warnings,
    });
  }
  const [best, ...alternatives] = [...groups.values()];
  if (!best) return null;
  return { label, ...best, alternatives };
}

/** Extracts one listing's record from its text and, when a model ran, its tagging. */
export function extractRecord(
  text: string,
  tagged: TaggedSpans | null = null,
  options: ExtractOptions & { id?: string } = {},
): ListingRecord {
  const candidates = [
    ...(tagged ? modelCandidates(text, tagged) : []),
    ...(options.rules === false ? [] : findRuleCandidates(text)),
  ];
  const minModelConfidence = options.minModelConfidence ?? 0.5;
  const fields = Object.fromEntries(
    FIELD_LABELS.map((label) => [label, chooseField(label, candidates, minModelConfidence)]),
  ) as ListingFields;
  return { id: options.id ?? '', fields };
}

/** The record's canonical values, one per field (null when absent): what evaluation compares. */
export function recordDisplays(record: ListingRecord): Record<FieldLabel, string | null> {
  return Object.fromEntries(
    FIELD_LABELS.map((label) => [label, record.fields[label]?.display ?? null]),
  ) as Record<FieldLabel, string | null>;
}
