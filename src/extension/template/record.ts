/**
 * The template panel's record: an extracted listing record (src/core/extract) with the document's
 * human annotations laid over it, and the span a correction from the form stands for. No `vscode`
 * import, so it is unit-tested without an editor.
 */
import type { TemplateChoice, TemplateField, TemplateRecord, TemplateSpan } from '../../../webview/protocol';
import {
  type Annotation,
  type AnnotationAction,
  LISTINGS_TASK,
  overlaps,
  REJECTED_LABEL,
} from '../../core/annotations/annotation-set';
import {
  FIELD_FORMS,
  FIELD_KINDS,
  FIELD_LABELS,
  FIELD_NAMES,
  type FieldChoice,
  type FieldLabel,
  isFieldLabel,
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
 * extracted values as alternatives. `history` is the document's next undo and redo step.
 */
export function templateRecord(
  record: ListingRecord,
  annotations: readonly Annotation[],
  meta: RecordMeta,
  history: { undo?: Step; redo?: Step } = {},
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
  return {
    ...meta,
    fields,
    history: {
      undo: history.undo ? describeAction(history.undo) : null,
      redo: history.redo ? describeAction(history.redo) : null,
    },
  };
}

/** What a correction from the form means: a new value on a span, no value, or a refusal. */
export type Correction =
  /** Label this span with the field (a human annotation replacing model suggestions there). */
  | { kind: 'label'; label: FieldLabel; span: TemplateSpan; message: string }
  /** The field has no value: reject these extracted spans (label `O`). */
  | { kind: 'reject'; label: FieldLabel; spans: TemplateSpan[]; message: string }
  /** Nothing is saved; the field keeps its value. */
  | { kind: 'refused'; label: FieldLabel; message: string };

const choicesOf = (field: TemplateField | null): TemplateChoice[] =>
  field ? [field, ...field.alternatives] : [];

const quoted = (text: string) => `“${text}”`;

/** The form's message for a value set from `span`, saying what differs from what was typed. */
function labelled(label: FieldLabel, span: TemplateSpan, typed?: string): Correction {
  const display = normalizeField(label, span.text)?.display ?? span.text.trim();
  const name = FIELD_NAMES[label];
  const saved =
    span.text === display ? 'saved as an annotation' : `saved as an annotation of ${quoted(span.text)}`;
  if (typed === undefined || typed === display)
    return { kind: 'label', label, span, message: `${name} set to ${quoted(display)}, ${saved}.` };
  const reasons: string[] = [];
  if (normalizeField(label, typed)?.display !== typed) reasons.push(FIELD_FORMS[label]);
  if (span.text !== typed && span.text.toLocaleLowerCase() === typed.toLocaleLowerCase())
    reasons.push(`the listing writes it ${quoted(span.text)}`);
  if (reasons.length === 0) reasons.push(`${quoted(span.text)} in the listing reads as ${quoted(display)}`);
  return {
    kind: 'label',
    label,
    span,
    message: `${name} set to ${quoted(display)}, not ${quoted(typed)} as typed: ${reasons.join('; ')}. It is ${saved}.`,
  };
}

/** The span an alternative picked in the form stands for. */
export function pickCorrection(record: TemplateRecord, label: FieldLabel, display: string): Correction {
  const choice = choicesOf(record.fields[label]).find((c) => c.display === display);
  const span = choice?.spans[0];
  if (!span)
    return {
      kind: 'refused',
      label,
      message: `${FIELD_NAMES[label]}: ${quoted(display)} is no longer a candidate; the listing is read again.`,
    };
  return labelled(label, span);
}

/** Every occurrence of `needle` in `text`, exact or ignoring case. */
function occurrences(text: string, needle: string, ignoreCase: boolean): TemplateSpan[] {
  const found: TemplateSpan[] = [];
  const haystack = ignoreCase ? text.toLocaleLowerCase() : text;
  const sought = ignoreCase ? needle.toLocaleLowerCase() : needle;
  // Lower-casing that changes lengths (rare scripts) would shift offsets: no match then.
  if (haystack.length !== text.length || sought.length !== needle.length) return found;
  for (let i = haystack.indexOf(sought); i >= 0; i = haystack.indexOf(sought, i + 1))
    found.push({ start: i, end: i + needle.length, text: text.slice(i, i + needle.length) });
  return found;
}

/**
 * The span a value typed in the form stands for: a value that does not read as the field's type
 * is refused; then a candidate with the same normalized value; else the typed text in the listing
 * (exactly, then ignoring case) nearest the field's current span, narrowed to the part that is the
 * value ("Mme Claire Dubois-Martin" → "Claire Dubois-Martin", as spans are annotated). A value not
 * in the listing is refused. An empty value rejects the field's extracted spans. Every outcome has
 * a message that says what was saved and, when it differs from what was typed, why.
 */
export function editCorrection(
  record: TemplateRecord,
  text: string,
  label: FieldLabel,
  typed: string,
): Correction {
  const field = record.fields[label];
  const name = FIELD_NAMES[label];
  const value = typed.trim();
  if (value === '') {
    const spans = choicesOf(field)
      .filter((c) => c.source !== 'annotation')
      .slice(0, 1)
      .flatMap((c) => c.spans);
    if (!field) return { kind: 'refused', label, message: `${name} is already empty.` };
    return {
      kind: 'reject',
      label,
      spans,
      message: `${name} marked as absent${spans.length > 0 ? `: ${spans.map((s) => quoted(s.text)).join(', ')} saved as “no value”` : ''}.`,
    };
  }
  const normalized = normalizeField(label, value);
  const keeps = field ? `${name} keeps ${quoted(field.display)}` : `${name} stays empty`;
  if (!normalized)
    return { kind: 'refused', label, message: `${quoted(value)} is not a ${FIELD_KINDS[label]}: ${keeps}.` };
  const candidate = choicesOf(field).find((c) => c.display === normalized.display);
  if (candidate?.spans[0]) return labelled(label, candidate.spans[0], value);
  const near = field?.spans[0]?.start ?? 0;
  const nearest = (found: TemplateSpan[]) =>
    found.sort((a, b) => Math.abs(a.start - near) - Math.abs(b.start - near))[0];
  const found = nearest(occurrences(text, value, false)) ?? nearest(occurrences(text, value, true));
  if (!found)
    return {
      kind: 'refused',
      label,
      message: `${quoted(value)} does not appear in the listing, so it cannot be annotated: ${keeps}. To give it another value, select the text that says it and run “Spanlight: Label Selection…” with ${label}.`,
    };
  const inner = found.text.indexOf(normalized.display);
  const span =
    inner > 0 || (inner === 0 && normalized.display.length < found.text.length)
      ? {
          start: found.start + inner,
          end: found.start + inner + normalized.display.length,
          text: normalized.display,
        }
      : found;
  return labelled(label, span, value);
}

/**
 * The annotation change a correction makes, as one step: the field's earlier human values
 * elsewhere out (a field has one value), the new value (or the rejections) in.
 */
export function correctionChange(
  correction: Extract<Correction, { kind: 'label' | 'reject' }>,
  annotations: readonly Annotation[],
): { remove: Annotation[]; add: Annotation[] } {
  const spans = correction.kind === 'label' ? [correction.span] : correction.spans;
  const remove = annotations.filter(
    (a) => a.label === correction.label && !spans.some((s) => s.start === a.start && s.end === a.end),
  );
  const label = correction.kind === 'label' ? correction.label : REJECTED_LABEL;
  return {
    remove,
    add: spans.map((s) => ({ ...s, label, origin: 'human' as const, task: LISTINGS_TASK })),
  };
}

/** One annotation step in words, for the form's Undo and Redo buttons: "Rooms = “4 pièces”". */
/** What of an annotation step the form describes (review marks are optional). */
type Step = Pick<AnnotationAction, 'added' | 'removed'> & Partial<Pick<AnnotationAction, 'reviewed'>>;

export function describeAction(action: Step): string {
  const named = (a: Annotation) => (isFieldLabel(a.label) ? FIELD_NAMES[a.label] : a.label);
  const main = action.added.find((a) => a.label !== REJECTED_LABEL);
  const more = (n: number) => (n > 1 ? ` (+${n - 1} more)` : '');
  if (main) return `${named(main)} = ${quoted(main.text)}${more(action.added.length)}`;
  const rejected = action.added[0];
  if (rejected) return `${quoted(rejected.text)} as no value${more(action.added.length)}`;
  const removed = action.removed[0];
  if (removed) return `removing ${named(removed)} ${quoted(removed.text)}${more(action.removed.length)}`;
  const reviewed = action.reviewed?.length ?? 0;
  return reviewed > 0 ? `accepting ${reviewed} sentence${reviewed === 1 ? '' : 's'}` : 'nothing';
}

export { REJECTED_LABEL };
