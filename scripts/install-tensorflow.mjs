#!/usr/bin/env node
// Installs the native TensorFlow library that @tensorflow/tfjs-node needs, without relying on
// Google's download servers (unreachable on offline machines and CI):
//   1. nothing to do when the binding already loads;
//   2. a cached build from an earlier install (keyed on tfjs-node, TensorFlow and Node ABI), or
//      the cached library with only the binding rebuilt when it was built another way;
//   3. tfjs-node's own installer (downloads libtensorflow and a prebuilt binding);
//   4. libtensorflow from the `tensorflow-cpu` Python wheel (pip), then the binding built from
//      source with node-pre-gyp against Node's own headers, needing no newer libstdc++ than
//      TensorFlow itself (see COMPAT_SOURCE).
// Every step is printed; on failure the message says what failed and what to do.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const TF_VERSION = process.env.SPANLIGHT_TENSORFLOW_VERSION || '2.21.0';
const OWN_INSTALL_TIMEOUT_MS = Number(process.env.SPANLIGHT_TFJS_DOWNLOAD_TIMEOUT_MS || 60_000);
const cacheRoot = process.env.SPANLIGHT_CACHE_DIR || path.join(os.homedir(), '.cache', 'spanlight');

const log = (msg) => console.log(`[spanlight:tensorflow] ${msg}`);

function fail(what, todo) {
  console.error(`\n[spanlight:tensorflow] FAILED: ${what}`);
  console.error(`[spanlight:tensorflow] What to do: ${todo}\n`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const res = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (res.error) log(`  could not run ${cmd}: ${res.error.message}`);
  return res.status === 0 && !res.error;
}

let tfjsDir;
try {
  tfjsDir = path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
} catch {
  log('@tensorflow/tfjs-node is not installed (yet); nothing to do.');
  process.exit(0);
}
const tfjsVersion = JSON.parse(fs.readFileSync(path.join(tfjsDir, 'package.json'), 'utf8')).version;
const napiVersion = process.versions.napi;
// The binding is N-API, but node-pre-gyp places it by the highest N-API version it supports.
const bindingRel = path.join('lib', 'napi-v8', 'tfjs_binding.node');
/** Names how the cached binding was built; a new recipe rebuilds it (from the cached headers). */
const BINDING_RECIPE = 'glibcxx-3.4.21';
const depsLib = path.join(tfjsDir, 'deps', 'lib');
const depsInclude = path.join(tfjsDir, 'deps', 'include');
const cacheDir = path.join(
  cacheRoot,
  `tfjs-node-${tfjsVersion}-tf-${TF_VERSION}-${process.platform}-${process.arch}-napi${napiVersion}`,
);

/** Loads the binding in a child process: a broken native library must not crash this script. */
function bindingWorks() {
  const probe =
    "const tf=require('@tensorflow/tfjs-node');" +
    'const y=tf.matMul(tf.tensor2d([[1,2],[3,4]]),tf.tensor2d([[5],[6]])).dataSync();' +
    "if(tf.getBackend()!=='tensorflow'||y[0]!==17||y[1]!==39)process.exit(3);";
  const res = spawnSync(process.execPath, ['-e', probe], {
    cwd: path.dirname(path.dirname(path.dirname(tfjsDir))),
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 120_000,
  });
  return res.status === 0;
}

function linkForce(target, linkPath) {
  fs.rmSync(linkPath, { force: true });
  fs.symlinkSync(target, linkPath);
}

/** Points tfjs-node's deps/lib at the cached libraries under the sonames the binding asks for. */
function layOutLibraries(libDir) {
  fs.mkdirSync(depsLib, { recursive: true });
  const cc = path.join(libDir, 'libtensorflow_cc.so.2');
  const framework = path.join(libDir, 'libtensorflow_framework.so.2');
  for (const name of ['libtensorflow.so', 'libtensorflow.so.2', 'libtensorflow_cc.so.2']) {
    linkForce(cc, path.join(depsLib, name));
  }
  for (const name of ['libtensorflow_framework.so', 'libtensorflow_framework.so.2']) {
    linkForce(framework, path.join(depsLib, name));
  }
}

function restoreFromCache() {
  const cachedBinding = path.join(cacheDir, 'binding', BINDING_RECIPE, 'tfjs_binding.node');
  if (!fs.existsSync(cachedBinding) || !fs.existsSync(path.join(cacheDir, 'lib', 'libtensorflow_cc.so.2'))) {
    return false;
  }
  log(`restoring the native library from the cache ${cacheDir}`);
  layOutLibraries(path.join(cacheDir, 'lib'));
  const bindingPath = path.join(tfjsDir, bindingRel);
  fs.mkdirSync(path.dirname(bindingPath), { recursive: true });
  fs.copyFileSync(cachedBinding, bindingPath);
  return bindingWorks();
}

function tryOwnInstaller() {
  log("trying tfjs-node's own installer (downloads libtensorflow from Google's servers)");
  const ok = run(process.execPath, [path.join('scripts', 'install.js')], {
    cwd: tfjsDir,
    timeout: OWN_INSTALL_TIMEOUT_MS,
  });
  if (ok && bindingWorks()) return true;
  log("tfjs-node's own installer did not produce a working binding (no network to Google's servers?)");
  return false;
}

function pipDownloadWheel(wheelDir) {
  fs.mkdirSync(wheelDir, { recursive: true });
  const existing = fs.readdirSync(wheelDir).find((f) => f.startsWith(`tensorflow_cpu-${TF_VERSION}-`));
  if (existing) return path.join(wheelDir, existing);
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) fail('no python3 found to run pip', 'install python3 and pip (apt-get install python3-pip)');
  const ok = run(python, [
    '-m',
    'pip',
    'download',
    '--no-deps',
    '--only-binary=:all:',
    `tensorflow-cpu==${TF_VERSION}`,
    '-d',
    wheelDir,
  ]);
  const wheel = fs.readdirSync(wheelDir).find((f) => f.startsWith(`tensorflow_cpu-${TF_VERSION}-`));
  if (!ok || !wheel) {
    fail(
      `pip could not download tensorflow-cpu==${TF_VERSION}`,
      'check that pip can reach its package index (pip config list), or set SPANLIGHT_TENSORFLOW_VERSION to a version your index has',
    );
  }
  return path.join(wheelDir, wheel);
}

function extractWheel(wheel, libDir, includeDir) {
  log(`extracting libtensorflow and headers from ${path.basename(wheel)}`);
  // Python's zipfile is always there when pip is, and streams members without a 1 GB buffer.
  const script = `
import sys, zipfile, os, shutil
wheel, lib_dir, inc_dir = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if name.endswith('/'):
            continue
        if name in ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'):
            dest = os.path.join(lib_dir, os.path.basename(name))
        elif name.startswith('tensorflow/include/'):
            dest = os.path.join(inc_dir, name[len('tensorflow/include/'):])
        else:
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(info) as src, open(dest + '.part', 'wb') as out:
            shutil.copyfileobj(src, out, 1 << 20)
        os.replace(dest + '.part', dest)
`;
  const ok = run('python3', ['-c', script, wheel, libDir, includeDir]);
  if (!ok || !fs.existsSync(path.join(libDir, 'libtensorflow_cc.so.2'))) {
    fail(`could not extract ${wheel}`, 'delete the cache folder and run `npm rebuild` again');
  }
}

/** The cached libraries and headers are there, so only the binding needs building (seconds). */
function cachedLibrariesAndHeaders() {
  return (
    fs.existsSync(path.join(cacheDir, 'lib', 'libtensorflow_cc.so.2')) &&
    fs.existsSync(path.join(cacheDir, 'lib', 'libtensorflow_framework.so.2')) &&
    fs.existsSync(path.join(cacheDir, 'work', 'include', 'tensorflow', 'c', 'c_api.h'))
  );
}

/**
 * g++ 11 and later make `new T[n]` call std::__throw_bad_array_new_length, which libstdc++ only
 * has since GLIBCXX_3.4.29 (GCC 11, e.g. Ubuntu 22.04): a binding built here would refuse to load
 * on older systems that TensorFlow itself supports (it needs GLIBCXX_3.4.22). This definition,
 * linked into the binding with hidden visibility, takes the place of libstdc++'s, so the binding
 * needs nothing newer than GLIBCXX_3.4.21. (-static-libstdc++ was tried: the static libstdc++ of
 * Debian 12 needs glibc 2.36, far newer than TensorFlow's 2.27.)
 */
const COMPAT_SOURCE = `#include <new>
extern "C" [[noreturn]] __attribute__((visibility("hidden"))) void spanlight_throw_bad_array_new_length()
    __asm__("_ZSt28__throw_bad_array_new_lengthv");
extern "C" void spanlight_throw_bad_array_new_length() { throw std::bad_array_new_length(); }
`;

/** Compiles COMPAT_SOURCE to an object file for the binding's link, or undefined off Linux. */
function compatObject(workDir) {
  if (process.platform !== 'linux') return undefined;
  const source = path.join(workDir, `compat-${BINDING_RECIPE}.cc`);
  const object = path.join(workDir, `compat-${BINDING_RECIPE}.o`);
  fs.writeFileSync(source, COMPAT_SOURCE);
  if (!run('g++', ['-O2', '-fPIC', '-c', source, '-o', `${object}.part`])) {
    fail("compiling the binding's libstdc++ compatibility shim failed", 'install g++ (apt-get install g++)');
  }
  fs.renameSync(`${object}.part`, object);
  return object;
}

/** Builds the binding from source against the cached libraries and headers, and caches it. */
function buildBinding() {
  const workDir = path.join(cacheDir, 'work');
  layOutLibraries(path.join(cacheDir, 'lib'));
  fs.rmSync(depsInclude, { recursive: true, force: true });
  fs.symlinkSync(path.join(workDir, 'include'), depsInclude);

  log('building the tfjs-node binding from source');
  const nodePreGyp = require.resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp', { paths: [tfjsDir] });
  const nodeDir = path.resolve(path.dirname(process.execPath), '..');
  const env = { ...process.env };
  if (fs.existsSync(path.join(nodeDir, 'include', 'node', 'node.h'))) env.npm_config_nodedir = nodeDir;
  const compat = compatObject(workDir);
  // gyp's Makefiles put LDFLAGS on the link line: an object file there is linked in.
  if (compat) env.LDFLAGS = [process.env.LDFLAGS, compat].filter(Boolean).join(' ');
  const built = run(process.execPath, [nodePreGyp, 'install', '--build-from-source'], { cwd: tfjsDir, env });
  if (!built) {
    fail(
      'building the tfjs-node binding from source failed',
      "make sure g++, make and python3 are installed (apt-get install g++ make python3) and that Node's headers exist next to the node binary (include/node/node.h)",
    );
  }
  const bindingPath = path.join(tfjsDir, bindingRel);
  if (!fs.existsSync(bindingPath))
    fail(`the build did not produce ${bindingPath}`, 'see the build log above');
  const cached = path.join(cacheDir, 'binding', BINDING_RECIPE, 'tfjs_binding.node');
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  fs.copyFileSync(bindingPath, `${cached}.part`);
  fs.renameSync(`${cached}.part`, cached);
  return bindingWorks();
}

function buildBindingFromWheel() {
  const workDir = path.join(cacheDir, 'work');
  const libDir = path.join(cacheDir, 'lib');
  fs.mkdirSync(libDir, { recursive: true });
  if (!cachedLibrariesAndHeaders()) {
    const wheel = pipDownloadWheel(path.join(cacheRoot, 'wheels'));
    extractWheel(wheel, libDir, path.join(workDir, 'include'));
  }
  return buildBinding();
}

const started = Date.now();
if (process.env.SPANLIGHT_SKIP_TENSORFLOW === '1') {
  log('SPANLIGHT_SKIP_TENSORFLOW=1: skipping');
} else if (bindingWorks()) {
  log('the tfjs-node binding already loads; nothing to do');
} else if (restoreFromCache()) {
  log(`restored from the cache in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} else if (cachedLibrariesAndHeaders() && buildBinding()) {
  log(`binding built against the cached library in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} else if (process.env.SPANLIGHT_TFJS_SKIP_DOWNLOAD !== '1' && tryOwnInstaller()) {
  log(`installed by tfjs-node's own installer in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} else if (buildBindingFromWheel()) {
  log(`built from the tensorflow-cpu ${TF_VERSION} wheel in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} else {
  fail(
    'the tfjs-node binding was built but does not load',
    `delete ${cacheDir} and run \`npm rebuild\`; if it persists, run \`node -e "require('@tensorflow/tfjs-node')"\` to see the loader error`,
  );
}
