/** Shared pieces of the hostile-input suite (`npm run test:hostile`). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import type { Annotation } from '../../src/core/annotations/annotation-set';

import { repoRoot } from './measure';

export { type CliRun, cli, repoRoot, runCli } from './measure';
export const sampleWorkspace = path.join(repoRoot, 'test/fixtures/sample-workspace');
export const sampleCorpus = path.join(sampleWorkspace, 'corpus/sample-ner.conll');
export const fixtureNerModel = path.join(sampleWorkspace, '.spanlight/models/fixture-ner');

/** One annotation, for the tests that write annotation files. */
export const aliceAnnotation: Annotation = {
  start: 0,
  end: 5,
  label: 'PER',
  text: 'Alice',
  origin: 'human',
  task: 'entities',
};

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder, removed when the test file ends. */
export function hostileDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `spanlight-hostile-${name}-`));
  made.push(dir);
  return dir;
}

/** Every file and folder below `dir`, relative, sorted (links are listed, not followed). */
export function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => p.split(path.sep).join('/'))
    .sort();
}
