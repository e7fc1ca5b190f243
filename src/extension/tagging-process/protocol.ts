/**
 * Messages between the extension host and the tagging process (host.ts). Every request carries
 * an id; the answer carries the same id and either a result or an error message.
 */
import type { BackendInfo } from '../../core/backend';
import type { PackedTags } from '../../core/model/packed-tags';
import type { TagOptions, TagTextResult } from '../../core/model/tagger';
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
  /** Typed arrays: structured clone copies each in one go (10,000 tokens as objects took ~50 ms to cross). */
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
