/**
 * Turning read corpora into training data, shared by `spanlight train` and the editor's
 * Train Tagger command: task detection, label renaming, tag repair and scheme conversion, dev
 * splits and data summaries.
 */

import { convertTags, detectScheme, isChunkTag, parseTag, repairTags } from '../corpus';
import { increment } from '../counts';
import { createXorshiftRandom, shuffled } from '../encode/random';
import type { TaskKind } from '../model/config';
import type { TaggedSentence, TagScheme } from '../types';

/** A problem with the training data that the user can fix (not a bug). */
export class TrainingDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDataError';
  }
}

/** `person=PER,group=ORG,product=O`: renames chunk types; mapping to O drops the chunk. */
export function parseLabelMap(value: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of value.split(',')) {
    const [from, to] = pair.split('=').map((s) => s.trim());
    if (!from || !to)
      throw new TrainingDataError(
        `label maps take FROM=TO pairs separated by commas (got ${JSON.stringify(pair)})`,
      );
    map.set(from, to);
  }
  return map;
}

/** Renames chunk types (or whole tags outside chunks) through `map`. */
export function mapLabels(tags: readonly string[], map: ReadonlyMap<string, string>): string[] {
  return tags.map((tag) => {
    const parsed = parseTag(tag);
    if (parsed.prefix === null || parsed.prefix === 'O') return map.get(tag) ?? tag;
    const to = map.get(parsed.label);
    if (to === undefined) return tag;
    return to === 'O' ? 'O' : `${parsed.prefix}-${to}`;
  });
}

/** True when every tag is a chunk tag and some sentence has a chunk: an entity corpus. */
export function hasChunkTags(sentences: readonly TaggedSentence[]): boolean {
  return (
    sentences.every((s) => s.tags.every(isChunkTag)) && sentences.some((s) => s.tags.some((t) => t !== 'O'))
  );
}

export interface PrepareOptions {
  /** Entities or POS; detected from the tags when absent. */
  task?: TaskKind;
  /** Target scheme for entity tags (default IOB2). */
  scheme?: TagScheme;
  labelMap?: ReadonlyMap<string, string>;
}

export interface PreparedData {
  task: TaskKind;
  /** The scheme the tags are in now ('none' for POS). */
  scheme: TagScheme | 'none';
  train: TaggedSentence[];
  dev: TaggedSentence[];
  testSets: TaggedSentence[][];
  /** Invalid tag sequences that were repaired (an `I-X` with no chunk to continue, …). */
  repairs: number;
}

/**
 * Detects the task and, for entities, renames labels, repairs invalid sequences in the source
 * scheme and converts every split to the target scheme. Returns new sentences.
 */
export function prepareTrainingData(
  train: readonly TaggedSentence[],
  dev: readonly TaggedSentence[],
  testSets: readonly (readonly TaggedSentence[])[],
  options: PrepareOptions = {},
): PreparedData {
  if (train.length === 0) throw new TrainingDataError('the training files hold no sentences');
  const chunkTags = hasChunkTags(train);
  const task = options.task ?? (chunkTags ? 'entities' : 'pos');
  if (task === 'pos') {
    return {
      task,
      scheme: 'none',
      train: [...train],
      dev: [...dev],
      testSets: testSets.map((t) => [...t]),
      repairs: 0,
    };
  }
  if (!chunkTags)
    throw new TrainingDataError('an entity task needs chunk tags (O, B-X, I-X…) in the training files');
  const source = detectScheme(train.map((s) => s.tags));
  const sourceScheme: TagScheme = source === 'none' ? 'IOB2' : source;
  const scheme = options.scheme ?? 'IOB2';
  let repairs = 0;
  const normalise = (sentences: readonly TaggedSentence[]) =>
    sentences.map((s) => {
      const mapped = options.labelMap ? mapLabels(s.tags, options.labelMap) : s.tags;
      const repaired = repairTags(mapped, sourceScheme);
      repairs += repaired.repairs;
      return { ...s, tags: convertTags(repaired.tags, sourceScheme, scheme) };
    });
  return {
    task,
    scheme,
    train: normalise(train),
    dev: normalise(dev),
    testSets: testSets.map(normalise),
    repairs,
  };
}

/**
 * Holds out `ratio` of the sentences as a dev set, chosen by a seeded shuffle so the same seed
 * gives the same split. At least one sentence stays on each side when there are two or more.
 */
export function splitDev(
  sentences: readonly TaggedSentence[],
  ratio: number,
  seed = 1,
): { train: TaggedSentence[]; dev: TaggedSentence[] } {
  if (!(ratio > 0 && ratio < 1))
    throw new TrainingDataError(`the dev ratio must be between 0 and 1 (got ${ratio})`);
  const order = shuffled(
    sentences.map((_, i) => i),
    createXorshiftRandom(seed),
  );
  const devCount =
    sentences.length < 2
      ? 0
      : Math.min(sentences.length - 1, Math.max(1, Math.round(sentences.length * ratio)));
  const devIndices = new Set(order.slice(0, devCount));
  return {
    train: sentences.filter((_, i) => !devIndices.has(i)),
    dev: sentences.filter((_, i) => devIndices.has(i)),
  };
}

export interface DataSummary {
  sentences: number;
  tokens: number;
  /** Tokens per tag (POS) or chunks per entity type (entities). */
  labelCounts: Record<string, number>;
}

/** Sentence, token and label counts; entity tasks count chunks (a `B-`/`S-` tag starts one). */
export function summarizeData(sentences: readonly TaggedSentence[], task: TaskKind): DataSummary {
  const labelCounts = new Map<string, number>();
  let tokens = 0;
  for (const s of sentences) {
    tokens += s.tokens.length;
    s.tags.forEach((tag, i) => {
      if (task === 'pos') {
        increment(labelCounts, tag);
        return;
      }
      const parsed = parseTag(tag);
      if (parsed.prefix === null || parsed.prefix === 'O') return;
      const previous = i > 0 ? parseTag(s.tags[i - 1]!) : undefined;
      const starts =
        parsed.prefix === 'B' ||
        parsed.prefix === 'S' ||
        previous === undefined ||
        previous.label !== parsed.label ||
        previous.prefix === 'E' ||
        previous.prefix === 'S' ||
        previous.prefix === 'O';
      if (starts) increment(labelCounts, parsed.label);
    });
  }
  return { sentences: sentences.length, tokens, labelCounts: Object.fromEntries(labelCounts) };
}

/** Names that mean the same entity type in common corpora, by the canonical CoNLL type. */
const TYPE_SYNONYMS: Record<string, readonly string[]> = {
  PER: ['per', 'person', 'persons', 'people', 'pers'],
  ORG: ['org', 'organization', 'organisation', 'corporation', 'company', 'group', 'institution'],
  LOC: ['loc', 'location', 'place', 'gpe', 'geo-loc', 'facility', 'fac'],
  MISC: ['misc', 'miscellaneous', 'other'],
};

/**
 * A suggested renaming of the data's entity types onto a model's (`person` → `PER`, `group` →
 * `ORG`), for the types the model lacks; types with no counterpart are left out (kept as they
 * are, so the model learns them as new labels).
 */
export function suggestLabelMap(
  dataTypes: Iterable<string>,
  modelTypes: Iterable<string>,
): Record<string, string> {
  const model = [...modelTypes];
  const byLower = new Map(model.map((t) => [t.toLowerCase(), t]));
  const map = new Map<string, string>();
  for (const type of dataTypes) {
    if (model.includes(type)) continue;
    const lower = type.toLowerCase();
    const direct = byLower.get(lower);
    if (direct) {
      map.set(type, direct);
      continue;
    }
    for (const [canonical, synonyms] of Object.entries(TYPE_SYNONYMS)) {
      if (!synonyms.includes(lower)) continue;
      const target =
        byLower.get(canonical.toLowerCase()) ?? model.find((t) => synonyms.includes(t.toLowerCase()));
      if (target) map.set(type, target);
    }
  }
  return Object.fromEntries(map);
}

/** `{ person: 'PER' }` → `person=PER`, the form `parseLabelMap` reads. */
export function formatLabelMap(map: Readonly<Record<string, string>>): string {
  return Object.entries(map)
    .map(([from, to]) => `${from}=${to}`)
    .join(',');
}
