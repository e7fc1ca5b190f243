import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Annotation } from '../../../src/core/annotations/annotation-set';
import {
  annotationPath,
  documentPathOf,
  formatAnnotationProblem,
  listAnnotationFiles,
  loadAnnotationFile,
  parseAnnotations,
  reconcileAnnotations,
  reconcileReviews,
  saveAnnotationFile,
  saveOrRemoveAnnotationFile,
  serializeAnnotations,
} from '../../../src/core/annotations/store';
import { repoRoot } from './helpers';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-annotations-'));
const a = (start: number, text: string, label: string): Annotation => ({
  start,
  end: start + text.length,
  label,
  text,
  origin: 'human',
  task: 'entities',
});

describe('annotation files', () => {
  it('live under .spanlight/annotations with the document path, and map back', () => {
    const root = path.join(os.tmpdir(), 'ws');
    const doc = path.join(root, 'listings', 'flat.txt');
    const file = annotationPath(root, doc);
    assert.equal(file, path.join(root, '.spanlight', 'annotations', 'listings', 'flat.txt.jsonl'));
    assert.equal(documentPathOf(root, file), doc);
    assert.throws(() => annotationPath(root, path.join(os.tmpdir(), 'elsewhere.txt')), /not inside/);
  });

  it('round-trip through save and load, including hostile text', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'nested', 'doc.txt.jsonl');
    const annotations = [
      a(0, 'Angela Merkel', 'PER'),
      a(20, '<img src=x onerror=alert(1)>', 'ORG'),
      a(60, '\u202Eevil\u200B', 'LOC'),
    ];
    await saveAnnotationFile(file, { document: 'doc.txt', annotations });
    const loaded = await loadAnnotationFile(file);
    assert.deepEqual(loaded.problems, []);
    assert.deepEqual(loaded.file, { document: 'doc.txt', annotations, reviews: [] });
    assert.deepEqual(await listAnnotationFiles(dir), []);
    assert.equal(fs.readdirSync(path.dirname(file)).length, 1, 'no temp file left behind');
  });

  it('report bad lines as path:line and keep the good ones', () => {
    const content = [
      '{"format":"spanlight-annotations","version":1,"document":"a.txt"}',
      '{"start":0,"end":5,"label":"PER","text":"Alice","origin":"human"}',
      '{"start":9,"end":3,"label":"PER","text":"x"}',
      'not json',
      '{"start":10,"end":13,"label":"","text":"Bob"}',
      '{"start":20,"end":23,"label":"LOC","text":"Rome and more"}',
    ].join('\n');
    const { file, problems } = parseAnnotations(content, 'ann.jsonl');
    assert.deepEqual(
      file.annotations.map((x) => x.text),
      ['Alice'],
    );
    assert.deepEqual(
      problems.map((p) => `${p.path}:${p.line}`),
      ['ann.jsonl:3', 'ann.jsonl:4', 'ann.jsonl:5', 'ann.jsonl:6'],
    );
    assert.match(formatAnnotationProblem(problems[0]!), /ann\.jsonl:3: "end" \(3\) must be greater/);
  });

  it('load version 1 files: spans get the task their label implies, no sentence is reviewed', () => {
    const content = [
      '{"format":"spanlight-annotations","version":1,"document":"villa.txt"}',
      '{"start":0,"end":5,"label":"PER","text":"Alice","origin":"human"}',
      '{"start":10,"end":17,"label":"ROOMS","text":"3 rooms","origin":"human"}',
    ].join('\n');
    const { file, problems, unwritable } = parseAnnotations(content, 'v1.jsonl');
    assert.deepEqual(problems, []);
    assert.equal(unwritable, undefined);
    assert.deepEqual(
      file.annotations.map((x) => `${x.label}:${x.task}`),
      ['PER:entities', 'ROOMS:listings'],
    );
    assert.deepEqual(file.reviews, []);
    // Saved again, it is a version 2 file that reads back the same.
    const again = parseAnnotations(serializeAnnotations(file), 'v2.jsonl');
    assert.deepEqual(again.file, file);
  });

  it('never load (or overwrite) a file from a newer Spanlight', async () => {
    const content = [
      '{"format":"spanlight-annotations","version":9,"document":"a.txt"}',
      '{"type":"span","task":"entities","start":0,"end":5,"label":"PER","text":"Alice","origin":"human"}',
    ].join('\n');
    const parsed = parseAnnotations(content, 'new.jsonl');
    assert.match(parsed.unwritable ?? '', /version 9 is newer/);
    assert.deepEqual(parsed.file.annotations, []);
    assert.match(
      formatAnnotationProblem(parsed.problems[0]!),
      /^new\.jsonl:1: .*not loaded and will not be changed/,
    );
    const dir = tempDir();
    const file = path.join(dir, 'a.txt.jsonl');
    fs.writeFileSync(file, 'not json at all');
    fs.chmodSync(file, 0o000);
    const unreadable = await loadAnnotationFile(file);
    fs.chmodSync(file, 0o600);
    if (process.getuid?.() !== 0) assert.match(unreadable.unwritable ?? '', /cannot read/);
  });

  it('reconcile reviewed sentences like spans, per task', () => {
    const text = 'Alpha beta. Gamma delta.';
    const review = (start: number, t: string, task = 'entities') => ({
      start,
      end: start + t.length,
      text: t,
      task,
    });
    const { reviews, dropped } = reconcileReviews(
      [
        review(0, 'Alpha beta.'),
        review(0, 'Alpha beta.', 'listings'),
        review(30, 'Gamma delta.'),
        review(0, 'Gone.'),
      ],
      `Intro. ${text}`,
    );
    assert.deepEqual(
      reviews.map((r) => `${r.start}:${r.task}`),
      ['7:entities', '7:listings', '19:entities'],
    );
    assert.deepEqual(
      dropped.map((r) => r.text),
      ['Gone.'],
    );
  });

  it('treat a missing file as empty, and remove the file when nothing is left', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.jsonl');
    assert.deepEqual((await loadAnnotationFile(file, 'x')).file.annotations, []);
    await saveOrRemoveAnnotationFile(file, { document: 'x', annotations: [a(0, 'Bob', 'PER')] });
    assert.ok(fs.existsSync(file));
    await saveOrRemoveAnnotationFile(file, { document: 'x', annotations: [] });
    assert.equal(fs.existsSync(file), false);
  });

  it('are reconciled with a document edited elsewhere: kept, moved to the nearest occurrence, or dropped', () => {
    const before = 'Tim Cook met Tim Cook. Paris is nice.';
    const stored = [a(0, 'Tim Cook', 'PER'), a(13, 'Tim Cook', 'PER'), a(23, 'Paris', 'LOC')];
    const after = `Hello! ${before.replace('Paris', 'Rome')}`;
    const { annotations, moved, dropped } = reconcileAnnotations(stored, after);
    assert.deepEqual(
      annotations.map((x) => [after.slice(x.start, x.end), x.start]),
      [
        ['Tim Cook', 7],
        ['Tim Cook', 20],
      ],
    );
    assert.equal(moved, 2);
    assert.deepEqual(
      dropped.map((x) => x.text),
      ['Paris'],
    );
  });

  it('survive a process killed mid-save: the previous file stays intact', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'doc.txt.jsonl');
    const previous = { document: 'doc.txt', annotations: [a(0, 'Alice', 'PER'), a(10, 'Paris', 'LOC')] };
    await saveAnnotationFile(file, previous);
    const previousContent = fs.readFileSync(file, 'utf8');
    // ~100k annotations make each save take long enough to be killed inside it.
    const count = 100_000;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'save-child.ts'), file, String(count)],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    // The child reports when it has opened its temp file; kill it right then, inside the write.
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('opened')) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));
    const content = fs.readFileSync(file, 'utf8');
    const leftovers = fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'));
    if (content === previousContent) {
      assert.equal(
        leftovers.length,
        1,
        'killed inside the save: its temp file is left, the target untouched',
      );
    } else {
      const fullNew = serializeAnnotations({
        document: 'doc.txt',
        annotations: Array.from({ length: count }, (_, i) => a(i * 10, 'abcde', 'NEW')),
      });
      assert.ok(content === fullNew, 'if not the old file, then the complete new one');
    }
    const { problems } = parseAnnotations(content, file);
    assert.deepEqual(problems, []);
  });
});
