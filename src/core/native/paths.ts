/**
 * Where the native TensorFlow binding and libraries are. In a checkout they are tfjs-node's own
 * (node_modules/@tensorflow/tfjs-node); in the VSIX, `npm run package` ships them, and no
 * JavaScript, in `native/tfjs-node/` beside `dist/`, and the bundled tfjs-node looks for its
 * binding here (scripts/build.mjs rewrites its node-pre-gyp lookup to `tfjsBindingPath()`).
 */
import fs from 'node:fs';
import path from 'node:path';

/** The VSIX's copy, relative to the bundles in dist/. */
export const PACKAGED_NATIVE_DIR = path.join('native', 'tfjs-node');

/** The binding's place inside tfjs-node's folder (node-pre-gyp's `module_path` for N-API 8). */
export const BINDING_PATH = path.join('lib', 'napi-v8', 'tfjs_binding.node');

/** The libraries the Linux binding maps, inside tfjs-node's folder (its RUNPATH is `$ORIGIN/../../deps/lib`). */
export const LINUX_LIBRARIES = [
  path.join('deps', 'lib', 'libtensorflow_cc.so.2'),
  path.join('deps', 'lib', 'libtensorflow_framework.so.2'),
];

/** tfjs-node's folder: the packaged copy when this code runs from an installed VSIX, else node_modules'. */
export function tfjsNodeDir(): string {
  const packaged = path.join(__dirname, '..', PACKAGED_NATIVE_DIR);
  if (fs.existsSync(path.join(packaged, 'package.json'))) return packaged;
  return path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
}

export function tfjsBindingPath(): string {
  return path.join(tfjsNodeDir(), BINDING_PATH);
}

/** The binding and, on Linux, the TensorFlow libraries it maps. */
export function nativeFiles(): string[] {
  const dir = tfjsNodeDir();
  return [
    path.join(dir, BINDING_PATH),
    ...(process.platform === 'linux' ? LINUX_LIBRARIES.map((file) => path.join(dir, file)) : []),
  ];
}
