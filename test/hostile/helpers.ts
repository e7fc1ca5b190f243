/** Shared pieces of the hostile-input suite (`npm run test:hostile`). */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

export const repoRoot = path.resolve(__dirname, '../..');
export const sampleWorkspace = path.join(repoRoot, 'test/fixtures/sample-workspace');
export const sampleCorpus = path.join(sampleWorkspace, 'corpus/sample-ner.conll');
export const fixtureNerModel = path.join(sampleWorkspace, '.spanlight/models/fixture-ner');
export const cli = path.join(repoRoot, 'dist/cli.js');

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder, removed when the test file ends. */
export function hostileDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `spanlight-hostile-${name}-`));
  made.push(dir);
  return dir;
}

/** Every file and folder below `dir`, relative, sorted (links are listed, not followed). */
export function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => p.split(path.sep).join('/'))
    .sort();
}

export interface CliRun {
  /** 137 when the deadline killed it. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Peak resident memory of the CLI process (from /usr/bin/time), in MiB. */
  peakRssMiB: number;
}

const TIME = '/usr/bin/time';

/**
 * Runs the built CLI (`npm run build` first) under /usr/bin/time for its peak RSS, with a deadline
 * after which it is killed, so a hang fails the test instead of blocking the suite.
 */
export function runCli(
  args: readonly string[],
  { timeoutMs = 60_000, input }: { timeoutMs?: number; input?: string } = {},
): CliRun {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  if (!fs.existsSync(TIME)) throw new Error(`${TIME} is missing (Debian package "time")`);
  const report = path.join(hostileDir('time'), 'time.txt');
  const started = performance.now();
  const res: SpawnSyncReturns<string> = spawnSync(
    TIME,
    // `timeout` kills the CLI itself at the deadline (killing `time` would orphan it); `time`
    // reports the peak RSS of the processes it waited for, which is the CLI's.
    [
      '-f',
      '%M',
      '-o',
      report,
      'timeout',
      '-s',
      'KILL',
      String(Math.ceil(timeoutMs / 1000)),
      process.execPath,
      cli,
      ...args,
    ],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: timeoutMs + 30_000,
      killSignal: 'SIGKILL',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
      ...(input !== undefined ? { input } : {}),
    },
  );
  const kib = fs.existsSync(report)
    ? Number(/(\d+)\s*$/.exec(fs.readFileSync(report, 'utf8'))?.[1])
    : Number.NaN;
  return {
    status: res.status,
    signal: res.signal,
    stdout: res.stdout ?? '',
    stderr: res.stderr ?? '',
    seconds: (performance.now() - started) / 1000,
    peakRssMiB: kib / 1024,
  };
}
