/**
 * Annotation files: `.spanlight/annotations/<path relative to the workspace folder>.jsonl`, one
 * header line then one annotation per line. Each annotation keeps its text, so a file edited
 * outside the editor is reconciled on load instead of trusted blindly. Writes are atomic.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type AtomicWriteOptions, writeFileAtomic } from '../atomic';
import { describeJsonValue } from '../json';
import { assertInsideFolder, isInside, SPANLIGHT_FOLDER } from '../workspace-paths';
import { type Annotation, overlaps } from './annotation-set';

export const ANNOTATIONS_DIR = path.join(SPANLIGHT_FOLDER, 'annotations');
export const ANNOTATION_FORMAT = 'spanlight-annotations';
export const ANNOTATION_FORMAT_VERSION = 1;

export interface AnnotationFile {
  /** The document's path relative to the workspace folder, with `/` separators. */
  document: string;
  annotations: Annotation[];
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
  const header = {
    format: ANNOTATION_FORMAT,
    version: ANNOTATION_FORMAT_VERSION,
    document: file.document,
  };
  const lines = [header, ...file.annotations].map((record) =>
    'format' in record
      ? JSON.stringify(record)
      : JSON.stringify({
          start: record.start,
          end: record.end,
          label: record.label,
          text: record.text,
          origin: record.origin,
        }),
  );
  return `${lines.join('\n')}\n`;
}

/** Parses an annotation file; bad lines become problems and are skipped. */
export function parseAnnotations(
  content: string,
  filePath: string,
): { file: AnnotationFile; problems: AnnotationProblem[] } {
  const problems: AnnotationProblem[] = [];
  const annotations: Annotation[] = [];
  let document = '';
  const lines = content.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const lineNumber = i + 1;
    if (line === '') return;
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
      if (r.format !== ANNOTATION_FORMAT) problem(`unknown format ${describeJsonValue(r.format)}`);
      else if (r.version !== ANNOTATION_FORMAT_VERSION)
        problem(`unsupported version ${describeJsonValue(r.version)} (this Spanlight reads version 1)`);
      if (typeof r.document === 'string') document = r.document;
      return;
    }
    const { start, end, label, text, origin } = r;
    if (!Number.isInteger(start) || !Number.isInteger(end) || (start as number) < 0) {
      problem('"start" and "end" must be non-negative integers');
    } else if ((end as number) <= (start as number)) {
      problem(`"end" (${end}) must be greater than "start" (${start})`);
    } else if (typeof label !== 'string' || label === '') {
      problem('"label" must be a non-empty string');
    } else if (typeof text !== 'string' || text.length !== (end as number) - (start as number)) {
      problem('"text" must be the string between "start" and "end"');
    } else {
      annotations.push({
        start: start as number,
        end: end as number,
        label,
        text,
        origin: origin === 'accepted' ? 'accepted' : 'human',
      });
    }
  });
  return { file: { document, annotations }, problems };
}

/**
 * Fits stored annotations to the document's current text. A span whose text is still at its
 * offsets is kept; one whose text moved (the file was edited elsewhere) goes to the nearest
 * occurrence of its text; one whose text is gone, or would overlap another, is dropped.
 */
export function reconcileAnnotations(
  stored: readonly Annotation[],
  text: string,
): { annotations: Annotation[]; moved: number; dropped: Annotation[] } {
  const kept: Annotation[] = [];
  const dropped: Annotation[] = [];
  let moved = 0;
  const place = (a: Annotation): boolean => {
    if (kept.some((k) => overlaps(k, a))) return false;
    kept.push(a);
    return true;
  };
  const misplaced: Annotation[] = [];
  for (const a of stored) {
    if (text.slice(a.start, a.end) === a.text) {
      if (!place(a)) dropped.push(a);
    } else misplaced.push(a);
  }
  for (const a of misplaced) {
    const start = occurrencesByDistance(text, a.text, a.start).find(
      (at) => !kept.some((k) => overlaps(k, { start: at, end: at + a.text.length })),
    );
    if (start !== undefined && place({ ...a, start, end: start + a.text.length })) moved++;
    else dropped.push(a);
  }
  return { annotations: kept.sort((a, b) => a.start - b.start), moved, dropped };
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
  if (file.annotations.length === 0) {
    if (options.confineTo) await assertInsideFolder(options.confineTo, filePath);
    await fs.promises.rm(filePath, { force: true });
    return;
  }
  await saveAnnotationFile(filePath, file, options);
}

/** Reads an annotation file; a missing file is an empty one. */
export async function loadAnnotationFile(
  filePath: string,
  documentName = '',
): Promise<{ file: AnnotationFile; problems: AnnotationProblem[] }> {
  let content: string;
  try {
    content = await fs.promises.readFile(filePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { file: { document: documentName, annotations: [] }, problems: [] };
    }
    return {
      file: { document: documentName, annotations: [] },
      problems: [{ path: filePath, line: 0, message: `cannot read: ${(err as Error).message}` }],
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
