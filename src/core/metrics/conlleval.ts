/**
 * Chunk-level precision, recall and F1 with the semantics of conlleval.pl (CoNLL-2000, version
 * 2004-01-26) extended with the BIOES rules (`S-`, and `E-` followed by `B-`) that the widely used
 * BIOES variants of the script add. For IOB1/IOB2 data the extension changes nothing.
 *
 * The corpus is processed token by token exactly like the script: a chunk starts or ends between
 * two tokens according to `startOfChunk`/`endOfChunk` on (previous tag, tag), a predicted chunk is
 * correct when it starts and ends with a gold chunk of the same type, and each sentence is
 * followed by a boundary that counts as `O` (so chunks never run across sentences).
 */
import { assertAligned, compareStrings, forEachTagPair, prf } from './align';

/** Precision, recall and F1 as fractions in [0, 1] with the counts they come from. */
export interface ChunkScores {
  precision: number;
  recall: number;
  f1: number;
  /** Correct chunks. */
  tp: number;
  /** Predicted chunks that are not correct. */
  fp: number;
  /** Gold chunks that were missed. */
  fn: number;
  /** Gold chunks. */
  support: number;
}

export interface SpanMetrics {
  /** Per chunk type (conlleval lists every type found in the gold or the prediction). */
  perLabel: Record<string, ChunkScores>;
  micro: ChunkScores;
  /** Unweighted mean over `perLabel` (0 when there are no chunks at all). */
  macro: { precision: number; recall: number; f1: number };
  /** conlleval's token accuracy: `correctTags / tokens`. */
  accuracy: number;
  tokens: number;
  correctTags: number;
  /** Gold chunks. */
  foundCorrect: number;
  /** Predicted chunks. */
  foundGuessed: number;
  /** Correct chunks. */
  correctChunk: number;
}

export interface SpanMetricsOptions {
  /**
   * conlleval `-r`: tags carry no `B-`/`I-` prefix and every non-outside token is a chunk of one
   * token (useful for POS-like tag sets).
   */
  raw?: boolean;
  /** conlleval `-o`: the outside tag in raw mode (default `O`). */
  outsideTag?: string;
}

interface ConllTag {
  /** What precedes the first hyphen (`B`, `I`, `E`, `S`, `O`, `[`, `]`, `.`…). */
  prefix: string;
  type: string;
}

const OUTSIDE: ConllTag = { prefix: 'O', type: '' };

function splitTag(tag: string): ConllTag {
  const hyphen = tag.indexOf('-');
  if (hyphen < 0) return { prefix: tag, type: '' };
  const type = tag.slice(hyphen + 1);
  // The script writes `$type ? $type : ""`, and "0" is false in Perl.
  return { prefix: tag.slice(0, hyphen), type: type === '0' ? '' : type };
}

function rawToChunkTag(tag: string, outsideTag: string): string {
  const outside = tag === outsideTag ? 'O' : tag;
  return outside === 'O' ? outside : `B-${outside}`;
}

const ENDS_BEFORE = new Map<string, ReadonlySet<string>>([
  ['B', new Set(['B', 'O', 'S'])],
  ['I', new Set(['B', 'O', 'S'])],
  ['E', new Set(['E', 'I', 'O', 'S', 'B'])],
  ['S', new Set(['E', 'I', 'O', 'S', 'B'])],
]);

const STARTS_AFTER = new Map<string, ReadonlySet<string>>([
  ['B', new Set(['B', 'I', 'O', 'S', 'E'])],
  ['S', new Set(['B', 'I', 'O', 'S', 'E'])],
  ['I', new Set(['O', 'S', 'E'])],
  ['E', new Set(['S', 'E', 'O'])],
]);

/** conlleval `endOfChunk`: did a chunk end between `prev` and `tag`? */
function endOfChunk(prev: ConllTag, tag: ConllTag): boolean {
  if (ENDS_BEFORE.get(prev.prefix)?.has(tag.prefix)) return true;
  if (prev.prefix !== 'O' && prev.prefix !== '.' && prev.type !== tag.type) return true;
  // `[` and `]` mark chunks of one token.
  return prev.prefix === '[' || prev.prefix === ']';
}

/** conlleval `startOfChunk`: did a chunk start between `prev` and `tag`? */
function startOfChunk(prev: ConllTag, tag: ConllTag): boolean {
  if (STARTS_AFTER.get(tag.prefix)?.has(prev.prefix)) return true;
  if (tag.prefix !== 'O' && tag.prefix !== '.' && prev.type !== tag.type) return true;
  return tag.prefix === '[' || tag.prefix === ']';
}

class Counter {
  readonly counts = new Map<string, number>();
  total = 0;
  add(type: string): void {
    this.total++;
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
  }
  get(type: string): number {
    return this.counts.get(type) ?? 0;
  }
}

/**
 * Chunk P/R/F1 per type, micro and macro, plus conlleval's token accuracy, for sentences of gold
 * and predicted tags. Throws if the two do not have the same shape.
 */
export function spanMetrics(
  gold: readonly (readonly string[])[],
  pred: readonly (readonly string[])[],
  options: SpanMetricsOptions = {},
): SpanMetrics {
  assertAligned(gold, pred);
  const outsideTag = options.outsideTag ?? 'O';
  const toConll = (tag: string) => splitTag(options.raw ? rawToChunkTag(tag, outsideTag) : tag);

  const foundCorrect = new Counter();
  const foundGuessed = new Counter();
  const correctChunk = new Counter();
  let tokens = 0;
  let correctTags = 0;
  let lastCorrect = OUTSIDE;
  let lastGuessed = OUTSIDE;
  let inCorrect = false;

  const step = (correct: ConllTag, guessed: ConllTag, isToken: boolean) => {
    const goldEnds = endOfChunk(lastCorrect, correct);
    const guessEnds = endOfChunk(lastGuessed, guessed);
    if (inCorrect) {
      if (goldEnds && guessEnds && lastGuessed.type === lastCorrect.type) {
        inCorrect = false;
        correctChunk.add(lastCorrect.type);
      } else if (goldEnds !== guessEnds || guessed.type !== correct.type) {
        inCorrect = false;
      }
    }
    const goldStarts = startOfChunk(lastCorrect, correct);
    const guessStarts = startOfChunk(lastGuessed, guessed);
    if (goldStarts && guessStarts && guessed.type === correct.type) inCorrect = true;
    if (goldStarts) foundCorrect.add(correct.type);
    if (guessStarts) foundGuessed.add(guessed.type);
    if (isToken) {
      if (correct.prefix === guessed.prefix && correct.type === guessed.type) correctTags++;
      tokens++;
    }
    lastCorrect = correct;
    lastGuessed = guessed;
  };

  forEachTagPair(
    gold,
    pred,
    (goldTag, predTag) => step(toConll(goldTag), toConll(predTag), true),
    () => step(OUTSIDE, OUTSIDE, false),
  );
  if (inCorrect) correctChunk.add(lastCorrect.type);

  const types = [...new Set([...foundCorrect.counts.keys(), ...foundGuessed.counts.keys()])].sort(
    compareStrings,
  );
  const scoresOf = (tp: number, guessed: number, support: number): ChunkScores => ({
    ...prf(tp, guessed - tp, support - tp),
    tp,
    fp: guessed - tp,
    fn: support - tp,
    support,
  });
  const perLabelList = types.map((type) => [
    type,
    scoresOf(correctChunk.get(type), foundGuessed.get(type), foundCorrect.get(type)),
  ]);
  const perLabel: Record<string, ChunkScores> = Object.fromEntries(perLabelList);
  const mean = (pick: (s: ChunkScores) => number) =>
    types.length === 0 ? 0 : types.reduce((sum, type) => sum + pick(perLabel[type]!), 0) / types.length;

  return {
    perLabel,
    micro: scoresOf(correctChunk.total, foundGuessed.total, foundCorrect.total),
    macro: { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) },
    accuracy: tokens > 0 ? correctTags / tokens : 0,
    tokens,
    correctTags,
    foundCorrect: foundCorrect.total,
    foundGuessed: foundGuessed.total,
    correctChunk: correctChunk.total,
  };
}

/**
 * C's `%6.2f`: Perl's printf rounds an exact tie (x.125, x.625…) to even, where JavaScript's
 * toFixed rounds it up.
 */
export function formatPercent(value: number): string {
  // Only odd multiples of 1/8 are exact ties at two decimals; scaling by 8 and 4 is exact.
  const isTie = Number.isInteger(value * 8) && !Number.isInteger(value * 4);
  let text: string;
  if (isTie) {
    const lower = Math.floor(value * 100);
    text = ((lower % 2 === 0 ? lower : lower + 1) / 100).toFixed(2);
  } else {
    text = value.toFixed(2);
  }
  return text.padStart(6);
}

/** Percent scores computed in the script's order of operations, so the printed digits match. */
function conllevalPercents(correct: number, guessed: number, gold: number) {
  const precision = guessed > 0 ? (100 * correct) / guessed : 0;
  const recall = gold > 0 ? (100 * correct) / gold : 0;
  const fb1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return `precision: ${formatPercent(precision)}%; recall: ${formatPercent(recall)}%; FB1: ${formatPercent(fb1)}`;
}

/**
 * The report conlleval.pl prints (without `-l`), line for line. One deliberate difference: the
 * script prints the line of the empty type (typeless chunks such as a bare `B`) twice when it
 * occurs in both the gold and the guesses; it is printed once here.
 */
export function formatConllevalTable(result: SpanMetrics): string {
  const lines = [
    `processed ${result.tokens} tokens with ${result.foundCorrect} phrases; ` +
      `found: ${result.foundGuessed} phrases; correct: ${result.correctChunk}.`,
  ];
  if (result.tokens > 0) {
    const accuracy = (100 * result.correctTags) / result.tokens;
    lines.push(
      `accuracy: ${formatPercent(accuracy)}%; ` +
        conllevalPercents(result.correctChunk, result.foundGuessed, result.foundCorrect),
    );
  }
  for (const type of Object.keys(result.perLabel).sort(compareStrings)) {
    const scores = result.perLabel[type]!;
    const guessed = scores.tp + scores.fp;
    lines.push(`${type.padStart(17)}: ${conllevalPercents(scores.tp, guessed, scores.support)}  ${guessed}`);
  }
  return `${lines.join('\n')}\n`;
}
