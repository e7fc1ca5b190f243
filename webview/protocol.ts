/**
 * The training dashboard's message protocol, imported by both the extension
 * (src/extension/training/dashboard.ts) and the page (webview/training/main.ts).
 *
 * Handshake: the page posts `ready` once its listeners are attached; the extension answers with
 * `init` (the runs list and the records to draw), then streams run events. Messages from the page
 * are untrusted input: the extension checks them with `parseFromWebview` before acting.
 */
import { FIELD_LABELS, type FieldLabel } from '../src/core/extract/fields';
import type { RunConfig, RunEvent, RunOutcome, RunRecord, RunSummary } from '../src/core/runs/types';

export type { RunConfig, RunEvent, RunOutcome, RunRecord, RunSummary };

/** The charts the page draws per run; each can be exported as PNG. */
export const CHART_IDS = ['loss', 'dev', 'speed'] as const;
export type ChartId = (typeof CHART_IDS)[number];
/** Charts that can be exported: the run charts and the model-in-the-loop chart. */
export type ExportableChart = ChartId | 'loop';
const EXPORTABLE_CHARTS: readonly string[] = [...CHART_IDS, 'loop'];

/**
 * The model-in-the-loop of one task: each model version's F1 on the held-out reviewed sentences
 * against the reviewed sentences it learned from (0 for the model the loop started from), and the
 * retrains that were not kept.
 */
export interface LoopCurve {
  task: string;
  versions: Array<{ version: number; reviewed: number; score: number; current: boolean }>;
  rejected: Array<{ reviewed: number; score: number }>;
}

export type ToWebview =
  /** Answer to `ready`: past runs, the records to draw (active run first) and the active run id. */
  | { type: 'init'; runs: RunSummary[]; records: RunRecord[]; activeRunId?: string }
  | { type: 'runStarted'; config: RunConfig }
  | { type: 'runEvent'; runId: string; event: RunEvent }
  | { type: 'runFinished'; runId: string; outcome: RunOutcome }
  | { type: 'runs'; runs: RunSummary[] }
  /** A stored run the page asked for (to show or to overlay). */
  | { type: 'runRecord'; record: RunRecord }
  /** The model-in-the-loop's versions per task (after every update, and with `init`). */
  | { type: 'loop'; loops: LoopCurve[] }
  | { type: 'notice'; level: 'info' | 'error'; message: string };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'stop'; runId: string }
  | { type: 'useModel'; runId: string }
  | { type: 'openModelFolder'; runId: string }
  | { type: 'exportMetrics'; runId: string; format: 'csv' | 'json' }
  /** `png` is a `data:image/png;base64,…` URL of the chart's canvas. */
  | { type: 'exportChart'; chart: ExportableChart; png: string }
  | { type: 'loadRun'; runId: string };

/** What the page keeps across reloads (`getState`/`setState`): enough to redraw at once. */
export interface WebviewState {
  runs: RunSummary[];
  /** The shown run first, then the runs overlaid for comparison. */
  records: RunRecord[];
  shownRunId?: string;
  activeRunId?: string;
  compareRunIds: string[];
  /** The model-in-the-loop chart's data (absent in state saved before it existed). */
  loops?: LoopCurve[];
}

export const EMPTY_STATE: WebviewState = { runs: [], records: [], compareRunIds: [] };

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;

/** A message from the page if it is well formed, else undefined. */
export function parseFromWebview(value: unknown): FromWebview | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const type = m.type as FromWebview['type'];
  switch (type) {
    case 'ready':
      return { type };
    case 'stop':
    case 'useModel':
    case 'openModelFolder':
    case 'loadRun':
      return isString(m.runId) ? { type, runId: m.runId } : undefined;
    case 'exportMetrics':
      return isString(m.runId) && (m.format === 'csv' || m.format === 'json')
        ? { type, runId: m.runId, format: m.format }
        : undefined;
    case 'exportChart':
      return EXPORTABLE_CHARTS.includes(m.chart as string) &&
        typeof m.png === 'string' &&
        m.png.startsWith('data:image/png;base64,')
        ? { type, chart: m.chart as ExportableChart, png: m.png }
        : undefined;
    default:
      return undefined;
  }
}

/** For exhaustive switches: a compile error when a message type is not handled. */
export function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}

/** Applies a message to the page state (pure: returns a new state). Used by the page and tests. */
export function reduceState(state: WebviewState, message: ToWebview): WebviewState {
  switch (message.type) {
    case 'init':
      return {
        ...state,
        runs: message.runs,
        records: message.records,
        shownRunId: message.activeRunId ?? message.records[0]?.config.id ?? state.shownRunId,
        ...(message.activeRunId ? { activeRunId: message.activeRunId } : {}),
      };
    case 'runStarted': {
      const record: RunRecord = { config: message.config, events: [] };
      return {
        ...state,
        records: [record, ...state.records.filter((r) => r.config.id !== message.config.id)],
        shownRunId: message.config.id,
        activeRunId: message.config.id,
      };
    }
    case 'runEvent':
      return {
        ...state,
        records: state.records.map((r) =>
          r.config.id === message.runId ? { ...r, events: [...r.events, message.event] } : r,
        ),
      };
    case 'runFinished': {
      const { activeRunId: _finished, ...rest } = state;
      return {
        ...(state.activeRunId === message.runId ? rest : state),
        records: state.records.map((r) =>
          r.config.id === message.runId ? { ...r, outcome: message.outcome } : r,
        ),
      };
    }
    case 'runs':
      return { ...state, runs: message.runs };
    case 'loop':
      return { ...state, loops: message.loops };
    case 'runRecord':
      return {
        ...state,
        records: [...state.records.filter((r) => r.config.id !== message.record.config.id), message.record],
      };
    case 'notice':
      return state;
    default:
      return assertNever(message);
  }
}

// ---- the listing template panel (webview/template, src/extension/template) ---------------------
//
// Same handshake: the page posts `ready`, the extension answers `templateInit` with the record of
// the followed document, then sends `templateRecord` after every (debounced) re-extraction.

/** The seven fields in form order: the extractor's own list. */
export const TEMPLATE_FIELDS = FIELD_LABELS;
export type TemplateFieldLabel = FieldLabel;

/** Where a shown value comes from: the tagger, the rule finder, or a human annotation. */
export type TemplateSource = 'model' | 'rules' | 'annotation';

export interface TemplateSpan {
  start: number;
  end: number;
  text: string;
}

export interface TemplateChoice {
  /** Canonical form: `1270000 EUR`, `190 m²`, `06 43 43 43 43`. */
  display: string;
  confidence: number;
  source: TemplateSource;
  /** The spans that read as this value, best first. */
  spans: TemplateSpan[];
  warnings: string[];
}

export interface TemplateField extends TemplateChoice {
  label: TemplateFieldLabel;
  /** Other values found for the field, best first. */
  alternatives: TemplateChoice[];
}

export interface TemplateRecord {
  /** The document's URI (string); messages about spans refer to it. */
  documentUri: string;
  /** A short name to show (the workspace-relative path). */
  documentName: string;
  /** The document version the record was extracted from. */
  version: number;
  fields: Record<TemplateFieldLabel, TemplateField | null>;
  /** `real-estate (model + rules)`, `rules only (no listing model)`, … */
  extractor: string;
  /**
   * The document's annotation history (shared with the editor's Undo/Redo Annotation): the step
   * undo and redo would take, in words ("Rooms = “4 pièces”"), null when there is none.
   */
  history: { undo: string | null; redo: string | null };
}

/** What became of a value typed or picked in the form. */
export interface TemplateFieldNote {
  /** `saved`: the annotation was made (the record follows); `refused`: nothing changed. */
  outcome: 'saved' | 'refused';
  /** What was saved and, when it differs from what was typed, why; or why nothing was. */
  message: string;
}

export type TemplateToWebview =
  | { type: 'templateInit'; record: TemplateRecord | null }
  | { type: 'templateRecord'; record: TemplateRecord }
  /** No listing to show (no text editor open). */
  | { type: 'templateEmpty'; reason: string }
  | { type: 'templateBusy'; busy: boolean }
  | { type: 'notice'; level: 'info' | 'error'; message: string }
  /** The answer to an `editField` or `pickAlternative` of this field. */
  | ({ type: 'fieldResult'; documentUri: string; label: TemplateFieldLabel } & TemplateFieldNote);

export type TemplateFromWebview =
  | { type: 'ready' }
  /** Reveal and select a span of the record's document. */
  | { type: 'reveal'; documentUri: string; start: number; end: number }
  /** Use this alternative (by its display) as the field's value: recorded as an annotation. */
  | { type: 'pickAlternative'; documentUri: string; label: TemplateFieldLabel; display: string }
  /** The user typed a value: recorded as an annotation on the span that reads as it (empty rejects). */
  | { type: 'editField'; documentUri: string; label: TemplateFieldLabel; value: string }
  /** Undo or redo the document's last annotation step (the editor's history, shared). */
  | { type: 'undo' | 'redo'; documentUri: string };

/** What the template page keeps across reloads; `documentUri` tells the serializer what to follow. */
export interface TemplateState {
  record: TemplateRecord | null;
  documentUri?: string;
  emptyReason?: string;
  /** The last answer per field, for the record's document. */
  notes?: Partial<Record<TemplateFieldLabel, TemplateFieldNote>>;
}

export const EMPTY_TEMPLATE_STATE: TemplateState = { record: null };

export const isTemplateField = (value: unknown): value is TemplateFieldLabel =>
  (TEMPLATE_FIELDS as readonly unknown[]).includes(value);

const isOffset = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isUri = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 4096;

/** A message from the template page if it is well formed, else undefined. */
export function parseTemplateFromWebview(value: unknown): TemplateFromWebview | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const type = m.type as TemplateFromWebview['type'];
  switch (type) {
    case 'ready':
      return { type };
    case 'reveal':
      return isUri(m.documentUri) && isOffset(m.start) && isOffset(m.end) && m.start <= m.end
        ? { type, documentUri: m.documentUri, start: m.start, end: m.end }
        : undefined;
    case 'pickAlternative':
      return isUri(m.documentUri) &&
        isTemplateField(m.label) &&
        typeof m.display === 'string' &&
        m.display.length <= 1000
        ? { type, documentUri: m.documentUri, label: m.label, display: m.display }
        : undefined;
    case 'undo':
    case 'redo':
      return isUri(m.documentUri) ? { type, documentUri: m.documentUri } : undefined;
    case 'editField':
      return isUri(m.documentUri) &&
        isTemplateField(m.label) &&
        typeof m.value === 'string' &&
        m.value.length <= 1000
        ? { type, documentUri: m.documentUri, label: m.label, value: m.value }
        : undefined;
    default:
      return undefined;
  }
}

/** Applies a message to the template page state (pure). */
export function reduceTemplateState(state: TemplateState, message: TemplateToWebview): TemplateState {
  switch (message.type) {
    case 'templateInit':
    case 'templateRecord': {
      if (!message.record) return { ...state, record: null };
      // Notes are about one document: a record of another one starts without them.
      const same = message.record.documentUri === state.documentUri;
      return {
        record: message.record,
        documentUri: message.record.documentUri,
        ...(same && state.notes ? { notes: state.notes } : {}),
      };
    }
    case 'templateEmpty':
      return { record: null, emptyReason: message.reason };
    case 'fieldResult':
      if (message.documentUri !== state.documentUri) return state;
      return {
        ...state,
        notes: { ...state.notes, [message.label]: { outcome: message.outcome, message: message.message } },
      };
    case 'templateBusy':
    case 'notice':
      return state;
    default:
      return assertNever(message);
  }
}
