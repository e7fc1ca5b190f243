// What `npm start`, the e2e runner and the e2e harness share about the offline VS Code
// (code-server from ../shared/vscode-offline): where it lives, a free port, and starting it.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The vscode-offline recipe folder (install.sh, serve.sh, run-extension-tests.mjs). */
export const offlineRecipe =
  process.env.SPANLIGHT_VSCODE_OFFLINE || path.resolve(repoRoot, '..', 'shared', 'vscode-offline');
/** Where install.sh puts code-server and its tools. */
export const offlinePrefix =
  process.env.VSCODE_OFFLINE_HOME || path.join(os.homedir(), '.cache', 'vscode-offline');

function listen(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      server.close(() => resolve(bound));
    });
  });
}

/** `preferred` when it is free, otherwise a port the system picks. */
export async function freePort(preferred) {
  if (preferred !== undefined && (await listen(preferred)) !== undefined) return preferred;
  const port = await listen(0);
  if (port === undefined) throw new Error('no free port on 127.0.0.1');
  return port;
}

/**
 * Starts code-server detached (serve.sh --background: its own process group) on 127.0.0.1:`port`
 * with `extensionDir` linked into a fresh extensions dir under `state`, or the `vsix` installed
 * into it. `env` and `cwd` replace this process's (a packaged extension is tested with nothing of
 * the repository around it). Returns spawnSync's result; serve.sh prints `PID=`, `STATE=` and
 * `URL=` lines on success.
 */
export function serveInBackground({ port, state, extensionDir, vsix, workspace, timeout, env, cwd }) {
  return spawnSync(
    'bash',
    [
      path.join(offlineRecipe, 'serve.sh'),
      '--background',
      '--prefix',
      offlinePrefix,
      '--port',
      String(port),
      '--state',
      state,
      ...(vsix ? ['--install-extension', vsix] : ['--link-extension', extensionDir]),
      workspace,
    ],
    { encoding: 'utf8', ...(timeout ? { timeout } : {}), ...(env ? { env } : {}), ...(cwd ? { cwd } : {}) },
  );
}
