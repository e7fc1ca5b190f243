/**
 * A folder written as one unit (a model folder, a training checkpoint): readers see the old
 * folder or the new one, never a mix of files from both.
 *
 * The new content is written to `.NAME.tmp-ID`, renamed to `.NAME.new-ID` once complete, then
 * switched in: `NAME` → `.NAME.old-ID`, `.NAME.new-ID` → `NAME`, and the old one removed. A crash
 * between the two renames leaves no `NAME` but a complete `.NAME.new-ID`; `recoverFolder` (run
 * before every write and every model load) finishes the switch, and removes what crashes left.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadModelFiles, type ModelCard, type NamedWeight } from './io';

type Stage = 'tmp' | 'new' | 'old';

const siblingPattern = (base: string) =>
  new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|new|old)-([0-9a-f]{8,})$`);

async function siblings(target: string): Promise<Array<{ stage: Stage; path: string; mtimeMs: number }>> {
  const parent = path.dirname(target);
  const pattern = siblingPattern(path.basename(target));
  let entries: string[];
  try {
    entries = await fs.promises.readdir(parent);
  } catch {
    return [];
  }
  const found: Array<{ stage: Stage; path: string; mtimeMs: number }> = [];
  for (const entry of entries) {
    const match = pattern.exec(entry);
    if (!match) continue;
    const full = path.join(parent, entry);
    const stat = await fs.promises.stat(full).catch(() => undefined);
    if (stat?.isDirectory()) found.push({ stage: match[1] as Stage, path: full, mtimeMs: stat.mtimeMs });
  }
  return found.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

async function exists(file: string): Promise<boolean> {
  return fs.promises
    .lstat(file)
    .then(() => true)
    .catch(() => false);
}

/** Flushes a folder's entries (renames into or out of it) to disk where the platform allows. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await fs.promises.open(folder, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems (and Windows) cannot fsync a directory; the rename still happened.
  } finally {
    await handle.close();
  }
}

/**
 * Finishes or undoes a switch that a crash interrupted and, for writers (`removeLeftovers`),
 * removes what earlier crashes left. Readers must not remove leftovers: a `.tmp` folder may be a
 * save in progress in another process. Returns what it did, for logs.
 */
export async function recoverFolder(target: string, removeLeftovers = false): Promise<string[]> {
  const found = await siblings(target);
  if (found.length === 0) return [];
  const done: string[] = [];
  if (!(await exists(target))) {
    const complete = found.find((s) => s.stage === 'new') ?? found.find((s) => s.stage === 'old');
    if (complete) {
      await fs.promises.rename(complete.path, target);
      done.push(
        `${target}: ${complete.stage === 'new' ? 'finished an interrupted save' : 'restored the previous version after an interrupted save'}`,
      );
    }
  }
  if (!removeLeftovers) return done;
  for (const leftover of found) {
    if (!(await exists(leftover.path))) continue;
    await fs.promises.rm(leftover.path, { recursive: true, force: true });
    done.push(`${target}: removed ${path.basename(leftover.path)} left by an interrupted save`);
  }
  return done;
}

/**
 * Writes `target` as one unit: `write` fills a new, empty folder; once it returns, that folder
 * replaces `target` (whatever was there). If `write` throws, `target` is left as it was.
 */
export async function replaceFolder(target: string, write: (folder: string) => Promise<void>): Promise<void> {
  const parent = path.dirname(target);
  await fs.promises.mkdir(parent, { recursive: true });
  await recoverFolder(target, true);
  const id = crypto.randomBytes(6).toString('hex');
  const base = path.basename(target);
  const staged = (stage: Stage) => path.join(parent, `.${base}.${stage}-${id}`);
  const temp = staged('tmp');
  await fs.promises.mkdir(temp);
  try {
    await write(temp);
    await syncFolder(temp);
  } catch (err) {
    await fs.promises.rm(temp, { recursive: true, force: true });
    throw err;
  }
  const ready = staged('new');
  await fs.promises.rename(temp, ready);
  const old = staged('old');
  let replaced = false;
  try {
    await fs.promises.rename(target, old);
    replaced = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await fs.promises.rename(ready, target);
  } catch (err) {
    // A reader's recoverFolder may have finished the switch for us in between.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !(await exists(target))) throw err;
  }
  await syncFolder(parent);
  if (replaced) await fs.promises.rm(old, { recursive: true, force: true });
}

/**
 * Reads and checks a model folder for loading, whichever backend will run it: a save that a crash
 * cut between its two renames is finished first.
 */
export async function readModelFolder(folder: string): Promise<{ card: ModelCard; weights: NamedWeight[] }> {
  await recoverFolder(folder);
  return loadModelFiles(folder);
}
