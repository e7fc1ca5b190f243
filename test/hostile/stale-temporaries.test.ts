/**
 * Orphaned temp files (issue 12, item 1): a writer killed inside an atomic save leaves its temp
 * file; the next save in that folder removes it (23 of them piled up in an annotation store), but
 * never the temp file of a save that is still running in another process.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadAnnotationFile, saveAnnotationFile } from '../../src/core/annotations/store';
import { writeCorpus } from '../../src/core/corpus/write';
import { aliceAnnotation, hostileDir, repoRoot } from './helpers';

const annotation = aliceAnnotation;
const temporaries = (dir: string) => fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'));
const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', resolve));

/** Starts a process that saves big annotation files into `file` until it is SIGKILLed inside a save. */
async function killMidSaveOnce(file: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'test/unit/annotations/save-child.ts'), file, '100000'],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('opened')) {
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  await exited(child);
}

/**
 * Kills a saving process until it leaves a temp file behind (on a loaded machine the signal can
 * land after a save finished), and returns how many temp files the folder then holds.
 */
async function killMidSave(file: string): Promise<number> {
  for (let attempt = 0; attempt < 10; attempt++) {
    await killMidSaveOnce(file);
    const left = temporaries(path.dirname(file)).length;
    if (left > 0) return left;
  }
  throw new Error('ten SIGKILLs never landed inside a save');
}

describe('temp files of killed writers', () => {
  it('are removed by the next annotation save in the folder', async () => {
    const dir = hostileDir('orphans');
    const file = path.join(dir, 'doc.txt.jsonl');
    for (let kill = 0; kill < 3; kill++) {
      assert.ok((await killMidSave(file)) >= 1, 'a SIGKILL inside a save leaves its temp file');
    }
    await saveAnnotationFile(file, { document: 'doc.txt', annotations: [annotation] });
    assert.deepEqual(temporaries(dir), []);
    assert.deepEqual((await loadAnnotationFile(file)).file.annotations, [annotation]);
  });

  it('are kept while their writer still runs, and removed once it is gone', async () => {
    const dir = hostileDir('live-writer');
    const file = path.join(dir, 'doc.txt.jsonl');
    // A real process that stands in for a writer in the middle of a long save.
    const writer = spawn('sleep', ['120'], { stdio: 'ignore' });
    const inProgress = `.doc.txt.jsonl.${writer.pid}.0badc0de.tmp`;
    fs.writeFileSync(path.join(dir, inProgress), 'half a save');
    try {
      await saveAnnotationFile(file, { document: 'doc.txt', annotations: [annotation] });
      assert.deepEqual(temporaries(dir), [inProgress]);
    } finally {
      writer.kill('SIGKILL');
      await exited(writer);
    }
    await saveAnnotationFile(file, { document: 'doc.txt', annotations: [annotation] });
    assert.deepEqual(temporaries(dir), []);
  });

  it('are removed by the next corpus write (convert, export) in the folder', async () => {
    const dir = hostileDir('corpus-orphans');
    const target = path.join(dir, 'out.jsonl');
    assert.equal(await killMidSave(path.join(dir, 'doc.txt.jsonl')), 1);
    await writeCorpus(target, [{ tokens: ['Alice'], tags: ['B-PER'] }], 'jsonl');
    assert.deepEqual(temporaries(dir), []);
  });
});
