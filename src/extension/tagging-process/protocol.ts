/**
 * Messages between the extension host and the tagging process (host.ts). Every request carries
 * an id; the answer carries the same id and either a result or an error message.
 */
import type { BackendInfo } from '../../core/backend';
import type { ScoredSentence, TaggedToken, TagOptions, TagTextResult } from '../../core/model/tagger';
import type { TaggingBackend } from '../../core/model/tagger-base';
import type { TagScheme } from '../../core/types';

export type TaggingRequest =
  | { id: number; type: 'load'; folder: string }
  | { id: number; type: 'unload'; folder: string }
  | {
      id: number;
      type: 'tag';
      folder: string;
      sentences: ReadonlyArray<readonly string[]>;
      options: TagOptions;
    }
  | { id: number; type: 'tagTexts'; folder: string; texts: readonly string[]; options: TagOptions }
  | { id: number; type: 'memory' }
  | { id: number; type: 'backendInfo' }
  | { id: number; type: 'backend' };

/** What a load answers: what the editor needs to know of the model without its weights. */
export interface LoadedModel {
  labels: string[];
  scheme: TagScheme | 'none';
  /** Which backend tags with it: native TensorFlow, or the portable backend where it cannot load. */
  backend: TaggingBackend;
  /** Why native TensorFlow cannot load here (a reason for users, the loader's error for the log). */
  nativeUnavailable?: BackendChoice['nativeUnavailable'];
  /** Where this load's time went, for the log and the time-to-first-highlight report. */
  timings: LoadTimings;
}

/** Milliseconds, except the two instants (epoch ms, comparable with the extension host's Date.now()). */
export interface LoadTimings {
  /** When the tagging process started, and when its code had loaded and it began listening. */
  processStartedAt: number;
  hostReadyAt: number;
  /** Loading TensorFlow's library (0 when an earlier load had loaded it). */
  tensorflowMs: number;
  /** Reading and checking the model files, building the network, setting its weights. */
  modelMs: number;
  /** Tagging one short sentence, which loads the inference graphs. */
  warmUpMs: number;
}

export interface ResultOf {
  load: LoadedModel;
  unload: null;
  tag: PackedTags;
  tagTexts: TagTextResult[];
  /** The tagging process's resident memory, bytes. */
  memory: { rss: number };
  backendInfo: TaggingBackendInfo;
  backend: BackendChoice;
}

/** Which backend tags, without the timing `backendInfo` runs; why native cannot load, if it cannot. */
export interface BackendChoice {
  backend: TaggingBackend;
  nativeUnavailable?: { reason: string; detail: string };
}

/** What tags in the tagging process: native TensorFlow (with its figures) or the portable backend. */
export type TaggingBackendInfo =
  | ({ tagging: 'tensorflow' } & BackendInfo)
  | { tagging: 'portable'; nativeUnavailable?: string };

/**
 * Sent by the tagging process on its own, with no request: a model loaded on the portable backend
 * has moved to native TensorFlow, or native TensorFlow turned out not to load.
 */
export type HostEvent =
  | { event: 'native'; folder: string; ok: true; timings: LoadTimings }
  | {
      event: 'native';
      folder: string;
      ok: false;
      nativeUnavailable: NonNullable<BackendChoice['nativeUnavailable']>;
    };

export type TaggingResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string; name: string };

/**
 * Tagged sentences as a few typed arrays: label indices instead of strings, one array per field
 * instead of an object per token and per alternative. Structured clone copies typed arrays in
 * one go; 10,000 tokens with 3 alternatives each as objects cost ~50 ms to cross.
 */
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

export function packTags(scored: readonly ScoredSentence[], labels: readonly string[]): PackedTags {
  const index = new Map(labels.map((label, i) => [label, i]));
  const tagged = scored.map((s) => s.tokens);
  const tokens = tagged.flat();
  // A loop, not Math.max(...): one long sentence has more tokens than a call may have arguments.
  let slots = 0;
  for (const token of tokens) slots = Math.max(slots, token.alternatives.length);
  const packed: PackedTags = {
    lengths: Int32Array.from(tagged, (sentence) => sentence.length),
    tags: new Int16Array(tokens.length),
    confidences: new Float32Array(tokens.length),
    slots,
    alternativeLabels: new Int16Array(tokens.length * slots).fill(-1),
    alternativeProbabilities: new Float32Array(tokens.length * slots),
    logProbabilities: Float64Array.from(scored, (s) => s.logProbability),
    entropies: Float64Array.from(scored, (s) => s.entropy),
  };
  tokens.forEach((token, i) => {
    packed.tags[i] = index.get(token.tag)!;
    packed.confidences[i] = token.confidence;
    token.alternatives.forEach((alternative, a) => {
      packed.alternativeLabels[i * slots + a] = index.get(alternative.label)!;
      packed.alternativeProbabilities[i * slots + a] = alternative.probability;
    });
  });
  return packed;
}

/** The tagged sentences of `packTags`, with their log-probabilities and entropies. */
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

export function unpackTags(
  packed: PackedTags,
  sentences: ReadonlyArray<readonly string[]>,
  labels: readonly string[],
): TaggedToken[][] {
  let next = 0;
  return sentences.map((sentence, s) =>
    Array.from({ length: packed.lengths[s]! }, (_, t) => {
      const i = next++;
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
      return {
        token: sentence[t]!,
        tag: labels[packed.tags[i]!]!,
        confidence: packed.confidences[i]!,
        alternatives,
      };
    }),
  );
}
