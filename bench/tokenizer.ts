/**
 * Tokenizer throughput. `node --import tsx bench/tokenizer.ts` prints characters per second on
 * the `# text` lines of UD English-EWT (concatenated with newlines, and line by line), on a 1 MB
 * line without newline, and for the wink-tokenizer reference. The requirement is ≥ 1 M chars/s.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tokenize, tokenizeSentences, winkTokenize } from '../src/core/tokens';

const EWT_DIR = path.resolve(__dirname, '../../shared/data/ud-en-ewt');

export interface TokenizerBenchResult {
  /** `tokenize` on the EWT text lines joined by newlines: the headline figure. */
  charsPerSecond: number;
  tokensPerSecond: number;
  /** `tokenize` called once per EWT line (16,600 short calls). */
  perLineCharsPerSecond: number;
  /** `tokenize` on a single 1 MiB line of EWT prose. */
  longLineCharsPerSecond: number;
  /** `tokenizeSentences` (tokens and sentences) on the joined EWT text. */
  sentencesCharsPerSecond: number;
  /** The wink-tokenizer reference with offset alignment, on the joined EWT text. */
  winkCharsPerSecond: number;
  characters: number;
  tokens: number;
  lines: number;
}

function ewtTextLines(): string[] {
  return fs
    .readdirSync(EWT_DIR)
    .filter((name) => name.endsWith('.conllu'))
    .sort()
    .flatMap((name) =>
      fs
        .readFileSync(path.join(EWT_DIR, name), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('# text = '))
        .map((line) => line.slice('# text = '.length)),
    );
}

/** Best-of-`runs` characters per second of `work` over `characters` characters, after a warm-up. */
function charsPerSecond(characters: number, work: () => void, runs = 5): number {
  work(); // let the JIT compile the tokenizer before timing it
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return characters / (best / 1000);
}

export async function benchTokenizer(): Promise<TokenizerBenchResult> {
  const lines = ewtTextLines();
  const text = lines.join('\n');
  const longLine = text.replaceAll('\n', ' ').slice(0, 2 ** 20);
  const tokens = tokenize(text).length;
  const joined = charsPerSecond(text.length, () => tokenize(text));
  return {
    charsPerSecond: joined,
    tokensPerSecond: (joined * tokens) / text.length,
    perLineCharsPerSecond: charsPerSecond(text.length, () => {
      for (const line of lines) tokenize(line);
    }),
    longLineCharsPerSecond: charsPerSecond(longLine.length, () => tokenize(longLine)),
    sentencesCharsPerSecond: charsPerSecond(text.length, () => tokenizeSentences(text)),
    winkCharsPerSecond: charsPerSecond(text.length, () => winkTokenize(text), 2),
    characters: text.length,
    tokens,
    lines: lines.length,
  };
}

if (require.main === module) {
  benchTokenizer().then(
    (result) => {
      const millions = (x: number): string => `${(x / 1e6).toFixed(2)} M`;
      console.log(`EWT text: ${result.lines} lines, ${result.characters} chars, ${result.tokens} tokens`);
      console.log(
        `tokenize, joined text      ${millions(result.charsPerSecond)} chars/s (${millions(result.tokensPerSecond)} tokens/s)`,
      );
      console.log(`tokenize, line by line     ${millions(result.perLineCharsPerSecond)} chars/s`);
      console.log(`tokenize, 1 MiB single line ${millions(result.longLineCharsPerSecond)} chars/s`);
      console.log(`tokenizeSentences          ${millions(result.sentencesCharsPerSecond)} chars/s`);
      console.log(`winkTokenize (reference)   ${millions(result.winkCharsPerSecond)} chars/s`);
      if (result.charsPerSecond < 1e6) process.exitCode = 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
