/**
 * Spans → one record per listing. Candidates come from the tagger's spans (source 'model') and
 * from the rule finder (source 'rules'); model spans are aligned with the rules (combine.ts), each
 * candidate is normalized, candidates that read as the same value are grouped, and the best group
 * fills the field: values both sources found, then confident model spans, then rule matches, then
 * unsure or contradicted model spans. The other groups are kept as alternatives.
 */
import type { Span } from '../types';
import {
  type Assessed,
  alignModelToRules,
  type CombinedCandidate,
  groupConfidence,
  groupTier,
  implausibility,
  Tier,
} from './combine';
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

function assess<L extends FieldLabel>(label: L, candidate: CombinedCandidate): Assessed | null {
  const normalized = normalizeField(label, candidate.text);
  if (!normalized) return null;
  return {
    ...candidate,
    display: normalized.display,
    value: normalized.value,
    warnings: normalized.warnings,
    implausible: candidate.source === 'model' ? implausibility(label, candidate.text, normalized) : null,
  };
}

interface Group {
  members: Assessed[];
  tier: Tier;
  confidence: number;
}

function chooseField<L extends FieldLabel>(
  label: L,
  candidates: readonly CombinedCandidate[],
  minModelConfidence: number,
): ExtractedField<L> | null {
  const byDisplay = new Map<string, Assessed[]>();
  for (const candidate of candidates) {
    if (candidate.label !== label) continue;
    const assessed = assess(label, candidate);
    if (!assessed) continue;
    byDisplay.set(assessed.display, [...(byDisplay.get(assessed.display) ?? []), assessed]);
  }
  const groups: Group[] = [...byDisplay.values()].map((members) => ({
    members,
    tier: groupTier(members, minModelConfidence),
    confidence: groupConfidence(members),
  }));
  // Warnings (an implausible amount, a repeated unit) sink a value within its tier.
  const warned = (g: Group): number => (g.members[0]!.warnings.length > 0 ? 1 : 0);
  groups.sort(
    (a, b) =>
      a.tier - b.tier ||
      warned(a) - warned(b) ||
      b.confidence - a.confidence ||
      Math.min(...a.members.map((m) => m.start)) - Math.min(...b.members.map((m) => m.start)),
  );
  // An implausible value (a REF that is a floor, an OWNER that is "et") is no value of the field.
  const [best, ...alternatives] = groups
    .filter((group) => group.tier !== Tier.Implausible)
    .map((group) => toChoice<L>(label, group));
  if (!best) return null;
  return { label, ...best, alternatives };
}

function toChoice<L extends FieldLabel>(label: L, group: Group): FieldChoice<L> {
  // Best span first: model spans that a rule confirmed, then by confidence.
  const members = [...group.members].sort(
    (a, b) =>
      Number(b.agreed ?? false) - Number(a.agreed ?? false) ||
      Number(a.contradicted ?? false) - Number(b.contradicted ?? false) ||
      b.confidence - a.confidence ||
      a.start - b.start,
  );
  const spans: FieldChoice<L>['spans'] = [];
  for (const m of members) {
    if (spans.some((s) => s.start === m.start && s.end === m.end)) continue;
    spans.push({
      start: m.start,
      end: m.end,
      label,
      text: m.text,
      source: m.source,
      confidence: m.confidence,
    });
  }
  const first = members[0]!;
  const warnings = first.implausible ? [...first.warnings, first.implausible] : first.warnings;
  return {
    value: first.value as FieldChoice<L>['value'],
    display: first.display,
    spans,
    confidence: group.confidence,
    source: first.source as CandidateSource,
    warnings,
  };
}

/** Extracts one listing's record from its text and, when a model ran, its tagging. */
export function extractRecord(
  text: string,
  tagged: TaggedSpans | null = null,
  options: ExtractOptions & { id?: string } = {},
): ListingRecord {
  const candidates = alignModelToRules(
    text,
    tagged ? modelCandidates(text, tagged) : [],
    options.rules === false ? [] : findRuleCandidates(text),
  );
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
