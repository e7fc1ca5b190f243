#!/usr/bin/env node
// `npm run package`: the VSIX users install, `spanlight-<version>-<target>.vsix`, for this machine's
// platform (or --target). It is packed from a staging folder that holds only what runs:
//   - the bundles (production build; tfjs-node's JavaScript and all its runtime modules bundled in,
//     no source maps), media/, schemas/, the shipped models (model.json, the weights it names,
//     MODEL.md);
//   - for this machine's target, the native TensorFlow files as real, stripped files in
//     native/tfjs-node/ (the binding and the two libraries it maps; no symlinks, headers or JS);
//   - package.json (without scripts and dependencies), README, CHANGELOG, LICENSE and the
//     licences of the bundled packages (THIRD_PARTY_NOTICES.md).
// Then `vsce package --target <target> --no-dependencies`, and a check of the VSIX it wrote: no
// symlinks, no .map files, nothing from node_modules, at most 200 MB. Prints the size and the
// 10 largest files.
//
// usage: npm run package [-- --target TARGET] [--out FILE]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { neededVersions, newestVersion } from '../src/core/native/elf.ts';
import { BINDING_PATH, LINUX_LIBRARIES, PACKAGED_NATIVE_DIR } from '../src/core/native/paths.ts';
import { build } from './build.mjs';
import { listVsix, mebibytes } from './vsix.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Open VSX refuses uploads over 256 MB; this leaves room. */
const MAX_VSIX_BYTES = 200 * 2 ** 20;
/** What TensorFlow 2.x's Linux libraries need from libstdc++; the binding must need no more. */
const TENSORFLOW_GLIBCXX = 'GLIBCXX_3.4.22';

/** Every target vsce knows, and what its VSIX can hold. */
const TARGETS = {
  'linux-x64':
    'native TensorFlow from the tensorflow-cpu wheel (npm ci builds the binding); package on linux-x64',
  'linux-arm64':
    'native TensorFlow from the tensorflow-cpu aarch64 wheel; package on a linux-arm64 machine (npm ci there builds the binding)',
  'linux-armhf': 'no TensorFlow build exists: tagging on the portable backend, no training',
  'alpine-x64': 'TensorFlow needs glibc, Alpine has musl: tagging on the portable backend, no training',
  'alpine-arm64': 'TensorFlow needs glibc, Alpine has musl: tagging on the portable backend, no training',
  'darwin-x64':
    "native TensorFlow through tfjs-node's own installer (it downloads libtensorflow for macOS); package on an Intel Mac",
  'darwin-arm64':
    'native TensorFlow needs libtensorflow built for Apple silicon (from the tensorflow macOS arm64 wheel); package on an Apple-silicon Mac',
  'win32-x64':
    "native TensorFlow through tfjs-node's own installer (it downloads libtensorflow for Windows); package on Windows x64",
  'win32-arm64': 'no TensorFlow build exists: tagging on the portable backend, no training',
  web: 'VS Code for the Web: the browser entry (tagging and annotation on the portable backend), no native code',
};

const fail = (message) => {
  console.error(`\nnpm run package: ${message}`);
  process.exit(1);
};
const step = (message) => console.log(`==> ${message}`);

if (process.argv.includes('--refuse-vsce')) {
  // Run as `vscode:prepublish` by a bare `vsce package` at the repository root, which would follow
  // node_modules' symlinks into 600+ MB of TensorFlow copies and miss tfjs-node's runtime modules.
  fail('package Spanlight with `npm run package`, not `vsce package` in the repository');
}
const { values } = parseArgs({
  options: { target: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } },
});
const hostTarget = `${process.platform}-${process.arch}`;
if (values.help) {
  console.log('usage: npm run package [-- --target TARGET] [--out FILE]\n\nTargets:');
  for (const [target, needs] of Object.entries(TARGETS)) console.log(`  ${target.padEnd(13)} ${needs}`);
  process.exit(0);
}
const target = values.target ?? hostTarget;
if (!(target in TARGETS)) fail(`unknown target ${target}; one of ${Object.keys(TARGETS).join(', ')}`);
const withNative = target === hostTarget && process.platform === 'linux';
const started = Date.now();
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const vsixPath = path.resolve(values.out ?? path.join(root, `spanlight-${manifest.version}-${target}.vsix`));
console.log(`Packaging Spanlight ${manifest.version} for ${target}: ${TARGETS[target]}.`);
if (!withNative) {
  console.log(
    `This machine is ${hostTarget}, so the VSIX holds no native TensorFlow: it tags with the portable backend and cannot train.`,
  );
}

const stage = path.join(root, 'out', 'package', target);
fs.rmSync(stage, { recursive: true, force: true });
fs.rmSync(`${stage}-native`, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });

step('building the bundles (production, tfjs-node bundled)');
const metafiles = await build({
  production: true,
  bundleTensorflow: true,
  outRoot: stage,
  logLevel: 'warning',
});

step('staging the files');
const copy = (from, to = from) => {
  fs.mkdirSync(path.dirname(path.join(stage, to)), { recursive: true });
  fs.copyFileSync(path.join(root, from), path.join(stage, to));
};
// What only a checkout uses: npm scripts, dependencies (bundled or shipped as files), the CLI.
const shipped = Object.fromEntries(
  Object.entries(manifest).filter(
    ([key]) => !['scripts', 'devDependencies', 'dependencies', 'allowScripts', 'bin'].includes(key),
  ),
);
fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(shipped, null, 2)}\n`);
for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE']) copy(file);
for (const file of fs.readdirSync(path.join(root, 'media'))) copy(path.join('media', file));
// JSON schemas the manifest contributes (jsonValidation), e.g. .spanlight/labels.json's.
for (const file of fs.readdirSync(path.join(root, 'schemas'))) copy(path.join('schemas', file));
for (const model of fs.readdirSync(path.join(root, 'models'))) {
  const folder = path.join('models', model);
  const card = JSON.parse(fs.readFileSync(path.join(root, folder, 'model.json'), 'utf8'));
  for (const file of ['model.json', card.weightsFile, 'MODEL.md']) copy(path.join(folder, file));
}

if (withNative) {
  const tfjsNode = path.dirname(
    fs.realpathSync(path.join(root, 'node_modules', '@tensorflow', 'tfjs-node', 'package.json')),
  );
  const native = path.join(stage, PACKAGED_NATIVE_DIR);
  const binding = path.join(tfjsNode, BINDING_PATH);
  if (!fs.existsSync(binding)) fail(`${binding} is missing: run npm ci (it builds the binding)`);
  const glibcxx = newestVersion(neededVersions(binding).get('libstdc++.so.6') ?? [], 'GLIBCXX');
  console.log(
    `    the binding needs ${glibcxx ?? 'no GLIBCXX version'} from libstdc++ (TensorFlow needs ${TENSORFLOW_GLIBCXX})`,
  );
  if (glibcxx && newestVersion([glibcxx, TENSORFLOW_GLIBCXX], 'GLIBCXX') !== TENSORFLOW_GLIBCXX) {
    fail(
      `the binding needs ${glibcxx}, newer than TensorFlow's ${TENSORFLOW_GLIBCXX}, so the VSIX would not load on older Linux. Rebuild it: rm ${binding} && node scripts/install-tensorflow.mjs`,
    );
  }
  fs.mkdirSync(native, { recursive: true });
  fs.copyFileSync(path.join(tfjsNode, 'package.json'), path.join(native, 'package.json'));
  for (const file of [BINDING_PATH, ...LINUX_LIBRARIES]) {
    const from = fs.realpathSync(path.join(tfjsNode, file));
    const to = path.join(native, file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    // Real files (never links), without the symbols nothing links against (788 → 583 MB).
    const stripped = spawnSync('strip', ['--strip-unneeded', '-o', to, from], { encoding: 'utf8' });
    if (stripped.error || stripped.status !== 0) {
      fail(`strip failed on ${from}: ${stripped.error?.message ?? stripped.stderr} (install binutils)`);
    }
  }
}

// vsce reads the repository's .vscodeignore in the stage: only what ships was staged, and its
// exclusions guard against anything else (it is not packed itself).
copy('.vscodeignore');

step('writing THIRD_PARTY_NOTICES.md');
writeNotices(metafiles);

step(`vsce package --target ${target}`);
fs.rmSync(vsixPath, { force: true });
const vsce = (args) =>
  spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', ...args],
    { cwd: stage, stdio: 'inherit' },
  ).status === 0;
// vsce scans every file for secrets, reading each as one string: the TensorFlow library (over
// 512 MB) cannot be read so, and fails the scan. So the scan runs on a pack without native/ (every
// other file), and the real pack skips it.
const nativeStage = path.join(stage, PACKAGED_NATIVE_DIR.split(path.sep)[0]);
const heldNative = `${stage}-native`;
if (withNative) fs.renameSync(nativeStage, heldNative);
const scanPack = `${stage}-scan.vsix`;
const scanned = vsce(['--allow-missing-repository', '--target', target, '--out', scanPack]);
fs.rmSync(scanPack, { force: true });
if (withNative) fs.renameSync(heldNative, nativeStage);
if (!scanned) fail('vsce package failed (see above)');
const packed = vsce(
  withNative
    ? [
        '--allow-missing-repository',
        '--allow-package-all-secrets',
        '--allow-package-env-file',
        '--target',
        target,
        '--out',
        vsixPath,
      ]
    : ['--allow-missing-repository', '--target', target, '--out', vsixPath],
);
if (!packed || !fs.existsSync(vsixPath)) fail('vsce package failed (see above)');

step('checking the VSIX');
const entries = listVsix(vsixPath);
const problems = [
  ...entries.filter((e) => e.symlink).map((e) => `${e.name} is a symbolic link`),
  ...entries.filter((e) => e.name.endsWith('.map')).map((e) => `${e.name} is a source map`),
  ...entries.filter((e) => e.name.includes('node_modules/')).map((e) => `${e.name} comes from node_modules`),
];
const vsixBytes = fs.statSync(vsixPath).size;
if (vsixBytes > MAX_VSIX_BYTES)
  problems.push(`the VSIX is ${mebibytes(vsixBytes)}, over ${mebibytes(MAX_VSIX_BYTES)}`);
const unpacked = entries.reduce((sum, e) => sum + e.size, 0);
console.log(
  `\n${path.relative(process.cwd(), vsixPath)}: ${mebibytes(vsixBytes)} (${entries.length} files, ${mebibytes(unpacked)} unpacked), built in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
console.log('Largest files (unpacked, in the VSIX):');
for (const e of [...entries].sort((a, b) => b.size - a.size).slice(0, 10)) {
  console.log(`  ${mebibytes(e.size).padStart(9)}  ${mebibytes(e.compressedSize).padStart(9)}  ${e.name}`);
}
if (problems.length > 0) fail(`the VSIX is not right:\n  ${problems.join('\n  ')}`);

/** The bundled npm packages (from esbuild's metafiles) with their licences. */
function writeNotices(metas) {
  const packages = new Map();
  for (const meta of metas) {
    for (const input of Object.keys(meta.inputs)) {
      // The innermost package: node_modules/a/node_modules/b/x.js belongs to b.
      const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (!match || packages.has(match[1])) continue;
      packages.set(match[1], JSON.parse(fs.readFileSync(path.join(root, match[1], 'package.json'), 'utf8')));
    }
  }
  const lines = [
    '# Third-party software in this package',
    '',
    'Bundled into `dist/` (JavaScript) — name, version, licence:',
    '',
    ...[...new Map([...packages.values()].map((p) => [`${p.name}@${p.version}`, p])).values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(
        (p) => `- ${p.name} ${p.version}, ${typeof p.license === 'string' ? p.license : 'see its package'}`,
      ),
    '',
  ];
  if (withNative) {
    lines.push(
      'In `native/tfjs-node/`: the TensorFlow C library (`libtensorflow_cc.so.2`,',
      '`libtensorflow_framework.so.2`, from the `tensorflow-cpu` wheel) and the tfjs-node binding',
      '(`tfjs_binding.node`, built from @tensorflow/tfjs-node), both under the Apache License 2.0',
      '(https://www.apache.org/licenses/LICENSE-2.0), © The TensorFlow Authors.',
      '',
    );
  }
  fs.writeFileSync(path.join(stage, 'THIRD_PARTY_NOTICES.md'), lines.join('\n'));
}
