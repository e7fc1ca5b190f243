import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Tagger } from '../../../src/core/model/tagger';
import { tokenizeSentences } from '../../../src/core/tokens';
import { TaggingProcess } from '../../../src/extension/tagging-process/client';
import type { HostEvent } from '../../../src/extension/tagging-process/protocol';

const root = path.resolve(__dirname, '../../..');
const model = path.join(root, 'models', 'en-ner');
/** The host's TypeScript source, run by tsx in the child: the same code the bundle holds. */
const newProcess = (env: NodeJS.ProcessEnv = {}) =>
  new TaggingProcess({
    script: path.join(root, 'src/extension/tagging-process/host.ts'),
    execArgv: ['--import', 'tsx'],
    env,
  });

const text =
  'Angela Merkel met Emmanuel Macron in Paris on Tuesday. The European Commission in Brussels said Google must pay.';

test('the tagging process tags exactly like the tagger in this process', async () => {
  const child = newProcess();
  try {
    const remote = await child.load(model);
    const local = await Tagger.load(model);
    try {
      assert.deepEqual(remote.labels, local.labels);
      assert.equal(remote.scheme, local.scheme);
      const sentences = tokenizeSentences(text).map((s) => s.tokens.map((t) => t.value));
      const [remoteTags, localTags] = [await remote.tag(sentences), local.tag(sentences)];
      assert.deepEqual(
        remoteTags.map((s) => s.map((t) => t.tag)),
        localTags.map((s) => s.map((t) => t.tag)),
      );
      remoteTags.flat().forEach((t, i) => {
        const local = localTags.flat()[i]!;
        assert.equal(t.token, local.token);
        assert.ok(Math.abs(t.confidence - local.confidence) < 1e-5);
        assert.deepEqual(
          t.alternatives.map((a) => a.label),
          local.alternatives.map((a) => a.label),
        );
        t.alternatives.forEach((a, k) => {
          assert.ok(Math.abs(a.probability - local.alternatives[k]!.probability) < 1e-5);
        });
      });
      assert.ok(remoteTags.flat().every((t) => t.alternatives.length === 3));
      const [remoteSpans] = await remote.tagTexts([text], { alternatives: 0 });
      const labels = remoteSpans!.spans.map((s) => `${s.label}:${s.text}`);
      assert.deepEqual(
        labels,
        local.tagText(text, tokenizeSentences, { alternatives: 0 }).spans.map((s) => `${s.label}:${s.text}`),
      );
      assert.ok(
        labels.some((l) => l.startsWith('PER:')),
        `no person found: ${labels}`,
      );
      // The child holds TensorFlow, this process's caller need not: its RSS is the child's own.
      assert.ok((await child.memory()) > 100 * 2 ** 20);
    } finally {
      local.dispose();
    }
  } finally {
    child.dispose();
  }
});

test('a broken model and a dead process give errors with a message; the next load starts afresh', async () => {
  const child = newProcess();
  const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-broken-model-'));
  fs.writeFileSync(path.join(broken, 'model.json'), '{ not json');
  try {
    await assert.rejects(child.load(broken), (err: Error) => {
      assert.equal(err.name, 'ModelFileError');
      assert.match(err.message, /model\.json/);
      return true;
    });
    const remote = await child.load(model);
    const pid = child.pid!;
    const pending = remote.tag([['Paris']]).then(
      () => 'answered',
      (err: Error) => err.message,
    );
    process.kill(pid, 'SIGKILL');
    for (let waited = 0; child.pid === pid && waited < 10_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Either the answer beat the kill, or the request failed with the reason.
    const outcome = await pending;
    assert.ok(outcome === 'answered' || /tagging process was killed \(SIGKILL\)/.test(outcome), outcome);
    assert.equal(remote.alive, false);
    await assert.rejects(remote.tag([['Paris']]), /exited/);
    const again = await child.load(model);
    assert.notEqual(child.pid, pid);
    assert.equal((await again.tag([['Paris']]))[0]!.length, 1);
  } finally {
    child.dispose();
    fs.rmSync(broken, { recursive: true, force: true });
  }
});

test('on the portable backend the tagging process tags like native TensorFlow, and says which backend it uses', async () => {
  const portable = newProcess({ SPANLIGHT_BACKEND: 'portable' });
  const native = newProcess({ SPANLIGHT_BACKEND: 'tensorflow' });
  try {
    const [onPortable, onNative] = await Promise.all([portable.load(model), native.load(model)]);
    assert.equal(onPortable.backend, 'portable');
    assert.equal(onNative.backend, 'tensorflow');
    assert.equal(onNative.nativeUnavailable, undefined);
    const [portableSpans] = await onPortable.tagTexts([text]);
    const [nativeSpans] = await onNative.tagTexts([text]);
    assert.deepEqual(
      portableSpans!.spans.map((s) => `${s.label}:${s.text}`),
      nativeSpans!.spans.map((s) => `${s.label}:${s.text}`),
    );
    const info = await portable.backendInfo();
    assert.equal(info.tagging, 'portable');
    // SPANLIGHT_BACKEND asked for it: native TensorFlow itself is fine here.
    assert.deepEqual(await portable.backend(), { backend: 'portable' });
    assert.equal((await native.backendInfo()).tagging, 'tensorflow');
  } finally {
    portable.dispose();
    native.dispose();
  }
});

test('a model tags on the portable backend at once, then moves to native TensorFlow when the process is idle', async () => {
  const child = newProcess();
  try {
    const moved = new Promise<HostEvent>((resolve) => child.onEvent(resolve));
    const first = await child.load(model);
    assert.equal(first.backend, 'portable');
    assert.equal(first.timings.tensorflowMs, 0);
    const before = await first.tagTexts([text]);
    const event = await moved;
    assert.ok(event.ok, JSON.stringify(event));
    assert.equal(event.folder, model);
    assert.ok(event.timings.tensorflowMs > 0 && event.timings.modelMs > 0);
    // The same model object keeps working, now on native TensorFlow, with the same results.
    const after = await first.tagTexts([text]);
    assert.deepEqual(
      after[0]!.spans.map((s) => `${s.label}:${s.text}`),
      before[0]!.spans.map((s) => `${s.label}:${s.text}`),
    );
    assert.equal((await child.backendInfo()).tagging, 'tensorflow');
    // Loaded once TensorFlow is: straight onto native TensorFlow.
    const second = await child.load(path.join(root, 'models', 'en-pos'));
    assert.equal(second.backend, 'tensorflow');
  } finally {
    child.dispose();
  }
});
