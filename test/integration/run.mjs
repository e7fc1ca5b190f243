#!/usr/bin/env node
// Runs the integration suite offline in a real VS Code extension host (code-server, see
// ../shared/vscode-offline), on a fresh copy of the sample workspace so the annotation files the
// tests write never land in the repository.
// usage: node test/integration/run.mjs [--port 8093]   (after `npm run build`)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const offline = path.resolve(repo, '../shared/vscode-offline/run-extension-tests.mjs');
const port = process.argv.includes('--port') ? process.argv[process.argv.indexOf('--port') + 1] : '8093';

const build = spawnSync(process.execPath, [path.join(repo, 'test/integration/build.mjs')], {
  cwd: repo,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-it-workspace-'));
fs.cpSync(path.join(repo, 'test/fixtures/sample-workspace'), workspace, { recursive: true });
fs.rmSync(path.join(workspace, '.spanlight/annotations'), { recursive: true, force: true });
const result = spawnSync(
  process.execPath,
  [
    offline,
    '--extension',
    repo,
    '--tests',
    path.join(repo, 'out/test/integration/index.js'),
    '--workspace',
    workspace,
    '--port',
    port,
    '--timeout',
    '300000',
  ],
  { stdio: 'inherit', env: { ...process.env, SPANLIGHT_TEST_WORKSPACE: workspace } },
);
if (!process.env.KEEP_STATE) fs.rmSync(workspace, { recursive: true, force: true });
process.exit(result.status ?? 1);
