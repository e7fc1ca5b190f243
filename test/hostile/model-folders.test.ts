/**
 * Corrupt and hostile model folders (issue 12, item 5): each is refused by `spanlight tag` with
 * exit 1 and one line that names the problem (never the file's content), quickly and in little
 * memory, instead of hanging on a FIFO, reading /dev/zero until the process dies, or allocating
 * gigabytes for absurd sizes. The extension lists models through the same checks.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readModelCard } from '../../src/core/model/io';
import { hostileDir, repoRoot, runCli } from './helpers';
import { makeHostileModels } from './model-folders';

const models = makeHostileModels(path.join(repoRoot, 'models/en-ner'), hostileDir('models'));

describe('hostile model folders', () => {
  for (const [name, { folder, expect, peakMiB }] of Object.entries(models)) {
    it(`${name}: exit 1 with one clear line, under ${peakMiB} MiB (refused before TensorFlow loads)`, () => {
      // A deadline far above the few seconds it takes: reached only by a hang.
      const run = runCli(['tag', '--model', folder, '--text', 'Angela Merkel visited Paris.'], {
        timeoutMs: 60_000,
      });
      const lines = run.stderr.trim().split('\n');
      assert.equal(run.status, 1, `exit ${run.status}, stderr: ${run.stderr.slice(0, 500)}`);
      assert.equal(lines.length, 1, `one line, got:\n${run.stderr.slice(0, 2000)}`);
      assert.match(lines[0]!, expect);
      assert.doesNotMatch(run.stderr, /root:x:0:0|internal error/);
      assert.equal(run.stdout, '');
      assert.ok(run.peakRssMiB < peakMiB, `peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
    });
  }

  it('the model list reads cards through the same checks (a FIFO model.json is refused, not waited on)', async () => {
    await assert.rejects(readModelCard(models['model-json-fifo']!.folder), /not a regular file/);
    await assert.rejects(readModelCard(models['model-json-passwd']!.folder), (err: Error) => {
      assert.doesNotMatch(err.message, /root:/);
      return /outside the model folder/.test(err.message);
    });
  });
});
