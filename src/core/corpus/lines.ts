/**
 * Line-by-line input without holding the file in one string: a file is read in chunks and handed
 * on as batches of lines (one batch per chunk keeps the per-line cost of async iteration away).
 * Lines are split on `\n` only; a trailing `\r` stays on the line for the format to strip, so
 * character counts stay exact (brat offsets count every character of the file).
 */
import fs from 'node:fs';

const BYTE_ORDER_MARK = '\uFEFF';
const CHUNK_BYTES = 1 << 16;

/** Batches of lines of a UTF-8 file, in order, without line terminators and without a leading BOM. */
export async function* readLineBatches(path: string, chunkBytes = CHUNK_BYTES): AsyncGenerator<string[]> {
  const stream = fs.createReadStream(path, { encoding: 'utf8', highWaterMark: chunkBytes });
  const splitter = new LineSplitter();
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const lines = splitter.push(chunk);
      if (lines.length > 0) yield lines;
    }
    const last = splitter.end();
    if (last.length > 0) yield last;
  } finally {
    stream.destroy();
  }
}

/** All lines of an in-memory text (same splitting rules as `readLineBatches`). */
export function splitLines(text: string): string[] {
  const splitter = new LineSplitter();
  return [...splitter.push(text), ...splitter.end()];
}

/**
 * Turns chunks into complete lines. A line spanning many chunks is kept as a list of pieces and
 * joined once, so a long line costs linear time.
 */
class LineSplitter {
  private pieces: string[] = [];
  private started = false;

  push(chunk: string): string[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.startsWith(BYTE_ORDER_MARK)) text = text.slice(1);
    }
    const firstBreak = text.indexOf('\n');
    if (firstBreak < 0) {
      if (text.length > 0) this.pieces.push(text);
      return [];
    }
    const lines = text.split('\n');
    this.pieces.push(lines[0]!);
    lines[0] = this.pieces.join('');
    this.pieces = [lines.pop()!];
    return lines;
  }

  end(): string[] {
    const last = this.pieces.join('');
    this.pieces = [];
    return last.length > 0 ? [last] : [];
  }
}
