/**
 * Training checkpoints, each one unit: the weights, the optimizer state and the trainer state of
 * ONE epoch live in one folder `epoch-NNNN/` with `unit.json` listing the SHA-256 of every file,
 * written complete under a temporary name and renamed into place. `checkpoint.json` (replaced
 * atomically) names the latest unit, the one before it and the best one. A resume verifies the
 * unit it takes: a damaged latest unit falls back to the previous complete one, with a warning;
 * when no unit verifies, the resume is refused with the reason.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic';
import { replaceFolder } from '../model/folder';
import { loadModelFiles, type NamedWeight, saveModel } from '../model/io';
import type { Tagger } from '../model/tagger';
import type { DevMetrics } from './evaluate';
import type { TrainingOptimizer } from './optimizer';

export const CHECKPOINT_MANIFEST = 'checkpoint.json';
const UNIT_FILE = 'unit.json';
const STATE_FILE = 'trainer-state.json';
const OPTIMIZER_FOLDER = 'optimizer';
const MANIFEST_FORMAT = 'spanlight-checkpoint';
const UNIT_FORMAT = 'spanlight-checkpoint-unit';
const UNIT_NAME = /^epoch-(\d{4,})$/;

export interface EpochRecord {
  epoch: number;
  loss: number;
  tokensPerSecond: number;
  seconds: number;
  dev?: DevMetrics;
}

/** Where a run stands after an epoch; saved with each checkpoint. */
export interface TrainerState {
  epoch: number;
  bestEpoch: number;
  bestScore: number;
  history: EpochRecord[];
  steps: number;
  /** Epochs since the best one (early stopping's patience counter). */
  sinceBest: number;
}

/** A checkpoint that cannot be resumed, with the reason. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  epoch: number;
  latest: string;
  previous?: string;
  best: string;
}

interface UnitFile {
  format: typeof UNIT_FORMAT;
  epoch: number;
  /** Path (relative to the unit folder, `/`-separated) → SHA-256 of its bytes. */
  files: Record<string, string>;
}

const unitName = (epoch: number) => `epoch-${String(epoch).padStart(4, '0')}`;

async function filesIn(folder: string, prefix = ''): Promise<string[]> {
  const entries = await fs.promises.readdir(path.join(folder, prefix), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await filesIn(folder, relative)));
    else if (entry.isFile()) files.push(relative);
  }
  return files.sort();
}

async function sha256(file: string): Promise<string> {
  return crypto
    .createHash('sha256')
    .update(await fs.promises.readFile(file))
    .digest('hex');
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await fs.promises.readFile(file, 'utf8'));
}

/** Writes the checkpoint of the epoch in `state` and makes it the latest. */
export async function writeCheckpoint(
  dir: string,
  unit: { tagger: Tagger; optimizer: TrainingOptimizer; state: TrainerState },
): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true });
  const name = unitName(unit.state.epoch);
  await replaceFolder(path.join(dir, name), async (folder) => {
    await unit.tagger.save(folder);
    await saveModel(
      path.join(folder, OPTIMIZER_FOLDER),
      { ...unit.tagger.card, name: 'optimizer-state' },
      unit.optimizer.getWeights(),
    );
    await fs.promises.writeFile(path.join(folder, STATE_FILE), `${JSON.stringify(unit.state)}\n`);
    const files: Record<string, string> = {};
    for (const file of await filesIn(folder)) files[file] = await sha256(path.join(folder, file));
    const unitFile: UnitFile = { format: UNIT_FORMAT, epoch: unit.state.epoch, files };
    await writeFileAtomic(path.join(folder, UNIT_FILE), `${JSON.stringify(unitFile, null, 1)}\n`);
  });
  const previous = await readManifest(dir).catch(() => undefined);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    epoch: unit.state.epoch,
    latest: name,
    ...(previous && previous.latest !== name ? { previous: previous.latest } : {}),
    best: unitName(unit.state.bestEpoch > 0 ? unit.state.bestEpoch : unit.state.epoch),
  };
  await writeFileAtomic(path.join(dir, CHECKPOINT_MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
  // Only the units the manifest names are kept.
  const keep = new Set([manifest.latest, manifest.previous, manifest.best]);
  for (const entry of await fs.promises.readdir(dir)) {
    if (UNIT_NAME.test(entry) && !keep.has(entry))
      await fs.promises.rm(path.join(dir, entry), { recursive: true, force: true });
  }
}

async function readManifest(dir: string): Promise<Manifest> {
  const manifest = (await readJson(path.join(dir, CHECKPOINT_MANIFEST))) as Partial<Manifest>;
  if (
    manifest?.format !== MANIFEST_FORMAT ||
    typeof manifest.latest !== 'string' ||
    !UNIT_NAME.test(manifest.latest) ||
    typeof manifest.best !== 'string' ||
    !UNIT_NAME.test(manifest.best)
  )
    throw new Error(`${CHECKPOINT_MANIFEST} is not a Spanlight checkpoint manifest`);
  return manifest as Manifest;
}

/** Checks a unit folder against its `unit.json`; returns what is wrong, or its state. */
async function verifyUnit(folder: string): Promise<{ state: TrainerState } | { problem: string }> {
  let unit: Partial<UnitFile>;
  try {
    unit = (await readJson(path.join(folder, UNIT_FILE))) as Partial<UnitFile>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `${UNIT_FILE} is missing` : `${UNIT_FILE} is unreadable` };
  }
  if (unit?.format !== UNIT_FORMAT || typeof unit.files !== 'object' || unit.files === null)
    return { problem: `${UNIT_FILE} is not a checkpoint unit` };
  const listed = Object.keys(unit.files).sort();
  const present = (await filesIn(folder)).filter((f) => f !== UNIT_FILE);
  const missing = listed.filter((f) => !present.includes(f));
  if (missing.length > 0) return { problem: `${missing.join(', ')} missing` };
  for (const file of listed) {
    if ((await sha256(path.join(folder, file))) !== unit.files[file])
      return { problem: `${file} does not match its checksum` };
  }
  try {
    const state = (await readJson(path.join(folder, STATE_FILE))) as TrainerState;
    if (state.epoch !== unit.epoch) return { problem: `${STATE_FILE} is for another epoch` };
    return { state };
  } catch {
    return { problem: `${STATE_FILE} is unreadable` };
  }
}

/** A verified checkpoint unit to resume from. */
export interface ResumePoint {
  /** The unit folder (a model folder, with the optimizer state in `optimizer/`). */
  folder: string;
  state: TrainerState;
  /** The unit holding the best weights so far, when it is another epoch and verifies. */
  bestFolder?: string;
  /** What was skipped or cannot be used, for the user. */
  warnings: string[];
}

/**
 * The newest complete checkpoint in `dir`: the manifest's latest unit when it verifies, else the
 * newest unit that does. Undefined when `dir` holds no checkpoint at all (a fresh start); a
 * `CheckpointError` when it holds some and none verifies.
 */
export async function findResumePoint(dir: string): Promise<ResumePoint | undefined> {
  let entries: string[];
  try {
    entries = await fs.promises.readdir(dir);
  } catch {
    return undefined;
  }
  const units = entries.filter((e) => UNIT_NAME.test(e)).sort((a, b) => (a < b ? 1 : -1));
  if (units.length === 0) {
    if (entries.includes(STATE_FILE))
      throw new CheckpointError(
        `${dir} holds a checkpoint written by an older Spanlight, which cannot be verified; train without --resume`,
      );
    return undefined;
  }
  const warnings: string[] = [];
  let manifest: Manifest | undefined;
  try {
    manifest = await readManifest(dir);
  } catch (err) {
    warnings.push(
      `${path.join(dir, CHECKPOINT_MANIFEST)}: ${(err as Error).message}; using the newest unit that verifies`,
    );
  }
  const order = manifest ? [manifest.latest, ...units.filter((u) => u !== manifest.latest)] : units;
  const problems: string[] = [];
  for (const name of order) {
    const folder = path.join(dir, name);
    const verified = await verifyUnit(folder);
    if ('problem' in verified) {
      problems.push(`${name}: ${verified.problem}`);
      continue;
    }
    if (problems.length > 0)
      warnings.push(
        `checkpoint ${problems.join('; ')}; resuming from the complete checkpoint of epoch ${verified.state.epoch}`,
      );
    const point: ResumePoint = { folder, state: verified.state, warnings };
    const best = verified.state.bestEpoch;
    if (best > 0 && best !== verified.state.epoch) {
      const bestFolder = path.join(dir, unitName(best));
      const bestUnit = await verifyUnit(bestFolder);
      if ('state' in bestUnit) point.bestFolder = bestFolder;
      else
        warnings.push(
          `the best epoch's checkpoint (${unitName(best)}) cannot be used (${bestUnit.problem}); the best weights restart from epoch ${verified.state.epoch}`,
        );
    }
    return point;
  }
  throw new CheckpointError(
    `${dir}: no complete checkpoint to resume from (${problems.join('; ')}); train without --resume to start over`,
  );
}

/** The optimizer state saved in a unit folder. */
export async function readOptimizerState(unitFolder: string): Promise<NamedWeight[]> {
  return (await loadModelFiles(path.join(unitFolder, OPTIMIZER_FOLDER))).weights;
}
