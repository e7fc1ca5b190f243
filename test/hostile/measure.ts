/**
 * Runs the built CLI under /usr/bin/time for its peak RSS, with a deadline: shared by the hostile
 * suite (test/hostile) and its slower half in the benchmark (bench/hostile.ts). No node:test here.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
export const cli = path.join(repoRoot, 'dist/cli.js');

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
 * A field of /proc/<pid>/status (VmHWM for the peak, VmRSS, RssAnon, RssFile) in MiB, or NaN
 * where there is none (not Linux, or the process is gone).
 */
export function procStatusMiB(pid: number | 'self', field: string): number {
  try {
    const line = fs
      .readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return line ? Number.parseInt(line.slice(field.length + 1), 10) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

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
  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-time-'));
  const report = path.join(reportDir, 'time.txt');
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
  fs.rmSync(reportDir, { recursive: true, force: true });
  return {
    status: res.status,
    signal: res.signal,
    stdout: res.stdout ?? '',
    stderr: res.stderr ?? '',
    seconds: (performance.now() - started) / 1000,
    peakRssMiB: kib / 1024,
  };
}
