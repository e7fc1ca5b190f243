/**
 * Line-by-line input without holding the file in one string: a file is read in chunks of bytes
 * and handed on as batches of lines (one batch per chunk keeps the per-line cost of async
 * iteration away). Lines are split on `\n` only; a trailing `\r` stays on the line for the format
 * to strip, so character counts stay exact (brat offsets count every character of the file).
 *
 * Bytes are checked, not trusted: a line that is not valid UTF-8 is passed on decoded (with
 * U+FFFD) but flagged, and a line longer than MAX_LINE_BYTES is not decoded at all, so one
 * endless line cannot exhaust memory. Readers turn the flags into `file:line` problems.
 */

import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';

const CHUNK_BYTES = 1 << 16;
const NEWLINE = 0x0a;

/**
 * The longest line read: 128 MiB, room for the JSONL line of a sentence at the longest a sentence
 * may be (MAX_SENTENCE_CHARS), with its tokens listed.
 */
export const MAX_LINE_BYTES = 128 * 1024 * 1024;

export interface LineBatch {
  lines: string[];
  /**
   * Lines of the batch that are not what they seem, by index in `lines`, with what is wrong;
   * `unread` lines were too long to decode (their text is '').
   */
  flawed: Array<{ index: number; problem: string; unread?: boolean }>;
}

/** Batches of lines of a file, in order, without line terminators and without a leading BOM. */
export async function* readLineBatches(path: string, chunkBytes = CHUNK_BYTES): AsyncGenerator<LineBatch> {
  const stream = fs.createReadStream(path, { highWaterMark: chunkBytes });
  const splitter = new LineSplitter();
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const batch = splitter.push(chunk);
      if (batch.lines.length > 0) yield batch;
    }
    const last = splitter.end();
    if (last.lines.length > 0) yield last;
  } finally {
    stream.destroy();
  }
}

/** All lines of an in-memory text or file content (same splitting and checks as `readLineBatches`). */
export function splitLines(content: string | Uint8Array): LineBatch {
  const splitter = new LineSplitter();
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  const batch = splitter.push(bytes);
  const last = splitter.end();
  const offset = batch.lines.length;
  return {
    lines: [...batch.lines, ...last.lines],
    flawed: [...batch.flawed, ...last.flawed.map((f) => ({ ...f, index: f.index + offset }))],
  };
}

/**
 * Where the first invalid UTF-8 sequence of `bytes` starts (isUtf8 says whether there is one;
 * this says where, for the message).
 */
function firstInvalidByte(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    const length =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead < 0xe0
          ? 2
          : lead >= 0xe0 && lead < 0xf0
            ? 3
            : lead >= 0xf0 && lead < 0xf5
              ? 4
              : 0;
    if (length === 0 || i + length > bytes.length) return i;
    if (!isUtf8(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return bytes.length;
}

/**
 * Turns chunks of bytes into complete lines. A line spanning many chunks is kept as a list of
 * pieces and joined once, so a long line costs linear time; past MAX_LINE_BYTES its pieces are
 * dropped and only its length is counted.
 */
class LineSplitter {
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  private started = false;

  push(input: Buffer): LineBatch {
    let chunk = input;
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    const batch: LineBatch = { lines: [], flawed: [] };
    const first = chunk.indexOf(NEWLINE);
    if (first < 0) {
      this.append(chunk);
      return batch;
    }
    this.append(chunk.subarray(0, first));
    this.finishLine(batch);
    const last = chunk.lastIndexOf(NEWLINE);
    if (last > first) this.completeLines(chunk.subarray(first + 1, last), batch);
    this.append(chunk.subarray(last + 1));
    return batch;
  }

  end(): LineBatch {
    const batch: LineBatch = { lines: [], flawed: [] };
    if (this.pieceBytes > 0) this.finishLine(batch);
    return batch;
  }

  /** Lines wholly inside one chunk (so shorter than MAX_LINE_BYTES): decoded at once when valid. */
  private completeLines(region: Buffer, batch: LineBatch): void {
    if (isUtf8(region)) {
      for (const line of region.toString('utf8').split('\n')) batch.lines.push(line);
      return;
    }
    let from = 0;
    for (;;) {
      const next = region.indexOf(NEWLINE, from);
      this.addLine(region.subarray(from, next < 0 ? region.length : next), batch);
      if (next < 0) return;
      from = next + 1;
    }
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pieceBytes += piece.length;
    if (this.pieceBytes > MAX_LINE_BYTES) this.pieces = [];
    else this.pieces.push(piece);
  }

  private finishLine(batch: LineBatch): void {
    if (this.pieceBytes > MAX_LINE_BYTES) {
      batch.flawed.push({
        index: batch.lines.length,
        problem: `a line of ${this.pieceBytes.toLocaleString('en-US')} bytes, longer than the ${MAX_LINE_BYTES.toLocaleString('en-US')} a line may have; it is not read (split it)`,
        unread: true,
      });
      batch.lines.push('');
    } else {
      this.addLine(this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces), batch);
    }
    this.pieces = [];
    this.pieceBytes = 0;
  }

  private addLine(bytes: Buffer, batch: LineBatch): void {
    if (!isUtf8(bytes)) {
      batch.flawed.push({
        index: batch.lines.length,
        problem: `invalid UTF-8 at byte ${firstInvalidByte(bytes) + 1} of the line (is the file in another encoding?)`,
      });
    }
    batch.lines.push(bytes.toString('utf8'));
  }
}
