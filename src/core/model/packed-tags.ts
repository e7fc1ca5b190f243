/**
 * Tagged sentences as a few typed arrays: label indices instead of strings, one array per field
 * instead of an object per token and per alternative. A tagger writes into them window by window
 * as the network's batches come out (`TagPacker`), so a call holds no per-token object however
 * long its document: what the tagging process sends back, in one structured-clone copy.
 */
import type { SentencePrediction } from './predictions';
import type { ScoredSentence, TaggedToken } from './tagger-base';

export interface PackedTags {
  lengths: Int32Array;
  tags: Int16Array;
  confidences: Float32Array;
  /** Alternatives per token (slots; unused ones hold label −1). */
  slots: number;
  alternativeLabels: Int16Array;
  alternativeProbabilities: Float32Array;
  /** Per sentence: the log-probability of its tags and its summed token entropy (ScoredSentence). */
  logProbabilities: Float64Array;
  entropies: Float64Array;
}

/** The part of a sentence one prediction covers: its tokens [start, end), of which [keepFrom, keepTo) count. */
export interface PredictedPart {
  sentence: number;
  start: number;
  end: number;
  keepFrom: number;
  keepTo: number;
}

/** Fills a PackedTags for sentences of known lengths from their (window) predictions, in any order. */
export class TagPacker {
  readonly packed: PackedTags;
  /** Where each sentence's first token is in the per-token arrays. */
  private readonly offsets: Int32Array;

  constructor(
    lengths: ArrayLike<number>,
    private readonly numLabels: number,
    alternatives: number,
  ) {
    this.offsets = new Int32Array(lengths.length);
    let tokens = 0;
    for (let s = 0; s < lengths.length; s++) {
      this.offsets[s] = tokens;
      tokens += lengths[s]!;
    }
    // Every label but the best one can be an alternative.
    const slots = Math.max(0, Math.min(alternatives, numLabels - 1));
    this.packed = {
      lengths: Int32Array.from(lengths),
      tags: new Int16Array(tokens),
      confidences: new Float32Array(tokens),
      slots,
      alternativeLabels: new Int16Array(tokens * slots).fill(-1),
      alternativeProbabilities: new Float32Array(tokens * slots),
      logProbabilities: new Float64Array(lengths.length),
      entropies: new Float64Array(lengths.length),
    };
  }

  /**
   * Writes the kept tokens of `part` from its prediction. A sentence's log-probability and
   * entropy add up its parts' in proportion to the tokens each keeps: per token they stay
   * comparable with unwindowed sentences'.
   */
  add(part: PredictedPart, prediction: SentencePrediction): void {
    const { packed, numLabels: K } = this;
    const { labels, distributions } = prediction;
    const first = this.offsets[part.sentence]!;
    for (let t = part.keepFrom; t < part.keepTo; t++) {
      const i = first + t;
      const row = (t - part.start) * K;
      const label = labels[t - part.start]!;
      packed.tags[i] = label;
      packed.confidences[i] = distributions[row + label]!;
      this.writeAlternatives(distributions, row, label, i * packed.slots);
    }
    const share = part.end === part.start ? 1 : (part.keepTo - part.keepFrom) / (part.end - part.start);
    packed.logProbabilities[part.sentence]! += share * prediction.logProbability;
    packed.entropies[part.sentence]! += share * prediction.entropy;
  }

  /**
   * The most likely labels after `best`, best first, into the token's slots: insertion into a
   * short sorted list, no allocation (this runs for every token).
   */
  private writeAlternatives(distributions: ArrayLike<number>, row: number, best: number, at: number): void {
    const { slots, alternativeLabels: out, alternativeProbabilities: probabilities } = this.packed;
    let filled = 0;
    for (let k = 0; k < this.numLabels; k++) {
      if (k === best) continue;
      const probability = distributions[row + k]!;
      if (filled === slots && (slots === 0 || probability <= probabilities[at + slots - 1]!)) continue;
      let to = filled === slots ? slots - 1 : filled++;
      while (to > 0 && probabilities[at + to - 1]! < probability) {
        out[at + to] = out[at + to - 1]!;
        probabilities[at + to] = probabilities[at + to - 1]!;
        to--;
      }
      out[at + to] = k;
      probabilities[at + to] = probability;
    }
  }
}

/** Token `i`'s alternatives in `packed`, best first. */
function alternativesAt(
  packed: PackedTags,
  i: number,
  labels: readonly string[],
): TaggedToken['alternatives'] {
  const alternatives = [];
  for (let a = 0; a < packed.slots; a++) {
    const label = packed.alternativeLabels[i * packed.slots + a]!;
    if (label >= 0) {
      alternatives.push({
        label: labels[label]!,
        probability: packed.alternativeProbabilities[i * packed.slots + a]!,
      });
    }
  }
  return alternatives;
}

/** The tagged sentences of `packed`, with their log-probabilities and entropies. */
export function unpackScored(
  packed: PackedTags,
  sentences: ReadonlyArray<readonly string[]>,
  labels: readonly string[],
): ScoredSentence[] {
  return unpackTags(packed, sentences, labels).map((tokens, s) => ({
    tokens,
    logProbability: packed.logProbabilities[s]!,
    entropy: packed.entropies[s]!,
  }));
}

/** The tagged sentences of `packed`, one object per token (for callers that want them). */
export function unpackTags(
  packed: PackedTags,
  sentences: ReadonlyArray<readonly string[]>,
  labels: readonly string[],
): TaggedToken[][] {
  let next = 0;
  return sentences.map((sentence, s) =>
    Array.from({ length: packed.lengths[s]! }, (_, t) => {
      const i = next++;
      return {
        token: sentence[t]!,
        tag: labels[packed.tags[i]!]!,
        confidence: packed.confidences[i]!,
        alternatives: alternativesAt(packed, i, labels),
      };
    }),
  );
}
