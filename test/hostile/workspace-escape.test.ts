/**
 * Hostile workspaces (issue 12, item 2): a `.spanlight` folder, or a folder in it, that is a
 * symbolic link to somewhere else must not carry annotation, run, model or export writes out of
 * the workspace; legitimate names that merely start with `..` must still work.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  annotationPath,
  loadAnnotationFile,
  saveOrRemoveAnnotationFile,
} from '../../src/core/annotations/store';
import {
  assertSpanlightWrite,
  OutsideFolderError,
  resolveRealPath,
  spanlightFolder,
} from '../../src/core/workspace-paths';
import { runTrainingJob } from '../../src/extension/training/job';
import { aliceAnnotation, filesUnder, hostileDir, sampleCorpus } from './helpers';

const annotation = aliceAnnotation;
const file = (annotations: (typeof annotation)[]) => ({ document: 'doc.txt', annotations });

/** A workspace with `doc.txt`, and a folder outside it. */
function setUp() {
  const dir = hostileDir('escape');
  const workspace = path.join(dir, 'ws');
  const outside = path.join(dir, 'outside');
  fs.mkdirSync(workspace);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(workspace, 'doc.txt'), 'Alice met Bob.');
  return { workspace, outside, store: spanlightFolder(workspace) };
}

describe('workspace escape through symbolic links', () => {
  it('refuses annotation writes when .spanlight is a link to a folder outside the workspace', async () => {
    const { workspace, outside, store } = setUp();
    fs.symlinkSync(outside, store);
    const target = annotationPath(workspace, path.join(workspace, 'doc.txt'));
    await assert.rejects(
      saveOrRemoveAnnotationFile(target, file([annotation]), { confineTo: store }),
      (err: Error) => err instanceof OutsideFolderError && err.message.includes(outside),
    );
    assert.deepEqual(filesUnder(outside), [], 'nothing was written (or created) outside');
  });

  it('refuses writes and deletions through a linked .spanlight/annotations', async () => {
    const { workspace, outside, store } = setUp();
    fs.mkdirSync(store);
    fs.symlinkSync(outside, path.join(store, 'annotations'));
    fs.writeFileSync(path.join(outside, 'doc.txt.jsonl'), 'precious\n');
    const target = annotationPath(workspace, path.join(workspace, 'doc.txt'));
    await assert.rejects(
      saveOrRemoveAnnotationFile(target, file([annotation]), { confineTo: store }),
      OutsideFolderError,
    );
    // An empty set deletes the file: that must not delete the file outside either.
    await assert.rejects(
      saveOrRemoveAnnotationFile(target, file([]), { confineTo: store }),
      OutsideFolderError,
    );
    assert.equal(fs.readFileSync(path.join(outside, 'doc.txt.jsonl'), 'utf8'), 'precious\n');
    assert.deepEqual(filesUnder(outside), ['doc.txt.jsonl']);
  });

  it('follows dangling links too: a link to a folder that does not exist yet is refused', async () => {
    const { workspace, outside, store } = setUp();
    const notYet = path.join(outside, 'not-yet');
    fs.symlinkSync(notYet, store);
    assert.equal(
      await resolveRealPath(path.join(store, 'annotations', 'doc.txt.jsonl')),
      path.join(notYet, 'annotations', 'doc.txt.jsonl'),
    );
    const target = annotationPath(workspace, path.join(workspace, 'doc.txt'));
    await assert.rejects(
      saveOrRemoveAnnotationFile(target, file([annotation]), { confineTo: store }),
      OutsideFolderError,
    );
    assert.equal(fs.existsSync(notYet), false);
  });

  it('writes annotations of a file named ..foo.txt, inside the real .spanlight', async () => {
    const { workspace, outside, store } = setUp();
    fs.writeFileSync(path.join(workspace, '..foo.txt'), 'Alice');
    const target = annotationPath(workspace, path.join(workspace, '..foo.txt'));
    assert.equal(target, path.join(store, 'annotations', '..foo.txt.jsonl'));
    await saveOrRemoveAnnotationFile(target, file([annotation]), { confineTo: store });
    assert.deepEqual((await loadAnnotationFile(target)).file.annotations, [annotation]);
    assert.deepEqual(filesUnder(outside), []);
  });

  it('refuses exported training data under a linked .spanlight, but not a file the user picked', async () => {
    const { workspace, outside, store } = setUp();
    fs.symlinkSync(outside, store);
    await assert.rejects(
      assertSpanlightWrite([workspace], path.join(store, 'training', 'annotations.jsonl')),
      OutsideFolderError,
    );
    await assertSpanlightWrite([workspace], path.join(outside, 'picked-in-the-save-dialog.jsonl'));
  });

  it('refuses a training run whose runs or models folder leads out of the workspace', async () => {
    const { workspace, outside, store } = setUp();
    fs.mkdirSync(store);
    fs.symlinkSync(outside, path.join(store, 'runs'));
    await assert.rejects(
      runTrainingJob(
        {
          jobId: 'escape',
          name: 'escape',
          preset: 'fast',
          trainFiles: [sampleCorpus],
          devFiles: [],
          vectors: false,
          runsRoot: path.join(store, 'runs'),
          modelsRoot: path.join(store, 'models'),
          workspaceRoot: workspace,
        },
        {
          signal: new AbortController().signal,
          checked: async () => true,
          runStarted: () => undefined,
          event: () => undefined,
        },
      ),
      (err: Error) => err.name === 'JobUserError' && /refused to write .*runs/.test(err.message),
    );
    assert.deepEqual(filesUnder(outside), []);
  });
});
