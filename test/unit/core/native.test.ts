import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import {
  compareVersions,
  definedVersions,
  neededVersions,
  newestVersion,
} from '../../../src/core/native/elf';
import { nativeFiles, tfjsBindingPath } from '../../../src/core/native/paths';
import {
  describeMissingVersions,
  findSystemLibrary,
  missingSystemVersions,
} from '../../../src/core/native/requirements';

const linux = process.platform === 'linux';

test('symbol versions order numerically, part by part', () => {
  assert.ok(compareVersions('GLIBCXX_3.4.9', 'GLIBCXX_3.4.29') < 0);
  assert.ok(compareVersions('GLIBCXX_3.4.30', 'GLIBCXX_3.4.29') > 0);
  assert.equal(compareVersions('GLIBC_2.27', 'GLIBC_2.27'), 0);
  assert.equal(
    newestVersion(['GLIBC_2.2.5', 'GLIBC_2.14', 'GLIBCXX_3.4.29', 'GLIBC_PRIVATE'], 'GLIBC'),
    'GLIBC_2.14',
  );
});

test('the built binding needs no newer libstdc++ than TensorFlow itself', { skip: !linux }, () => {
  const [binding, cc, framework] = nativeFiles();
  const bindingNeeds = neededVersions(binding!).get('libstdc++.so.6');
  assert.ok(bindingNeeds && bindingNeeds.size > 0, 'the binding links libstdc++');
  const tensorflowNeeds = newestVersion(
    [
      ...(neededVersions(cc!).get('libstdc++.so.6') ?? []),
      ...(neededVersions(framework!).get('libstdc++.so.6') ?? []),
    ],
    'GLIBCXX',
  );
  assert.equal(tensorflowNeeds, 'GLIBCXX_3.4.22');
  const bindingNewest = newestVersion(bindingNeeds, 'GLIBCXX')!;
  assert.ok(
    compareVersions(bindingNewest, tensorflowNeeds) <= 0,
    `the binding needs ${bindingNewest}: rebuild it (rm ${tfjsBindingPath()} && node scripts/install-tensorflow.mjs)`,
  );
});

test("this system's libstdc++ defines what the native files need", { skip: !linux }, () => {
  const libstdcxx = findSystemLibrary('libstdc++.so.6');
  assert.ok(libstdcxx && fs.existsSync(libstdcxx));
  assert.ok(definedVersions(libstdcxx).has('GLIBCXX_3.4.22'));
  assert.deepEqual(missingSystemVersions(nativeFiles()), []);
});

test(
  'a system library lacking the needed versions is named, with its newest missing version',
  {
    skip: !linux,
  },
  () => {
    // libgcc_s defines GCC_* versions only: as "libstdc++", it lacks every GLIBCXX version.
    const libgcc = findSystemLibrary('libgcc_s.so.1')!;
    const missing = missingSystemVersions([tfjsBindingPath()], (soname) =>
      soname === 'libstdc++.so.6' ? libgcc : findSystemLibrary(soname),
    );
    assert.ok(missing.length > 0);
    assert.ok(missing.every((m) => m.library === libgcc && m.neededBy === 'tfjs_binding.node'));
    assert.ok(missing.some((m) => m.version === 'GLIBCXX_3.4.21'));
    const message = describeMissingVersions(missing);
    assert.match(
      message,
      /^this Linux is too old for native TensorFlow: libgcc_s\.so\.1 lacks GLIBCXX_3\.4\.21 /,
    );
    assert.match(message, /It needs glibc 2\.27 and libstdc\+\+ with GLIBCXX_3\.4\.22/);
  },
);
