/**
 * TensorFlow's native library logs to the process's stderr while it loads (absl's "WARNING: All
 * log messages before absl::InitializeLog() is called…" and the oneDNN banner); no environment
 * variable silences these two lines short of turning oneDNN off, which costs training speed. So a
 * command that loads TensorFlow runs in a child process whose stderr passes through this filter:
 * the library's info lines are dropped, everything else (problems, progress bars, warnings) goes
 * through unchanged.
 */
import { spawn } from 'node:child_process';

/** Set in the child: run the command itself. */
export const CHILD_ENV = 'SPANLIGHT_CLI_CHILD';

/** absl's pre-initialisation notice, and absl/TensorFlow INFO lines (`I0000 00:00:… file.cc:N] …`). */
const NOISE = [
  /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/,
  /^I\d{4} \d\d:\d\d:[\d.]+\s+\d+ [\w.-]+\.cc:\d+\] /,
];
/** A partial line that may still become one of NOISE's (held until its end arrives). */
const MAYBE_NOISE = /^(W(A(R(N(I(N(G(:.*)?)?)?)?)?)?)?|I\d{0,4}( .*)?)$/;

/** Filters the library's log lines out of a stream of text, keeping everything else in order. */
export class NoiseFilter {
  private pending = '';

  constructor(private readonly write: (text: string) => void) {}

  push(chunk: string): void {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop()!;
    const kept = lines.filter((line) => !NOISE.some((noise) => noise.test(line)));
    if (kept.length > 0) this.write(kept.map((line) => `${line}\n`).join(''));
    // Progress bars redraw with \r and no newline: pass them on at once.
    if (this.pending && !MAYBE_NOISE.test(this.pending)) {
      this.write(this.pending);
      this.pending = '';
    }
  }

  end(): void {
    if (this.pending && !NOISE.some((noise) => noise.test(this.pending))) this.write(this.pending);
    this.pending = '';
  }
}

/**
 * Runs this CLI again as a child with the same arguments and its stderr filtered; resolves with
 * the child's exit code. Ctrl-C reaches the child too (same process group), which handles it.
 */
export function runFiltered(script: string, args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
    stdio: ['inherit', 'inherit', 'pipe'],
    env: {
      ...process.env,
      [CHILD_ENV]: '1',
      ...(process.stderr.isTTY
        ? { SPANLIGHT_STDERR_TTY: '1', SPANLIGHT_STDERR_COLUMNS: String(process.stderr.columns ?? 100) }
        : {}),
    },
  });
  const filter = new NoiseFilter((text) => process.stderr.write(text));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => filter.push(chunk));
  // The child gets the terminal's SIGINT itself; this process waits for it to finish.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onTerm = forward('SIGTERM');
  process.on('SIGTERM', onTerm);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      filter.end();
      process.removeListener('SIGINT', ignore);
      process.removeListener('SIGTERM', onTerm);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}
