#!/usr/bin/env node
// `npm start`: install what is missing, build, and open VS Code with Spanlight on the sample
// workspace. Uses a desktop VS Code when one is installed (`code` on PATH, or SPANLIGHT_CODE);
// otherwise a real VS Code served by code-server from ../shared/vscode-offline (installed on
// first use), and prints the URL to open in a browser.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspace = path.join(root, 'test', 'fixtures', 'sample-workspace');
const offlineRecipe =
  process.env.SPANLIGHT_VSCODE_OFFLINE || path.resolve(root, '..', 'shared', 'vscode-offline');
const offlinePrefix = process.env.VSCODE_OFFLINE_HOME || path.join(os.homedir(), '.cache', 'vscode-offline');

const step = (msg) => console.log(`\n==> ${msg}`);
function run(cmd, args, what) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) {
    console.error(`\nnpm start: ${what} failed (${cmd} ${args.join(' ')}). See the output above.`);
    process.exit(1);
  }
}
function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
function freePort(preferred) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(freePort(0)));
    server.listen(preferred, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');
if (!fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) {
  step('installing dependencies (npm ci, including the native TensorFlow library)');
  run('npm', ['ci', '--no-audit', '--no-fund'], 'npm ci');
}
step('building the extension');
run('npm', ['run', 'build', '--silent'], 'the build');

const desktopCode = process.env.SPANLIGHT_CODE || (onPath('code') ? 'code' : undefined);
if (desktopCode && process.env.SPANLIGHT_USE_CODE_SERVER !== '1') {
  step(`opening ${workspace} in ${desktopCode} with Spanlight in development mode`);
  run(desktopCode, [`--extensionDevelopmentPath=${root}`, workspace], 'starting VS Code');
  process.exit(0);
}

if (!fs.existsSync(path.join(offlinePrefix, 'code-server'))) {
  step(`installing code-server (a real VS Code) from ${offlineRecipe}`);
  if (!fs.existsSync(path.join(offlineRecipe, 'install.sh'))) {
    console.error(
      `npm start: no VS Code found: install VS Code (\`code\` on PATH) or set SPANLIGHT_VSCODE_OFFLINE to the vscode-offline recipe folder (looked in ${offlineRecipe}).`,
    );
    process.exit(1);
  }
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  run(
    'bash',
    [path.join(offlineRecipe, 'install.sh'), ...(asRoot ? ['--apt'] : []), offlinePrefix],
    'install.sh',
  );
}

const port = await freePort(Number(process.env.SPANLIGHT_PORT || 8080));
step(`starting VS Code (code-server) on http://127.0.0.1:${port}`);
console.log('Open the URL printed below in a browser; Ctrl+C stops the server.\n');
const serve = spawnSync(
  'bash',
  [
    path.join(offlineRecipe, 'serve.sh'),
    '--prefix',
    offlinePrefix,
    '--port',
    String(port),
    '--link-extension',
    root,
    workspace,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(serve.status ?? 1);
