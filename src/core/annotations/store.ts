/**
 * Annotation files: `.spanlight/annotations/<path relative to the workspace folder>.jsonl`, one
 * header line, then one record per line: an annotation (`"type": "span"`) or a reviewed sentence
 * (`"type": "reviewed"`), each with its task and its text, so a file edited outside the editor is
 * reconciled on load instead of trusted blindly. Writes are atomic.
 *
 * Version 1 files (spans only, no task, no review state) still load: their spans get the task
 * their label implies (a listing field → `listings`, anything else → `entities`) and none of their
 * sentences is reviewed. A file from a newer Spanlight is not loaded and is never written over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type AtomicWriteOptions, writeFileAtomic } from '../atomic';
import { isFieldLabel } from '../extract/fields';
import { describeJsonValue } from '../json';
import { assertInsideFolder, isInside, SPANLIGHT_FOLDER } from '../workspace-paths';
import {
  type Annotation,
  clashes,
  ENTITIES_TASK,
  LISTINGS_TASK,
  overlaps,
  type SentenceReview,
} from './annotation-set';
import type { OffsetRange } from './edits';

export const ANNOTATIONS_DIR = path.join(SPANLIGHT_FOLDER, 'annotations');
export const ANNOTATION_FORMAT = 'spanlight-annotations';
export const ANNOTATION_FORMAT_VERSION = 2;

export interface AnnotationFile {
  /** The document's path relative to the workspace folder, with `/` separators. */
  document: string;
  annotations: Annotation[];
  /** Reviewed sentences (absent means none). */
  reviews?: SentenceReview[];
}

export interface AnnotationProblem {
  path: string;
  line: number;
  message: string;
}

export function formatAnnotationProblem(p: AnnotationProblem): string {
  return `${p.path}:${p.line}: ${p.message}`;
}

/** Where the annotations of `documentPath` (inside `workspaceRoot`) are kept. */
export function annotationPath(workspaceRoot: string, documentPath: string): string {
  if (!isInside(workspaceRoot, documentPath)) {
    throw new Error(`${documentPath}: not inside the workspace folder ${workspaceRoot}`);
  }
  return path.join(workspaceRoot, ANNOTATIONS_DIR, `${path.relative(workspaceRoot, documentPath)}.jsonl`);
}

/** The document an annotation file belongs to (the inverse of `annotationPath`). */
export function documentPathOf(workspaceRoot: string, annotationFile: string): string {
  const relative = path.relative(path.join(workspaceRoot, ANNOTATIONS_DIR), annotationFile);
  return path.join(workspaceRoot, relative.replace(/\.jsonl$/, ''));
}

export function serializeAnnotations(file: AnnotationFile): string {
  const header = { format: ANNOTATION_FORMAT, version: ANNOTATION_FORMAT_VERSION, document: file.document };
  const spans = file.annotations.map((a) => ({
    type: 'span',
    task: a.task,
    start: a.start,
    end: a.end,
    label: a.label,
    text: a.text,
    origin: a.origin,
  }));
  const reviews = (file.reviews ?? []).map((r) => ({
    type: 'reviewed',
    task: r.task,
    start: r.start,
    end: r.end,
    text: r.text,
  }));
  return `${[header, ...spans, ...reviews].map((record) => JSON.stringify(record)).join('\n')}\n`;
}

/** The task a version 1 span belongs to, from its label. */
export function taskOfVersion1Label(label: string): string {
  return isFieldLabel(label) ? LISTINGS_TASK : ENTITIES_TASK;
}

export interface ParsedAnnotations {
  file: AnnotationFile;
  problems: AnnotationProblem[];
  /**
   * Set when the file cannot be read as a whole (a newer format version, an unknown format): it
   * must not be written over, or what it holds would be lost.
   */
  unwritable?: string;
}

/** The checked offsets and text of a record, or what is wrong with them. */
function checkRange(r: Record<string, unknown>): (OffsetRange & { text: string }) | string {
  const { start, end, text } = r;
  if (!Number.isInteger(start) || !Number.isInteger(end) || (start as number) < 0)
    return '"start" and "end" must be non-negative integers';
  if ((end as number) <= (start as number)) return `"end" (${end}) must be greater than "start" (${start})`;
  if (typeof text !== 'string' || text.length !== (end as number) - (start as number))
    return '"text" must be the string between "start" and "end"';
  return { start: start as number, end: end as number, text };
}

/** Parses an annotation file; bad lines become problems and are skipped. */
export function parseAnnotations(content: string, filePath: string): ParsedAnnotations {
  const problems: AnnotationProblem[] = [];
  const annotations: Annotation[] = [];
  const reviews: SentenceReview[] = [];
  let document = '';
  let version = 1;
  let unwritable: string | undefined;
  content.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const lineNumber = i + 1;
    if (line === '' || unwritable) return;
    const problem = (message: string) => problems.push({ path: filePath, line: lineNumber, message });
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (err) {
      problem(`invalid JSON: ${(err as Error).message}`);
      return;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      problem('a line must be a JSON object');
      return;
    }
    const r = record as Record<string, unknown>;
    if ('format' in r) {
      if (r.format !== ANNOTATION_FORMAT) unwritable = `unknown format ${describeJsonValue(r.format)}`;
      else if (r.version !== 1 && r.version !== ANNOTATION_FORMAT_VERSION)
        unwritable = `format version ${describeJsonValue(r.version)} is newer than this Spanlight reads (1 and ${ANNOTATION_FORMAT_VERSION}); update Spanlight`;
      else version = r.version;
      if (unwritable) problem(`${unwritable}; the file is not loaded and will not be changed`);
      if (typeof r.document === 'string') document = r.document;
      return;
    }
    const type = version === 1 ? 'span' : r.type;
    if (type !== 'span' && type !== 'reviewed') {
      problem(`"type" must be "span" or "reviewed", not ${describeJsonValue(r.type)}`);
      return;
    }
    const range = checkRange(r);
    if (typeof range === 'string') {
      problem(range);
      return;
    }
    if (version > 1 && (typeof r.task !== 'string' || r.task === '')) {
      problem('"task" must be a non-empty string');
      return;
    }
    if (type === 'reviewed') {
      reviews.push({ ...range, task: r.task as string });
      return;
    }
    const { label, origin } = r;
    if (typeof label !== 'string' || label === '') {
      problem('"label" must be a non-empty string');
      return;
    }
    annotations.push({
      ...range,
      label,
      origin: origin === 'accepted' ? 'accepted' : 'human',
      task: version === 1 ? taskOfVersion1Label(label) : (r.task as string),
    });
  });
  const file: AnnotationFile = unwritable
    ? { document, annotations: [], reviews: [] }
    : { document, annotations, reviews };
  return { file, problems, ...(unwritable ? { unwritable } : {}) };
}

/**
 * Fits stored records to the document's current text. One whose text is still at its offsets is
 * kept; one whose text moved (the file was edited elsewhere) goes to the nearest occurrence of
 * its text; one whose text is gone, or that would clash with one already kept, is dropped.
 */
export function reconcileSpans<T extends OffsetRange & { text: string }>(
  stored: readonly T[],
  text: string,
  clash: (a: T, b: T) => boolean,
): { kept: T[]; moved: number; dropped: T[] } {
  const kept: T[] = [];
  const dropped: T[] = [];
  let moved = 0;
  const place = (a: T): boolean => {
    if (kept.some((k) => clash(k, a))) return false;
    kept.push(a);
    return true;
  };
  const misplaced: T[] = [];
  for (const a of stored) {
    if (text.slice(a.start, a.end) === a.text) {
      if (!place(a)) dropped.push(a);
    } else misplaced.push(a);
  }
  for (const a of misplaced) {
    const start = occurrencesByDistance(text, a.text, a.start).find(
      (at) => !kept.some((k) => clash(k, { ...a, start: at, end: at + a.text.length })),
    );
    if (start !== undefined && place({ ...a, start, end: start + a.text.length })) moved++;
    else dropped.push(a);
  }
  return { kept: kept.sort((a, b) => a.start - b.start), moved, dropped };
}

/** Annotations fitted to the document's text (spans of one task never overlap). */
export function reconcileAnnotations(
  stored: readonly Annotation[],
  text: string,
): { annotations: Annotation[]; moved: number; dropped: Annotation[] } {
  const { kept, moved, dropped } = reconcileSpans(stored, text, clashes);
  return { annotations: kept, moved, dropped };
}

/** Reviews fitted to the document's text (a sentence is reviewed once per task). */
export function reconcileReviews(
  stored: readonly SentenceReview[],
  text: string,
): { reviews: SentenceReview[]; moved: number; dropped: SentenceReview[] } {
  const { kept, moved, dropped } = reconcileSpans(
    stored,
    text,
    (a, b) => a.task === b.task && overlaps(a, b),
  );
  return { reviews: kept, moved, dropped };
}

/** Offsets where `needle` occurs in `text`, nearest to `around` first (at most `limit`). */
function occurrencesByDistance(text: string, needle: string, around: number, limit = 1_000): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(needle); at >= 0 && found.length < limit; at = text.indexOf(needle, at + 1)) {
    found.push(at);
  }
  return found.sort((x, y) => Math.abs(x - around) - Math.abs(y - around) || x - y);
}

export async function saveAnnotationFile(
  filePath: string,
  file: AnnotationFile,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeFileAtomic(filePath, serializeAnnotations(file), options);
}

/**
 * Deletes the file when there is nothing to keep, so empty documents leave no clutter. With
 * `confineTo`, a file whose real path leaves that folder is neither written nor deleted.
 */
export async function saveOrRemoveAnnotationFile(
  filePath: string,
  file: AnnotationFile,
  options: AtomicWriteOptions = {},
): Promise<void> {
  if (file.annotations.length === 0 && (file.reviews ?? []).length === 0) {
    if (options.confineTo) await assertInsideFolder(options.confineTo, filePath);
    await fs.promises.rm(filePath, { force: true });
    return;
  }
  await saveAnnotationFile(filePath, file, options);
}

/** Reads an annotation file; a missing file is an empty one. */
export async function loadAnnotationFile(filePath: string, documentName = ''): Promise<ParsedAnnotations> {
  let content: string;
  try {
    content = await fs.promises.readFile(filePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { file: { document: documentName, annotations: [], reviews: [] }, problems: [] };
    }
    const message = `cannot read: ${(err as Error).message}`;
    return {
      file: { document: documentName, annotations: [], reviews: [] },
      problems: [{ path: filePath, line: 0, message }],
      unwritable: message,
    };
  }
  return parseAnnotations(content, filePath);
}

/** Every annotation file under a workspace folder. */
export async function listAnnotationFiles(workspaceRoot: string): Promise<string[]> {
  const root = path.join(workspaceRoot, ANNOTATIONS_DIR);
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.jsonl') && !entry.name.startsWith('.')) found.push(full);
    }
  };
  await walk(root);
  return found.sort();
}
