/** Token-level metrics: accuracy with per-tag counts, and confusion matrices. */
import { isChunkTag, OUTSIDE_TAG, parseTag } from '../corpus/schemes';
import { assertAligned, compareStrings, forEachTagPair, prf } from './align';

export interface TagCounts {
  /** Tokens with this gold tag. */
  gold: number;
  /** Tokens predicted with this tag. */
  predicted: number;
  /** Tokens where both agree on this tag. */
  correct: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface TokenAccuracy {
  /** `correct / total`, 0 for an empty corpus. */
  accuracy: number;
  correct: number;
  total: number;
  /** Every tag seen in the gold or the prediction, in sorted order. */
  perTag: Record<string, TagCounts>;
}

/** Share of tokens whose predicted tag equals the gold tag, overall and per tag. */
export function tokenAccuracy(
  gold: readonly (readonly string[])[],
  pred: readonly (readonly string[])[],
): TokenAccuracy {
  assertAligned(gold, pred);
  const counts = new Map<string, { gold: number; predicted: number; correct: number }>();
  const countsOf = (tag: string) => {
    let entry = counts.get(tag);
    if (!entry) {
      entry = { gold: 0, predicted: 0, correct: 0 };
      counts.set(tag, entry);
    }
    return entry;
  };
  let correct = 0;
  let total = 0;
  forEachTagPair(gold, pred, (goldTag, predTag) => {
    total++;
    countsOf(goldTag).gold++;
    countsOf(predTag).predicted++;
    if (goldTag === predTag) {
      correct++;
      countsOf(goldTag).correct++;
    }
  });
  const perTag = Object.fromEntries(
    [...counts.keys()].sort(compareStrings).map((tag) => {
      const c = counts.get(tag)!;
      return [tag, { ...c, ...prf(c.correct, c.predicted - c.correct, c.gold - c.correct) }];
    }),
  );
  return { accuracy: total > 0 ? correct / total : 0, correct, total, perTag };
}

export interface ConfusionMatrix {
  labels: string[];
  /** `counts[gold][predicted]`, indexed like `labels`. */
  counts: number[][];
}

export interface TokenConfusion extends ConfusionMatrix {
  /**
   * The same tokens with chunk prefixes stripped (`B-PER`, `I-PER` → `PER`; `O` stays), present
   * when every tag is a chunk tag.
   */
  byType?: ConfusionMatrix;
}

/**
 * Token-level confusion matrix over the tags of the gold and the prediction. Chunk tags are
 * ordered `O` first, then by type and prefix (B, I, E, S); other tags alphabetically.
 */
export function confusionMatrix(
  gold: readonly (readonly string[])[],
  pred: readonly (readonly string[])[],
): TokenConfusion {
  assertAligned(gold, pred);
  const tags = new Set<string>();
  forEachTagPair(gold, pred, (goldTag, predTag) => {
    tags.add(goldTag);
    tags.add(predTag);
  });
  const labels = [...tags].sort(compareTags);
  const matrix = countPairs(gold, pred, labels, (tag) => tag);
  if (!labels.every(isChunkTag)) return matrix;
  const typeOf = (tag: string) => (tag === OUTSIDE_TAG ? OUTSIDE_TAG : parseTag(tag).label);
  const types = [...new Set(labels.map(typeOf))];
  return { ...matrix, byType: countPairs(gold, pred, types, typeOf) };
}

function countPairs(
  gold: readonly (readonly string[])[],
  pred: readonly (readonly string[])[],
  labels: string[],
  labelOf: (tag: string) => string,
): ConfusionMatrix {
  const index = new Map(labels.map((label, i) => [label, i]));
  const counts = labels.map(() => new Array<number>(labels.length).fill(0));
  forEachTagPair(gold, pred, (goldTag, predTag) => {
    counts[index.get(labelOf(goldTag))!]![index.get(labelOf(predTag))!]!++;
  });
  return { labels, counts };
}

const PREFIX_ORDER = ['O', 'B', 'I', 'E', 'S'];

function compareTags(a: string, b: string): number {
  const pa = parseTag(a);
  const pb = parseTag(b);
  if (pa.prefix === null || pb.prefix === null) {
    // Chunk tags before other tags; other tags among themselves alphabetically.
    if (pa.prefix !== pb.prefix) return pa.prefix === null ? 1 : -1;
    return compareStrings(a, b);
  }
  if (pa.prefix === 'O' || pb.prefix === 'O')
    return PREFIX_ORDER.indexOf(pa.prefix) - PREFIX_ORDER.indexOf(pb.prefix);
  return (
    compareStrings(pa.label, pb.label) || PREFIX_ORDER.indexOf(pa.prefix) - PREFIX_ORDER.indexOf(pb.prefix)
  );
}
