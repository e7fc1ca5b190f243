/**
 * Model versions of one task, as the model-in-the-loop makes them. `.spanlight/models/<task>/`
 * holds one model folder per version (`v1`, `v2`, …; each with its model.json and MODEL.md card)
 * and `versions.json`: each version's origin, how many reviewed sentences it learned from, its
 * score on the held-out reviewed sentences, the retrains that were not kept, and which version is
 * in use. Going back is choosing another version; no version is deleted.
 *
 * One process writes a task's history (the extension host, or the benchmark): the training worker
 * only trains candidates, so writes never race.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic';
import { replaceFolder } from '../model/folder';
import type { DevMetrics } from '../train/evaluate';

export const VERSIONS_FILE = 'versions.json';
const FORMAT = 'spanlight-model-versions';
const FORMAT_VERSION = 1;
/** Where a retrain writes the model it proposes, inside the task folder, until it is judged. */
export const CANDIDATE_FOLDER = 'candidate';

/** A model's figures on the held-out reviewed sentences. */
export interface HeldOutScore extends DevMetrics {
  sentences: number;
}

export type VersionOrigin =
  /**
   * The model in use when the loop started, copied in so that going back to it always works;
   * `folder` is where it was copied from (absolute).
   */
  | { kind: 'start'; model: string; folder?: string }
  /** Fine-tuned from version `basedOn` (0: trained from scratch) on the reviewed sentences. */
  | { kind: 'retrain'; basedOn: number };

export interface ModelVersion {
  version: number;
  /** The model folder, relative to the task folder (`v3`). */
  folder: string;
  /** The model's name on its card. */
  name: string;
  createdAt: string;
  origin: VersionOrigin;
  /** Reviewed sentences of the task when this version was made (those it learned from and those held out). */
  reviewedSentences: number;
  trainSentences: number;
  heldOutSentences: number;
  /**
   * Its score on the held-out reviewed sentences when it was made; for the start version, when
   * the first retrain compared with it.
   */
  heldOut?: HeldOutScore;
  /** The version it replaced, scored on the same held-out sentences. */
  replaced?: { version: number; heldOut: HeldOutScore };
  training?: { seconds: number; epochs: number; bestEpoch: number };
}

/** A retrain whose model was not kept, and why. */
export interface RejectedRetrain {
  at: string;
  basedOn: number;
  reviewedSentences: number;
  heldOut: HeldOutScore;
  /** The version in use, on the same held-out sentences. */
  current?: HeldOutScore;
  reason: string;
}

export interface VersionHistory {
  format: typeof FORMAT;
  formatVersion: typeof FORMAT_VERSION;
  task: string;
  /** The version in use (0: none yet). */
  current: number;
  versions: ModelVersion[];
  rejected: RejectedRetrain[];
}

export class VersionHistoryError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'VersionHistoryError';
  }
}

export function emptyHistory(task: string): VersionHistory {
  return { format: FORMAT, formatVersion: FORMAT_VERSION, task, current: 0, versions: [], rejected: [] };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The task folder's history; an empty one when there is none yet. Throws VersionHistoryError when it cannot be read. */
export async function readVersionHistory(taskFolder: string, task: string): Promise<VersionHistory> {
  const file = path.join(taskFolder, VERSIONS_FILE);
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyHistory(task);
    throw new VersionHistoryError(file, `cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new VersionHistoryError(file, 'is not JSON; move it away to start a new history');
  }
  if (!isObject(parsed) || parsed.format !== FORMAT)
    throw new VersionHistoryError(file, `is not a Spanlight version history (format "${FORMAT}")`);
  if (parsed.formatVersion !== FORMAT_VERSION)
    throw new VersionHistoryError(
      file,
      `has format version ${String(parsed.formatVersion)}; this Spanlight reads ${FORMAT_VERSION}`,
    );
  const versions = parsed.versions;
  if (
    !Array.isArray(versions) ||
    !versions.every((v) => isObject(v) && Number.isInteger(v.version) && typeof v.folder === 'string')
  )
    throw new VersionHistoryError(file, 'has a malformed version list');
  const history = parsed as unknown as VersionHistory;
  if (history.current !== 0 && !history.versions.some((v) => v.version === history.current))
    throw new VersionHistoryError(
      file,
      `names version ${history.current} as current, which it does not list`,
    );
  if (!Array.isArray(history.rejected)) history.rejected = [];
  return history;
}

export async function writeVersionHistory(taskFolder: string, history: VersionHistory): Promise<void> {
  await writeFileAtomic(path.join(taskFolder, VERSIONS_FILE), `${JSON.stringify(history, null, 1)}\n`);
}

export function currentVersion(history: VersionHistory): ModelVersion | undefined {
  return history.versions.find((v) => v.version === history.current);
}

/** The model folder of a version (absolute). */
export function versionFolder(taskFolder: string, version: ModelVersion): string {
  return path.join(taskFolder, version.folder);
}

/** The number the next kept version gets. */
export const nextVersionNumber = (history: VersionHistory) =>
  Math.max(0, ...history.versions.map((v) => v.version)) + 1;

/**
 * Starts a history from the model in use: a copy of it becomes version 1 (so it stays there to go
 * back to, whatever happens to the original) and the current version.
 */
export function startHistory(
  taskFolder: string,
  task: string,
  model: { folder: string; name: string },
): Promise<VersionHistory> {
  return adoptModel(taskFolder, emptyHistory(task), model);
}

/**
 * Adds the model in use as the next version when it is none of the history's (the user chose
 * another model since the last retrain): a copy, origin `start`, made the current version.
 */
export async function adoptModel(
  taskFolder: string,
  history: VersionHistory,
  model: { folder: string; name: string },
): Promise<VersionHistory> {
  const number = nextVersionNumber(history);
  const version: ModelVersion = {
    version: number,
    folder: `v${number}`,
    name: model.name,
    createdAt: new Date().toISOString(),
    origin: { kind: 'start', model: model.name, folder: path.resolve(model.folder) },
    reviewedSentences: 0,
    trainSentences: 0,
    heldOutSentences: 0,
  };
  await replaceFolder(path.join(taskFolder, version.folder), (temp) =>
    fs.promises.cp(model.folder, temp, { recursive: true, dereference: true }),
  );
  const next: VersionHistory = { ...history, versions: [...history.versions, version], current: number };
  await writeVersionHistory(taskFolder, next);
  return next;
}

/**
 * The version a model folder is: one of the versions' folders, or the folder the current version
 * was copied from while it is still in use (the editor keeps tagging with the original until an
 * update is kept, rather than reload the same weights from the copy).
 */
export function versionAt(
  taskFolder: string,
  history: VersionHistory,
  folder: string,
): ModelVersion | undefined {
  const wanted = path.resolve(folder);
  return (
    history.versions.find((v) => path.resolve(versionFolder(taskFolder, v)) === wanted) ??
    history.versions.find(
      (v) => v.version === history.current && v.origin.kind === 'start' && v.origin.folder === wanted,
    )
  );
}

/** How many reviewed sentences the task had at its last retrain, kept or not (0: never retrained). */
export function reviewedAtLastRetrain(history: VersionHistory): number {
  return Math.max(
    0,
    ...history.versions.filter((v) => v.origin.kind === 'retrain').map((v) => v.reviewedSentences),
    ...history.rejected.map((r) => r.reviewedSentences),
  );
}

/** The keep-if-not-worse rule's answer. */
export interface KeepDecision {
  keep: boolean;
  reason: string;
}

const figure = (s: DevMetrics) =>
  s.f1 !== undefined ? `F1 ${(100 * s.f1).toFixed(1)}` : `accuracy ${(100 * s.accuracy).toFixed(1)}%`;

/**
 * A retrained model is kept only if it is not worse than the version in use on the same held-out
 * reviewed sentences (equal is kept: it has learned from more sentences). Without a version in
 * use there is nothing to be worse than.
 */
export function keepIfNotWorse(candidate: DevMetrics, current: DevMetrics | undefined): KeepDecision {
  if (!current) return { keep: true, reason: `no model in use to compare with (${figure(candidate)})` };
  // Both figures come from the same sentences; the tolerance only absorbs float noise.
  if (candidate.score >= current.score - 1e-9)
    return {
      keep: true,
      reason: `${figure(candidate)} on held-out sentences, not worse than ${figure(current)}`,
    };
  return { keep: false, reason: `${figure(candidate)} on held-out sentences, worse than ${figure(current)}` };
}

/** What a retrain produced, for `recordRetrain`. */
export interface RetrainResult {
  /** The candidate model folder (moved into the history when kept, removed otherwise). */
  folder: string;
  /** The version number it was trained as (its name says it), from `nextVersionNumber`. */
  version: number;
  name: string;
  basedOn: number;
  reviewedSentences: number;
  trainSentences: number;
  heldOut: HeldOutScore;
  /** The version in use on the same held-out sentences (none when there was none or it is not comparable). */
  current?: HeldOutScore;
  training?: ModelVersion['training'];
}

/**
 * Judges a retrain by keep-if-not-worse and records it: a kept model becomes the next version
 * and the current one; a rejected one is removed and listed with its score. Returns the new
 * history and the decision.
 */
export async function recordRetrain(
  taskFolder: string,
  history: VersionHistory,
  result: RetrainResult,
): Promise<{ history: VersionHistory; decision: KeepDecision; version?: ModelVersion }> {
  // Fine-tuning keeps its starting weights when no epoch beat them: that is no new version.
  const decision: KeepDecision =
    result.basedOn > 0 && result.training?.bestEpoch === 0
      ? {
          keep: false,
          reason: `no epoch did better than version ${result.basedOn} on the held-out sentences (${figure(result.current ?? result.heldOut)})`,
        }
      : keepIfNotWorse(result.heldOut, result.current);
  const at = new Date().toISOString();
  const next: VersionHistory = {
    ...history,
    versions: [...history.versions],
    rejected: [...history.rejected],
  };
  if (!decision.keep) {
    await fs.promises.rm(result.folder, { recursive: true, force: true });
    next.rejected.push({
      at,
      basedOn: result.basedOn,
      reviewedSentences: result.reviewedSentences,
      heldOut: result.heldOut,
      ...(result.current ? { current: result.current } : {}),
      reason: decision.reason,
    });
    await writeVersionHistory(taskFolder, next);
    return { history: next, decision };
  }
  const number = history.versions.some((v) => v.version === result.version)
    ? nextVersionNumber(history)
    : result.version;
  const version: ModelVersion = {
    version: number,
    folder: `v${number}`,
    name: result.name,
    createdAt: at,
    origin: { kind: 'retrain', basedOn: result.basedOn },
    reviewedSentences: result.reviewedSentences,
    trainSentences: result.trainSentences,
    heldOutSentences: result.heldOut.sentences,
    heldOut: result.heldOut,
    ...(result.current && result.basedOn > 0
      ? { replaced: { version: result.basedOn, heldOut: result.current } }
      : {}),
    ...(result.training ? { training: result.training } : {}),
  };
  const target = path.join(taskFolder, version.folder);
  await fs.promises.rm(target, { recursive: true, force: true });
  await fs.promises.rename(result.folder, target);
  // The start version gets its held-out score from its first comparison (the chart's first point).
  const replacedIndex = next.versions.findIndex((v) => v.version === result.basedOn);
  const replaced = next.versions[replacedIndex];
  if (replaced && !replaced.heldOut && result.current)
    next.versions[replacedIndex] = {
      ...replaced,
      heldOut: result.current,
      reviewedSentences: result.reviewedSentences,
    };
  next.versions.push(version);
  next.current = number;
  await writeVersionHistory(taskFolder, next);
  return { history: next, decision, version };
}

/** Makes `version` the one in use (going back, or forward again). */
export async function useVersion(
  taskFolder: string,
  history: VersionHistory,
  version: number,
): Promise<VersionHistory> {
  const found = history.versions.find((v) => v.version === version);
  if (!found)
    throw new VersionHistoryError(path.join(taskFolder, VERSIONS_FILE), `has no version ${version}`);
  const next = { ...history, current: version };
  await writeVersionHistory(taskFolder, next);
  return next;
}
