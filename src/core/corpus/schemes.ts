/**
 * Chunk tag schemes: IOB1, IOB2 (BIO) and BIOES (BILOU is read as an alias: L = E, U = S).
 *
 * Decoding is lenient and follows conlleval's chunk boundaries, so every tag sequence (valid or
 * not) has one reading: an `I-` that cannot continue the open chunk starts a new one, a `B-`
 * always starts one, `E-` closes the chunk it ends (or is a one-token chunk), `S-` is a
 * one-token chunk, and anything that is not a chunk tag counts as outside. Encoding is strict:
 * `spansToTags` always produces the canonical sequence of the target scheme, so
 * `repairTags(tags, s)` is simply "decode, then encode in `s`".
 */
import type { TagScheme, TokenSpan } from '../types';

/** Prefix of a chunk tag after normalisation (L → E, U → S). `O` is the outside tag. */
export type ChunkPrefix = 'B' | 'I' | 'E' | 'S' | 'O';

/** A tag split into its chunk prefix and label. `prefix` is null for non-chunk tags (UPOS…). */
export interface ParsedTag {
  prefix: ChunkPrefix | null;
  /** Entity type for chunk tags, `''` for `O`, the whole tag for non-chunk tags. */
  label: string;
}

export const OUTSIDE_TAG = 'O';

const PREFIX_ALIASES: Record<string, ChunkPrefix> = { B: 'B', I: 'I', E: 'E', S: 'S', L: 'E', U: 'S' };

/**
 * Splits `B-PER` into `{ prefix: 'B', label: 'PER' }` at the first hyphen, so types may contain
 * hyphens (`B-creative-work`). BILOU prefixes are normalised to BIOES.
 */
export function parseTag(tag: string): ParsedTag {
  if (tag === OUTSIDE_TAG) return { prefix: 'O', label: '' };
  const hyphen = tag.indexOf('-');
  if (hyphen > 0 && hyphen < tag.length - 1) {
    const prefix = PREFIX_ALIASES[tag.slice(0, hyphen)];
    if (prefix) return { prefix, label: tag.slice(hyphen + 1) };
  }
  return { prefix: null, label: tag };
}

/** True for `O` and for `B-`/`I-`/`E-`/`S-`/`L-`/`U-` tags with a non-empty type. */
export function isChunkTag(tag: string): boolean {
  return parseTag(tag).prefix !== null;
}

/**
 * Reads the chunks of one sentence as token spans `[start, end)`, in order.
 * Every scheme decodes the same way (see the module comment), so `scheme` is optional and only
 * documents what the caller expects.
 */
export function tagsToSpans(tags: readonly string[], _scheme?: TagScheme): TokenSpan[] {
  const spans: TokenSpan[] = [];
  let open: { start: number; label: string } | null = null;
  const close = (end: number) => {
    if (open) spans.push({ start: open.start, end, label: open.label });
    open = null;
  };
  tags.forEach((tag, index) => {
    const { prefix, label } = parseTag(tag);
    const continuesOpen = open !== null && open.label === label && (prefix === 'I' || prefix === 'E');
    if (!continuesOpen) {
      close(index);
      if (prefix === 'B' || prefix === 'I' || prefix === 'E' || prefix === 'S')
        open = { start: index, label };
    }
    if (prefix === 'E' || prefix === 'S') close(index + 1);
  });
  close(tags.length);
  return spans;
}

/**
 * Writes the canonical tags of `scheme` for non-overlapping spans over `length` tokens.
 * Throws a RangeError on spans that overlap, are empty or fall outside `[0, length)`.
 */
export function spansToTags(spans: readonly TokenSpan[], length: number, scheme: TagScheme): string[] {
  const tags: string[] = new Array(length).fill(OUTSIDE_TAG);
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let previous: TokenSpan | null = null;
  for (const span of sorted) {
    if (!Number.isInteger(span.start) || !Number.isInteger(span.end) || span.start < 0 || span.end > length) {
      throw new RangeError(`span [${span.start}, ${span.end}) ${span.label} is outside 0..${length}`);
    }
    if (span.end <= span.start)
      throw new RangeError(`span [${span.start}, ${span.end}) ${span.label} is empty`);
    if (previous && span.start < previous.end) {
      throw new RangeError(
        `span [${span.start}, ${span.end}) ${span.label} overlaps [${previous.start}, ${previous.end}) ${previous.label}`,
      );
    }
    const touchesSameType = previous !== null && previous.end === span.start && previous.label === span.label;
    for (let i = span.start; i < span.end; i++) {
      tags[i] =
        `${chunkPrefixAt(i - span.start, span.end - span.start, scheme, touchesSameType)}-${span.label}`;
    }
    previous = span;
  }
  return tags;
}

function chunkPrefixAt(offset: number, size: number, scheme: TagScheme, touchesSameType: boolean): string {
  switch (scheme) {
    case 'IOB1':
      // IOB1 marks B- only where a chunk directly follows one of the same type.
      return offset === 0 && touchesSameType ? 'B' : 'I';
    case 'IOB2':
      return offset === 0 ? 'B' : 'I';
    case 'BIOES':
      if (size === 1) return 'S';
      if (offset === 0) return 'B';
      return offset === size - 1 ? 'E' : 'I';
  }
}

/** Re-encodes one sentence from one scheme to another (invalid input is repaired on the way). */
export function convertTags(tags: readonly string[], from: TagScheme, to: TagScheme): string[] {
  return spansToTags(tagsToSpans(tags, from), tags.length, to);
}

/** One tag changed by `repairTags`. */
export interface TagRepair {
  index: number;
  from: string;
  to: string;
}

export interface RepairResult {
  tags: string[];
  repairs: number;
  details: TagRepair[];
}

/**
 * Rewrites one sentence into valid, canonical `scheme` tags, keeping the chunks conlleval would
 * read (e.g. IOB2 `O I-PER` → `O B-PER`; BIOES `B-PER O` → `S-PER O`). Non-chunk tags become `O`.
 * `repairs` counts the tags that changed; BILOU spellings (`L-`, `U-`) are rewritten as their
 * BIOES equivalents without counting as repairs, since they are not errors.
 */
export function repairTags(tags: readonly string[], scheme: TagScheme): RepairResult {
  const repaired = convertTags(tags, scheme, scheme);
  const details: TagRepair[] = [];
  repaired.forEach((tag, index) => {
    const original = tags[index]!;
    if (tag !== original && !sameParsedTag(parseTag(tag), parseTag(original))) {
      details.push({ index, from: original, to: tag });
    }
  });
  return { tags: repaired, repairs: details.length, details };
}

function sameParsedTag(a: ParsedTag, b: ParsedTag): boolean {
  return a.prefix === b.prefix && a.label === b.label;
}

/**
 * Guesses the scheme of a corpus from its sentences' tags:
 * - `'none'` if some tag is not a chunk tag (UPOS, XPOS…);
 * - `'BIOES'` if any `E-`/`S-`/`L-`/`U-` tag occurs;
 * - `'IOB1'` if more chunks start with `I-` than with a `B-` that does not follow a chunk of its
 *   type (CoNLL-2003-style data has a few stray `B-` tags; they do not make it IOB2);
 * - `'IOB2'` otherwise (including all-`O` data).
 */
export function detectScheme(sentences: Iterable<readonly string[]>): TagScheme | 'none' {
  let chunksStartingWithI = 0;
  let bOutsideSameType = 0;
  let bioes = false;
  for (const tags of sentences) {
    let previous: ParsedTag = { prefix: 'O', label: '' };
    for (const tag of tags) {
      const parsed = parseTag(tag);
      if (parsed.prefix === null) return 'none';
      const afterSameType = previous.prefix !== 'O' && previous.label === parsed.label;
      if (parsed.prefix === 'E' || parsed.prefix === 'S') bioes = true;
      if (parsed.prefix === 'I' && !afterSameType) chunksStartingWithI++;
      if (parsed.prefix === 'B' && !afterSameType) bOutsideSameType++;
      previous = parsed;
    }
  }
  if (bioes) return 'BIOES';
  return chunksStartingWithI > bOutsideSameType ? 'IOB1' : 'IOB2';
}

/**
 * Whether `tag` may follow `prevTag` in canonical `scheme` tags. `null` stands for the sentence
 * start (as `prevTag`) or end (as `tag`). Tags that are not chunk tags (padding, UPOS…) are not
 * constrained, so they are always allowed.
 */
export function isValidTransition(prevTag: string | null, tag: string | null, scheme: TagScheme): boolean {
  const prev = prevTag === null ? null : parseTag(prevTag);
  const next = tag === null ? null : parseTag(tag);
  if (prev?.prefix === null || next?.prefix === null) return true;
  if (scheme !== 'BIOES' && (isSingleOrEnd(prev) || isSingleOrEnd(next))) return false;
  // Inside a chunk: the open chunk's type, or null at the sentence start, after O, E- or S-.
  const openLabel = prev && (prev.prefix === 'B' || prev.prefix === 'I') ? prev.label : null;
  if (next === null) return scheme !== 'BIOES' || openLabel === null;
  switch (scheme) {
    case 'IOB1':
      // B- only separates two adjacent chunks of the same type; I- may always (re)start a chunk.
      return next.prefix !== 'B' || openLabel === next.label;
    case 'IOB2':
      return next.prefix !== 'I' || openLabel === next.label;
    case 'BIOES':
      if (openLabel === null) return next.prefix === 'O' || next.prefix === 'B' || next.prefix === 'S';
      return (next.prefix === 'I' || next.prefix === 'E') && next.label === openLabel;
  }
}

function isSingleOrEnd(parsed: ParsedTag | null): boolean {
  return parsed?.prefix === 'E' || parsed?.prefix === 'S';
}

/** Allowed transitions between the labels of a tag set, indexed like `labels`. */
export interface TransitionMask {
  /** `transitions[from][to]` */
  transitions: boolean[][];
  /** May a sentence start with `labels[i]`? */
  start: boolean[];
  /** May a sentence end with `labels[i]`? */
  end: boolean[];
}

/** The transition mask a CRF decoder uses to forbid invalid `scheme` sequences. */
export function allowedTransitions(labels: readonly string[], scheme: TagScheme): TransitionMask {
  return {
    transitions: labels.map((from) => labels.map((to) => isValidTransition(from, to, scheme))),
    start: labels.map((to) => isValidTransition(null, to, scheme)),
    end: labels.map((from) => isValidTransition(from, null, scheme)),
  };
}
