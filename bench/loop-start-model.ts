/**
 * The start model for bench:loop that has never seen the pool: the shipped en-ner's recipe
 * (scripts/train-models.mjs: its files, preset, label mapping, vectors and seed) trained on all of
 * its free data except UNER English EWT dev, the pool the simulated annotator reviews, and what
 * the script makes from it (its split, the silver data of teachers trained on it). The shipped
 * en-ner was trained on the pool, so reviewing it can teach that model nothing; this one measures
 * what the loop adds to a pretrained model. Its epochs are capped so that it trains in the time a
 * bench run has; the cap and the training time are part of what the bench prints.
 *
 * Built once through the real trainer (`spanlight train`, dist/cli.js) and cached under
 * bench/results/cache/, keyed by the recipe and the cap: reruns reuse it, a changed recipe
 * trains a new one.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';

export const WITHOUT_POOL = 'en-ner-without-pool';

/**
 * en-ner's `spanlight train` arguments as scripts/train-models.mjs builds them. That script trains
 * as soon as it is loaded and exports nothing, so it is loaded with spawnSync standing in for the
 * trainer: the arguments it would run are recorded, nothing is trained or written.
 */
export async function enNerRecipe(root: string): Promise<string[]> {
  // The script runs once per process (a module is evaluated once): later calls reuse what it ran.
  recipes.set(root, recipes.get(root) ?? recordEnNerRecipe(root));
  return [...(await recipes.get(root)!)];
}
const recipes = new Map<string, Promise<string[]>>();

async function recordEnNerRecipe(root: string): Promise<string[]> {
  // The script stops the process when the trainer is not built.
  if (!fs.existsSync(path.join(root, 'dist', 'cli.js')))
    throw new Error('dist/cli.js is missing: run `npm run build` first');
  // The ESM `import { spawnSync } from 'node:child_process'` reads the builtin's exports, which
  // syncBuiltinESMExports refreshes from the CommonJS object.
  const childProcess = require('node:child_process') as typeof import('node:child_process');
  const realSpawnSync = childProcess.spawnSync;
  const realLog = console.log;
  const realArgv = process.argv;
  let recorded: string[] | undefined;
  (childProcess as { spawnSync: unknown }).spawnSync = (_command: string, args: string[]) => {
    recorded = args;
    return { status: 0 };
  };
  syncBuiltinESMExports();
  console.log = () => {};
  process.argv = [realArgv[0]!, path.join(root, 'scripts', 'train-models.mjs'), 'en-ner'];
  try {
    await import(path.join(root, 'scripts', 'train-models.mjs'));
  } finally {
    (childProcess as { spawnSync: unknown }).spawnSync = realSpawnSync;
    syncBuiltinESMExports();
    console.log = realLog;
    process.argv = realArgv;
  }
  // [cli, 'train', ...recipe, '--out', dir]
  if (!recorded || recorded[1] !== 'train' || recorded.at(-2) !== '--out')
    throw new Error(
      `scripts/train-models.mjs did not run \`spanlight train\` for en-ner as expected: ${recorded}`,
    );
  return recorded.slice(2, -2);
}

/**
 * What en-ner's recipe reads of the pool: the pool itself and every file scripts/train-models.mjs
 * generates for en-ner (gen/en-ner: the pool split into a training part and a held-out part, and
 * the silver data tagged by teachers that were trained on it).
 */
export interface PoolFiles {
  pool: string;
  derivedUnder: string;
}

/** The folder of the files train-models.mjs derives from the pool for en-ner. */
export function poolFiles(root: string, pool: string): PoolFiles {
  return { pool, derivedUnder: path.join(root, 'gen', 'en-ner') };
}

/**
 * The recipe without the pool and what derives from it, as training files and as dev files (a
 * start model that never saw the pool's labels); the pool may be nowhere else in it.
 */
export function withoutPool(
  recipe: readonly string[],
  { pool, derivedUnder }: PoolFiles,
  epochs: number,
): string[] {
  const fromPool = (file: string) => {
    const resolved = path.resolve(file);
    const relative = path.relative(path.resolve(derivedUnder), resolved);
    return resolved === path.resolve(pool) || (!relative.startsWith('..') && !path.isAbsolute(relative));
  };
  const args: string[] = [];
  let dropped = 0;
  for (let i = 0; i < recipe.length; i++) {
    const flag = recipe[i]!;
    const value = recipe[i + 1];
    if ((flag === '--train' || flag === '--dev') && value && fromPool(value)) {
      if (flag === '--train') dropped++;
      i++;
    } else if (flag.startsWith('--') && value && fromPool(value)) {
      throw new Error(`en-ner's recipe uses the pool as ${flag}: a start model without it cannot be built`);
    } else if (flag === '--name' || flag === '--description' || flag === '--epochs') {
      i++;
    } else {
      args.push(flag);
    }
  }
  if (dropped === 0) throw new Error("en-ner's recipe does not train on the pool: nothing to leave out");
  return [
    ...args,
    '--name',
    WITHOUT_POOL,
    '--description',
    `The shipped en-ner's recipe (scripts/train-models.mjs) without ${path.basename(pool)}, the bench:loop pool, and the files made from it, and at most ${epochs} epochs: a pretrained start model that has never seen the pool.`,
    '--epochs',
    String(epochs),
  ];
}

export interface StartModel {
  folder: string;
  epochs: number;
  /** Training time in seconds, from the model's card (also when reused from the cache). */
  seconds: number;
  bestEpoch: number;
  reused: boolean;
}

/** The cached start model for this recipe and cap, trained first when it is missing. */
export async function startModelWithoutPool(
  root: string,
  pool: string,
  epochs: number,
  log: (line: string) => void,
): Promise<StartModel> {
  const args = withoutPool(await enNerRecipe(root), poolFiles(root, pool), epochs);
  // The key leaves out where the checkout and the data are: the same recipe elsewhere reuses it.
  const key = createHash('sha256')
    .update(JSON.stringify(args.map((a) => (path.isAbsolute(a) ? path.basename(a) : a))))
    .digest('hex')
    .slice(0, 12);
  const folder = path.join(root, 'bench', 'results', 'cache', `${WITHOUT_POOL}-${key}`);
  const reused = fs.existsSync(path.join(folder, 'model.json'));
  if (!reused) {
    log(
      `training ${WITHOUT_POOL} (en-ner's recipe without ${path.basename(pool)}, at most ${epochs} epochs) into ${path.relative(root, folder)}`,
    );
    // Trained beside the cache entry and renamed into it whole: an interrupted run leaves no half model.
    const partial = `${folder}.partial`;
    await fs.promises.rm(partial, { recursive: true, force: true });
    const child = spawn(
      process.execPath,
      [path.join(root, 'dist', 'cli.js'), 'train', ...args, '--out', partial],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`training ${WITHOUT_POOL} failed (exit ${code})`);
    await fs.promises.rename(partial, folder);
  }
  const card = JSON.parse(await fs.promises.readFile(path.join(folder, 'model.json'), 'utf8')) as {
    training?: { seconds?: number; epochs?: number; bestEpoch?: number };
  };
  return {
    folder,
    epochs,
    seconds: Math.round(card.training?.seconds ?? Number.NaN),
    bestEpoch: card.training?.bestEpoch ?? Number.NaN,
    reused,
  };
}
