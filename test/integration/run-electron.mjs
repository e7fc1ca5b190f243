#!/usr/bin/env node
// Runs the integration suite with @vscode/test-electron (downloads VS Code: needs network access
// to Microsoft's update service). Offline, use run.mjs instead. Build first with `npm run build`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const build = spawnSync(process.execPath, [path.join(repo, 'test/integration/build.mjs')], {
  cwd: repo,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-it-workspace-'));
fs.cpSync(path.join(repo, 'test/fixtures/sample-workspace'), workspace, { recursive: true });
fs.rmSync(path.join(workspace, '.spanlight/annotations'), { recursive: true, force: true });
try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: repo,
    extensionTestsPath: path.join(repo, 'out/test/integration/index.js'),
    launchArgs: [workspace, '--disable-extensions'],
  });
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}
