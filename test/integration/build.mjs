#!/usr/bin/env node
// Bundles the integration suite to out/test/integration/index.js. `vscode` and `mocha` stay
// external (the extension host provides the first; the second resolves from node_modules).
import * as esbuild from 'esbuild';

await esbuild.build({
  entryPoints: ['test/integration/index.ts'],
  outfile: 'out/test/integration/index.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  external: ['vscode', 'mocha', '@tensorflow/tfjs-node'],
  logLevel: 'warning',
});
