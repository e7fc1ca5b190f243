/**
 * A terminal progress bar on stderr. It stays silent for the first second, so quick commands
 * print nothing extra, and when stderr is not a terminal (pipes, CI logs).
 */
export interface ProgressBar {
  /** `done` and `total` in any unit (bytes, sentences); `detail` is shown after the bar. */
  update(done: number, total: number, detail?: string): void;
  finish(): void;
}

export function createProgressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  delayMs = 1000,
): ProgressBar {
  const started = Date.now();
  let lastDraw = 0;
  let drawn = false;
  // A CLI child whose stderr is filtered (quiet-stderr.ts) is told its parent's terminal.
  const terminal = Boolean(stream.isTTY) || process.env.SPANLIGHT_STDERR_TTY === '1';
  const columns = stream.columns || Number(process.env.SPANLIGHT_STDERR_COLUMNS) || 100;
  const enabled = terminal && process.env.SPANLIGHT_NO_PROGRESS !== '1';
  return {
    update(done, total, detail = '') {
      if (!enabled) return;
      const now = Date.now();
      if (now - started < delayMs || now - lastDraw < 100) return;
      lastDraw = now;
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      const width = 30;
      const filled = Math.round(fraction * width);
      const elapsed = (now - started) / 1000;
      const eta = fraction > 0 ? elapsed / fraction - elapsed : Number.NaN;
      const etaText = Number.isFinite(eta) ? ` ETA ${formatDuration(eta)}` : '';
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0)}%${etaText} ${detail}`;
      stream.write(`\r${line.slice(0, columns - 1)}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(sec).padStart(2, '0')}s`
      : `${sec}s`;
}
