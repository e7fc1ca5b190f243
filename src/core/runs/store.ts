/**
 * Run history on disk: every training run gets `<root>/<id>/` with `config.json` (written once),
 * `metrics.jsonl` (one event a line, appended as training goes) and `outcome.json` (written when
 * the run ends). A run without an outcome was interrupted (window closed, crash). Reading never
 * throws on a damaged file: bad lines are skipped and reported as `path:line: what is wrong`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic';
import { lastEvaluationOf, runCell } from './events';
import type { RunConfig, RunEvent, RunOutcome, RunRecord, RunSummary } from './types';

export const CONFIG_FILE = 'config.json';
export const METRICS_FILE = 'metrics.jsonl';
export const OUTCOME_FILE = 'outcome.json';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Run ids name folders; anything else (`..`, slashes) is refused before it reaches a path. */
export function isValidRunId(id: unknown): id is string {
  return typeof id === 'string' && RUN_ID.test(id) && !id.includes('..');
}

/** A sortable, unique-enough id: `20250102-030405-name`, with a suffix when the folder exists. */
export function newRunId(root: string, name: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'run';
  const base = `${stamp}-${slug}`;
  let id = base;
  for (let n = 2; fs.existsSync(path.join(root, id)); n++) id = `${base}-${n}`;
  return id;
}

/** Appends a run's events in order; `finish` writes the outcome. */
export class RunWriter {
  private pending: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  private constructor(readonly folder: string) {}

  /** Creates the run folder and writes its config. */
  static async create(root: string, config: RunConfig): Promise<RunWriter> {
    if (!isValidRunId(config.id)) throw new Error(`invalid run id ${JSON.stringify(config.id)}`);
    const folder = path.join(root, config.id);
    await fs.promises.mkdir(folder, { recursive: true });
    await writeFileAtomic(path.join(folder, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
    await fs.promises.writeFile(path.join(folder, METRICS_FILE), '');
    return new RunWriter(folder);
  }

  /** Queues one event; writes happen in call order. */
  append(event: RunEvent): Promise<void> {
    const line = `${JSON.stringify(event)}\n`;
    this.pending = this.pending.then(() =>
      fs.promises.appendFile(path.join(this.folder, METRICS_FILE), line).catch((err: Error) => {
        this.failure ??= err;
      }),
    );
    return this.pending;
  }

  /** Waits for queued events, then writes the outcome. Rejects if any event could not be written. */
  async finish(outcome: RunOutcome): Promise<void> {
    await this.pending;
    await writeFileAtomic(path.join(this.folder, OUTCOME_FILE), `${JSON.stringify(outcome, null, 2)}\n`);
    if (this.failure) throw this.failure;
  }
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await fs.promises.readFile(file, 'utf8'));
}

const EVENT_KINDS = new Set(['step', 'epoch', 'evaluation']);

/** The events of a `metrics.jsonl` text; malformed lines become problems (`file:line: …`). */
export function parseMetrics(text: string, file: string): { events: RunEvent[]; problems: string[] } {
  const events: RunEvent[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const value = JSON.parse(line) as { kind?: unknown };
      if (typeof value !== 'object' || value === null || !EVENT_KINDS.has(value.kind as string)) {
        problems.push(`${file}:${i + 1}: not a run event (no kind step, epoch or evaluation)`);
        return;
      }
      events.push(value as RunEvent);
    } catch {
      problems.push(`${file}:${i + 1}: not valid JSON (the run may have stopped mid-write)`);
    }
  });
  return { events, problems };
}

/** One run with its events; undefined when the folder holds no readable config. */
export async function readRun(
  root: string,
  id: string,
): Promise<{ record: RunRecord; problems: string[] } | undefined> {
  if (!isValidRunId(id)) return undefined;
  const folder = path.join(root, id);
  let config: RunConfig;
  try {
    config = (await readJson(path.join(folder, CONFIG_FILE))) as RunConfig;
    if (typeof config !== 'object' || config === null || config.id !== id) return undefined;
  } catch {
    return undefined;
  }
  const metricsFile = path.join(folder, METRICS_FILE);
  const text = await fs.promises.readFile(metricsFile, 'utf8').catch(() => '');
  const { events, problems } = parseMetrics(text, metricsFile);
  let outcome: RunOutcome | undefined;
  try {
    outcome = (await readJson(path.join(folder, OUTCOME_FILE))) as RunOutcome;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      problems.push(`${path.join(folder, OUTCOME_FILE)}:1: not valid JSON`);
  }
  return { record: { config, events, ...(outcome ? { outcome } : {}) }, problems };
}

/** The list line of a run: status from its outcome (none: interrupted), epochs and best score. */
export function summarizeRun(record: RunRecord): RunSummary {
  const epochs = record.events.filter((e) => e.kind === 'epoch');
  const scores = epochs.map((e) => e.dev?.score).filter((s): s is number => s !== undefined);
  const { config, outcome } = record;
  return {
    id: config.id,
    name: config.name,
    task: config.task,
    preset: config.preset,
    cell: runCell(config),
    createdAt: config.createdAt,
    status: outcome?.status ?? 'interrupted',
    epochs: epochs.length,
    ...(scores.length > 0 ? { bestScore: Math.max(...scores) } : {}),
    ...(outcome?.modelFolder ? { modelFolder: outcome.modelFolder } : {}),
  };
}

/** Every readable run under `root`, newest first. */
export async function listRuns(root: string): Promise<RunSummary[]> {
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const runs = await Promise.all(
    entries.filter((e) => e.isDirectory() && isValidRunId(e.name)).map((e) => readRun(root, e.name)),
  );
  return runs
    .filter((r): r is NonNullable<typeof r> => r !== undefined)
    .map((r) => summarizeRun(r.record))
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
}

const csvCell = (value: unknown): string => {
  const text = value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** A run's metrics as CSV: one row per epoch, then one per label of the final evaluation. */
export function runToCsv(record: RunRecord): string {
  const rows: unknown[][] = [
    [
      'section',
      'epoch',
      'label',
      'loss',
      'tokens_per_second',
      'dev_score',
      'precision',
      'recall',
      'f1',
      'support',
    ],
  ];
  for (const e of record.events) {
    if (e.kind === 'epoch')
      rows.push([
        'epoch',
        e.epoch,
        '',
        e.loss,
        e.tokensPerSecond,
        e.dev?.score,
        e.dev?.precision,
        e.dev?.recall,
        e.dev?.f1,
        '',
      ]);
  }
  const evaluation = lastEvaluationOf(record.events);
  if (evaluation) {
    for (const [label, s] of Object.entries(evaluation.perLabel))
      rows.push([
        `label (${evaluation.split})`,
        '',
        label,
        '',
        '',
        '',
        s.precision,
        s.recall,
        s.f1,
        s.support,
      ]);
  }
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}
