#!/usr/bin/env node
// `npm start`: install what is missing, build, and open VS Code with Spanlight on a sample
// workspace, with news.md open so highlighted entities are the first thing on screen.
// Uses a desktop VS Code when one is installed (`code` on PATH, or SPANLIGHT_CODE); otherwise a
// real VS Code served by code-server (installed on first use by scripts/install-vscode-offline.sh
// from ../shared/vscode-offline), and prints the URL to open in a browser.
// env: SPANLIGHT_USE_CODE_SERVER=1 (even when `code` exists), SPANLIGHT_PORT (default 8080).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, offlinePrefix, offlineRecipe, serveInBackground } from './code-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = path.join(root, 'test', 'fixtures', 'sample-workspace');
// The sample workspace is copied out of the test fixtures (into the gitignored .scratch/) so that
// annotations and edits made while trying Spanlight never change the fixtures.
const workspace = path.join(root, '.scratch', 'sample-workspace');
const firstDocument = 'news.md';
const started = Date.now();

const step = (msg) => console.log(`\n==> [${((Date.now() - started) / 1000).toFixed(0)} s] ${msg}`);
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
// Which VS Code, decided first: a missing offline VS Code fails at once, not after the build.
const desktopCode = process.env.SPANLIGHT_CODE || (onPath('code') ? 'code' : undefined);
const useDesktop = desktopCode && process.env.SPANLIGHT_USE_CODE_SERVER !== '1';
if (!useDesktop) {
  if (!fs.existsSync(path.join(offlineRecipe, 'serve.sh'))) {
    console.error(
      `npm start: no desktop VS Code (\`code\` on PATH) and no offline one: ${offlineRecipe} (../shared/vscode-offline, the recipe that installs and serves code-server) is missing. Install VS Code and put \`code\` on PATH, or set SPANLIGHT_VSCODE_OFFLINE to the recipe's folder.`,
    );
    process.exit(1);
  }
  step('checking the offline VS Code (code-server + Chromium)');
  run('bash', [path.join(root, 'scripts', 'install-vscode-offline.sh')], 'installing code-server');
}
const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');
if (!fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) {
  step('installing dependencies (npm ci, including the native TensorFlow library)');
  run('npm', ['ci', '--no-audit', '--no-fund'], 'npm ci');
}
step('building the extension');
run('npm', ['run', 'build', '--silent'], 'the build');

// Files already in the copy are kept (they may hold the user's edits); new fixture files are added.
fs.mkdirSync(workspace, { recursive: true });
fs.cpSync(fixture, workspace, { recursive: true, force: false, errorOnExist: false });

if (useDesktop) {
  step(`opening ${workspace} in ${desktopCode} with Spanlight in development mode`);
  run(
    desktopCode,
    [`--extensionDevelopmentPath=${root}`, workspace, path.join(workspace, firstDocument)],
    'starting VS Code',
  );
  process.exit(0);
}

const port = await freePort(Number(process.env.SPANLIGHT_PORT || 8080));
const state = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-start-'));
step(`starting VS Code (code-server ${offlinePrefix}) on 127.0.0.1:${port}`);
const serve = serveInBackground({ port, state, extensionDir: root, workspace });
// serve.sh's own URL= line lacks the document to open: show the rest, print the full URL below.
process.stdout.write((serve.stdout ?? '').replace(/^(URL|PID|STATE)=.*\n/gm, ''));
process.stderr.write(serve.stderr ?? '');
const pid = Number(/^PID=(\d+)$/m.exec(serve.stdout ?? '')?.[1]);
if (serve.status !== 0 || !pid) {
  console.error('\nnpm start: code-server did not start; see the output above.');
  process.exit(1);
}

function stop() {
  try {
    process.kill(-pid, 'SIGTERM'); // serve.sh starts code-server in its own process group
  } catch {}
  fs.rmSync(state, { recursive: true, force: true });
}
process.on('exit', stop);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(0));

// The workbench opens `openFile` from the URL payload, so the sample document is shown at once.
const authority = `127.0.0.1:${port}`;
const payload = [['openFile', `vscode-remote://${authority}${path.join(workspace, firstDocument)}`]];
const url = `http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
step(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`
  Open this URL in a browser (entities in ${firstDocument} are highlighted once the model has loaded):

    ${url}

  Workspace: ${workspace}
  Server log: ${path.join(state, 'code-server.log')}
  Ctrl+C stops the server.
`);
// Stay in the foreground while the server runs, like a dev server; exit if it dies.
const watcher = spawn('tail', [`--pid=${pid}`, '-f', '/dev/null'], { stdio: 'ignore' });
watcher.on('exit', () => {
  console.error('npm start: code-server exited; see the server log above.');
  process.exit(1);
});
