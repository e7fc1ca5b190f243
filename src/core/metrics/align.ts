/**
 * Checks that gold and predicted tags line up sentence by sentence. A mismatch means the caller
 * paired the wrong files or dropped tokens, so it is reported with the first sentence that differs.
 */
export function assertAligned(
  gold: readonly (readonly string[])[],
  pred: readonly (readonly string[])[],
): void {
  if (gold.length !== pred.length) {
    throw new Error(`gold has ${gold.length} sentences but the prediction has ${pred.length}`);
  }
  gold.forEach((goldTags, index) => {
    const predTags = pred[index]!;
    if (goldTags.length !== predTags.length) {
      throw new Error(
        `sentence ${index + 1}: gold has ${goldTags.length} tags but the prediction has ${predTags.length}`,
      );
    }
  });
}

/** Precision, recall and F1 from counts, 0 where a denominator is 0 (as conlleval reports). */
export function prf(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/** Plain string order (by UTF-16 code unit), the order Perl's `sort` gives ASCII labels. */
export function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Visits aligned (gold, predicted) tag pairs in order, with a call after each sentence. */
export function forEachTagPair(
  gold: readonly (readonly string[])[],
  pred: readonly (readonly string[])[],
  visit: (goldTag: string, predTag: string) => void,
  afterSentence?: () => void,
): void {
  gold.forEach((goldTags, sentence) => {
    const predTags = pred[sentence]!;
    for (let index = 0; index < goldTags.length; index++) visit(goldTags[index]!, predTags[index]!);
    afterSentence?.();
  });
}
