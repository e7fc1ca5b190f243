/**
 * The training dashboard's message protocol, imported by both the extension
 * (src/extension/training/dashboard.ts) and the page (webview/training/main.ts).
 *
 * Handshake: the page posts `ready` once its listeners are attached; the extension answers with
 * `init` (the runs list and the records to draw), then streams run events. Messages from the page
 * are untrusted input: the extension checks them with `parseFromWebview` before acting.
 */
import type { RunConfig, RunEvent, RunOutcome, RunRecord, RunSummary } from '../src/core/runs/types';

export type { RunConfig, RunEvent, RunOutcome, RunRecord, RunSummary };

/** The charts the page draws; each can be exported as PNG. */
export const CHART_IDS = ['loss', 'dev', 'speed'] as const;
export type ChartId = (typeof CHART_IDS)[number];

export type ToWebview =
  /** Answer to `ready`: past runs, the records to draw (active run first) and the active run id. */
  | { type: 'init'; runs: RunSummary[]; records: RunRecord[]; activeRunId?: string }
  | { type: 'runStarted'; config: RunConfig }
  | { type: 'runEvent'; runId: string; event: RunEvent }
  | { type: 'runFinished'; runId: string; outcome: RunOutcome }
  | { type: 'runs'; runs: RunSummary[] }
  /** A stored run the page asked for (to show or to overlay). */
  | { type: 'runRecord'; record: RunRecord }
  | { type: 'notice'; level: 'info' | 'error'; message: string };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'stop'; runId: string }
  | { type: 'useModel'; runId: string }
  | { type: 'openModelFolder'; runId: string }
  | { type: 'exportMetrics'; runId: string; format: 'csv' | 'json' }
  /** `png` is a `data:image/png;base64,…` URL of the chart's canvas. */
  | { type: 'exportChart'; chart: ChartId; png: string }
  | { type: 'loadRun'; runId: string };

/** What the page keeps across reloads (`getState`/`setState`): enough to redraw at once. */
export interface WebviewState {
  runs: RunSummary[];
  /** The shown run first, then the runs overlaid for comparison. */
  records: RunRecord[];
  shownRunId?: string;
  activeRunId?: string;
  compareRunIds: string[];
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
      return CHART_IDS.includes(m.chart as ChartId) &&
        typeof m.png === 'string' &&
        m.png.startsWith('data:image/png;base64,')
        ? { type, chart: m.chart as ChartId, png: m.png }
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
