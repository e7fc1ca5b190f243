/**
 * The template panel's record: an extracted listing record (src/core/extract) with the document's
 * human annotations laid over it, and the span a correction from the form stands for. No `vscode`
 * import, so it is unit-tested without an editor.
 */
import type { TemplateChoice, TemplateField, TemplateRecord, TemplateSpan } from '../../../webview/protocol';
import { type Annotation, overlaps, REJECTED_LABEL } from '../../core/annotations/annotation-set';
import {
  FIELD_LABELS,
  type FieldChoice,
  type FieldLabel,
  type ListingRecord,
} from '../../core/extract/fields';
import { normalizeField } from '../../core/extract/normalize';

export interface RecordMeta {
  documentUri: string;
  documentName: string;
  version: number;
  extractor: string;
}

const choiceOf = (choice: FieldChoice): TemplateChoice => ({
  display: choice.display,
  confidence: choice.confidence,
  source: choice.source,
  spans: choice.spans.map((s) => ({ start: s.start, end: s.end, text: s.text })),
  warnings: choice.warnings,
});

/** What a human annotation of `label` reads as: its normalized display, else its trimmed text. */
function annotatedChoice(label: FieldLabel, annotations: readonly Annotation[]): TemplateChoice[] {
  const groups = new Map<string, TemplateChoice>();
  for (const a of annotations) {
    const normalized = normalizeField(label, a.text);
    const display = normalized?.display ?? a.text.trim();
    const span = { start: a.start, end: a.end, text: a.text };
    const group = groups.get(display);
    if (group) group.spans.push(span);
    else
      groups.set(display, {
        display,
        confidence: 1,
        source: 'annotation',
        spans: [span],
        warnings: normalized?.warnings ?? [],
      });
  }
  return [...groups.values()];
}

/**
 * The panel's record: each field's extracted choices, minus the spans a human rejected or gave
 * another label; a field a human annotated shows that value first (source `annotation`), with the
 * extracted values as alternatives.
 */
export function templateRecord(
  record: ListingRecord,
  annotations: readonly Annotation[],
  meta: RecordMeta,
): TemplateRecord {
  const fields = {} as TemplateRecord['fields'];
  for (const label of FIELD_LABELS) {
    const extracted = record.fields[label];
    const own = annotations.filter((a) => a.label === label);
    // Rejections and other fields' annotations veto the extracted spans under them.
    const vetoes = annotations.filter((a) => a.label !== label);
    const keep = (s: TemplateSpan) => !vetoes.some((v) => overlaps(v, s));
    const human = annotatedChoice(label, own);
    const humanDisplays = new Set(human.map((c) => c.display));
    const ownSpan = (s: TemplateSpan) => own.some((a) => a.start === s.start && a.end === s.end);
    const extractedChoices = (extracted ? [extracted, ...extracted.alternatives] : [])
      .map(choiceOf)
      .map((c) => ({ ...c, spans: c.spans.filter((s) => keep(s) && !ownSpan(s)) }))
      .filter((c) => c.spans.length > 0 && !humanDisplays.has(c.display));
    const [best, ...alternatives] = [...human, ...extractedChoices];
    fields[label] = best ? ({ label, ...best, alternatives } satisfies TemplateField) : null;
  }
  return { ...meta, fields };
}

/** What a correction from the form does to the document's annotations. */
export type Correction =
  /** Label this span with the field (a human annotation replacing model suggestions there). */
  | { kind: 'label'; label: FieldLabel; span: TemplateSpan }
  /** The field has no value: reject these extracted spans (label `O`). */
  | { kind: 'reject'; label: FieldLabel; spans: TemplateSpan[] }
  | { kind: 'error'; message: string };

const choicesOf = (field: TemplateField | null): TemplateChoice[] =>
  field ? [field, ...field.alternatives] : [];

/** The span an alternative picked in the form stands for. */
export function pickCorrection(record: TemplateRecord, label: FieldLabel, display: string): Correction {
  const choice = choicesOf(record.fields[label]).find((c) => c.display === display);
  const span = choice?.spans[0];
  if (!span)
    return { kind: 'error', message: `${label}: “${display}” is no longer a candidate; re-extracting` };
  return { kind: 'label', label, span };
}

/** Every occurrence of `needle` in `text` (case-insensitive). */
function occurrences(text: string, needle: string): TemplateSpan[] {
  const found: TemplateSpan[] = [];
  const lowerText = text.toLocaleLowerCase();
  const lowerNeedle = needle.toLocaleLowerCase();
  if (lowerText.length !== text.length || lowerNeedle.length !== needle.length) {
    // Lower-casing changed lengths (rare scripts): fall back to exact matching so offsets stay right.
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1))
      found.push({ start: i, end: i + needle.length, text: needle });
    return found;
  }
  for (let i = lowerText.indexOf(lowerNeedle); i >= 0; i = lowerText.indexOf(lowerNeedle, i + 1))
    found.push({ start: i, end: i + needle.length, text: text.slice(i, i + needle.length) });
  return found;
}

/**
 * The span a value typed in the form stands for: a candidate that normalizes to the same value,
 * else the occurrence of the typed text nearest the field's current span. An empty value rejects
 * the field's extracted spans.
 */
export function editCorrection(
  record: TemplateRecord,
  text: string,
  label: FieldLabel,
  typed: string,
): Correction {
  const field = record.fields[label];
  const value = typed.trim();
  if (value === '') {
    const spans = choicesOf(field)
      .filter((c) => c.source !== 'annotation')
      .slice(0, 1)
      .flatMap((c) => c.spans);
    return spans.length > 0 || field
      ? { kind: 'reject', label, spans }
      : { kind: 'error', message: `${label} is already empty` };
  }
  const display = normalizeField(label, value)?.display ?? value;
  const candidate = choicesOf(field).find((c) => c.display === display || c.display === value);
  if (candidate?.spans[0]) return { kind: 'label', label, span: candidate.spans[0] };
  const near = field?.spans[0]?.start ?? 0;
  const nearest = occurrences(text, value).sort(
    (a, b) => Math.abs(a.start - near) - Math.abs(b.start - near),
  )[0];
  if (nearest) return { kind: 'label', label, span: nearest };
  return {
    kind: 'error',
    message: `“${value}” does not appear in the listing: select the text that says it and run “Spanlight: Label Selection…” with ${label}`,
  };
}

export { REJECTED_LABEL };
