/**
 * Where Spanlight may write in a workspace. Everything it writes on its own (annotations, models,
 * runs, exported training data) goes below the workspace's `.spanlight` folder, and no symbolic
 * link may carry such a write out of it: a cloned repository can ship `.spanlight` (or a folder in
 * it) as a link to any folder of the user's.
 */
import fs from 'node:fs';
import path from 'node:path';

export const SPANLIGHT_FOLDER = '.spanlight';

/** The workspace's `.spanlight` folder (not resolved). */
export function spanlightFolder(workspaceRoot: string): string {
  return path.join(workspaceRoot, SPANLIGHT_FOLDER);
}

/** True when `child` is `parent` or below it, by name (`..foo.txt` is a name, not a step up). */
export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return (
    relative === '' ||
    (!path.isAbsolute(relative) && relative !== '..' && !relative.startsWith(`..${path.sep}`))
  );
}

/** A write refused because its real path leaves the folder it must stay in. */
export class OutsideFolderError extends Error {
  constructor(
    readonly target: string,
    readonly realTarget: string,
    readonly folder: string,
  ) {
    super(
      `refused to write ${target}: it resolves to ${realTarget}, outside ${folder} (a symbolic link leads out of it)`,
    );
    this.name = 'OutsideFolderError';
  }
}

/** More links than this on one path is a loop (Linux's own limit is 40). */
const MAX_LINKS = 40;

/**
 * The real path `target` has, or would have once created: every existing component resolved,
 * symbolic links followed (dangling ones too, since a write through one lands where it points),
 * the missing rest appended as named.
 */
export async function resolveRealPath(target: string): Promise<string> {
  const absolute = path.resolve(target);
  let resolved = path.parse(absolute).root;
  const pending = absolute.slice(resolved.length).split(path.sep).filter(Boolean);
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      resolved = path.dirname(resolved);
      continue;
    }
    const next = path.join(resolved, name);
    let stat: fs.Stats;
    try {
      stat = await fs.promises.lstat(next);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return path.join(next, ...pending);
      throw err;
    }
    if (!stat.isSymbolicLink()) {
      resolved = next;
      continue;
    }
    if (++links > MAX_LINKS) throw new Error(`${target}: too many levels of symbolic links`);
    const link = await fs.promises.readlink(next);
    if (path.isAbsolute(link)) resolved = path.parse(link).root;
    pending.unshift(...link.slice(path.isAbsolute(link) ? path.parse(link).root.length : 0).split(path.sep));
  }
  return resolved;
}

/**
 * Throws `OutsideFolderError` unless `target`'s real path stays inside `folder` as it really is:
 * `folder`'s parent resolved, `folder` itself taken by name, so a `folder` that is itself a link
 * leads out too.
 */
export async function assertInsideFolder(folder: string, target: string): Promise<void> {
  const allowed = path.join(await resolveRealPath(path.dirname(folder)), path.basename(folder));
  const real = await resolveRealPath(target);
  if (!isInside(allowed, real)) throw new OutsideFolderError(target, real, allowed);
}

/**
 * For a write Spanlight makes on its own: a target named inside a workspace's `.spanlight` folder
 * must really be there. Other targets (a file the user picked in a save dialog) are not checked.
 */
export async function assertSpanlightWrite(workspaceRoots: readonly string[], target: string): Promise<void> {
  const folder = workspaceRoots.map(spanlightFolder).find((f) => isInside(f, target));
  if (folder) await assertInsideFolder(folder, target);
}
