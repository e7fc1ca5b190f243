import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { assertInsideFolder } from './workspace-paths';

/**
 * Temp files are `.<target name>.<pid>.<8 hex>.tmp` next to their target: hidden, and named by
 * the process writing them, so a later save can tell an orphan (its writer is gone) from a write
 * in progress.
 */
const TEMPORARY = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;
/** A temp file this old is an orphan even if a process with its pid runs (pids are reused). */
const ORPHAN_AGE_MS = 24 * 3600_000;

/** A new, unique temp path next to `target`. */
export function temporaryPathFor(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`,
  );
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files a killed writer left in `folder` (best effort, never throws): those whose
 * process no longer runs, or older than a day. A save in progress (its process runs) is kept.
 */
export async function removeOrphanedTemporaries(folder: string): Promise<number> {
  let removed = 0;
  let entries: string[];
  try {
    entries = await fs.promises.readdir(folder);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const match = TEMPORARY.exec(entry);
    if (!match) continue;
    const file = path.join(folder, entry);
    try {
      const stat = await fs.promises.lstat(file);
      if (!stat.isFile()) continue;
      if (processRuns(Number(match[1])) && Date.now() - stat.mtimeMs < ORPHAN_AGE_MS) continue;
      await fs.promises.rm(file, { force: true });
      removed++;
    } catch {
      // Gone already (another process cleaned it) or not ours to remove: leave it.
    }
  }
  return removed;
}

export interface AtomicWriteOptions {
  /** Refuse the write (OutsideFolderError) if the target's real path leaves this folder. */
  confineTo?: string;
}

/**
 * Writes a file atomically: a temp file in the same folder, fsync, then rename over the target.
 * A crash at any point leaves either the old file or the new one, never a torn one; the temp
 * files of writers killed earlier are removed on the way.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  if (options.confineTo) await assertInsideFolder(options.confineTo, target);
  const folder = path.dirname(target);
  await fs.promises.mkdir(folder, { recursive: true });
  await removeOrphanedTemporaries(folder);
  const temp = temporaryPathFor(target);
  // `wx`: never open through something planted at the temp name.
  const handle = await fs.promises.open(temp, 'wx');
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, target);
  } catch (err) {
    await fs.promises.rm(temp, { force: true });
    throw err;
  }
}
