#!/usr/bin/env node
// Runs the extension in a real VS Code, offline: code-server from ../shared/vscode-offline
// (installed on first use by scripts/install-vscode-offline.sh) driven by Debian's Chromium.
//   1. the integration suite (mocha, `require('vscode')`, test/integration/index.ts bundled to
//      out/test/integration/index.js) inside code-server's extension host;
//   2. the UI end-to-end checks, test/e2e/*.e2e.mjs (screenshots in test-results/e2e/).
// Any failure, including a missing code-server or Chromium, exits 1: nothing is skipped silently.
//
// usage: node scripts/e2e.mjs [--only integration|ui] [--spec NAME] [--no-build]
//        (--spec runs only test/e2e/NAME.e2e.mjs of the UI checks)
// env:   SPANLIGHT_E2E_KEEP=1 keeps the temp workspaces and server state;
//        SPANLIGHT_E2E_SLOW=2 doubles every deadline; SPANLIGHT_E2E_HEADED=1 shows the browser.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, offlinePrefix, offlineRecipe } from './code-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined;
const specIndex = args.indexOf('--spec');
const spec = specIndex >= 0 ? args[specIndex + 1] : undefined;
if ((only !== undefined && only !== 'integration' && only !== 'ui') || (specIndex >= 0 && !spec)) {
  console.error('usage: node scripts/e2e.mjs [--only integration|ui] [--spec NAME] [--no-build]');
  process.exit(2);
}

const timings = [];
const failures = [];
async function phase(name, fn) {
  console.log(`\n==> ${name}`);
  const started = Date.now();
  let ok = false;
  try {
    ok = await fn();
  } catch (err) {
    console.error(`e2e: ${name}: ${err.stack ?? err}`);
  }
  const seconds = (Date.now() - started) / 1000;
  timings.push(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${seconds.toFixed(1)} s`);
  if (!ok) failures.push(name);
  return ok;
}
/** No phase may hang CI: each is stopped (SIGTERM, so it cleans up its servers) after this long. */
const phaseTimeoutMs = Number(process.env.SPANLIGHT_E2E_SLOW || 1) * 15 * 60_000;
function run(cmd, cmdArgs) {
  const res = spawnSync(cmd, cmdArgs, {
    cwd: root,
    stdio: 'inherit',
    timeout: phaseTimeoutMs,
    killSignal: 'SIGTERM',
  });
  if (res.error) console.error(`e2e: ${cmd} ${cmdArgs.join(' ')}: ${res.error.message}`);
  if (res.signal) console.error(`e2e: ${cmd} ${cmdArgs.join(' ')} was stopped by ${res.signal}`);
  return res.status === 0;
}
function listFiles(dir, suffix) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory()
        ? listFiles(path.join(dir, d.name), suffix)
        : d.name.endsWith(suffix)
          ? [path.join(dir, d.name)]
          : [],
    )
    .sort();
}
function summary() {
  console.log('\nEnd-to-end timings:');
  for (const t of timings) console.log(`  ${t}`);
  if (failures.length) {
    console.error(`\ne2e: FAILED: ${failures.join('; ')}`);
    process.exit(1);
  }
  console.log('\ne2e: all passed');
  process.exit(0);
}

const installed = await phase('offline VS Code (code-server + Chromium)', () =>
  run('bash', [path.join(root, 'scripts', 'install-vscode-offline.sh')]),
);
if (!installed) {
  console.error(
    '\ne2e: code-server or Chromium is not installed, so the end-to-end tests cannot run. This is a failure, ' +
      'not a skip: see the message above (on Debian as root, scripts/install-vscode-offline.sh installs everything).',
  );
  summary();
}

if (!args.includes('--no-build')) {
  const built = await phase('build the extension (npm run build)', () =>
    run('npm', ['run', 'build', '--silent']),
  );
  if (!built) summary();
}

const integrationEntry = path.join(root, 'test', 'integration', 'index.ts');
// The suite's own runner (bundles it, copies the workspace, sets the suite's environment) is the
// one way to run it when it exists; the bundling below is the fallback for a bare index.ts.
const integrationRunner = path.join(root, 'test', 'integration', 'run.mjs');
if (only !== 'ui' && fs.existsSync(integrationRunner)) {
  const port = await freePort();
  await phase(`integration suite in code-server (${path.relative(root, integrationRunner)})`, () =>
    run(process.execPath, [integrationRunner, '--port', String(port)]),
  );
} else if (only !== 'ui') {
  if (!fs.existsSync(integrationEntry)) {
    console.log(
      `\n==> integration suite: ${path.relative(root, integrationEntry)} does not exist yet; not run`,
    );
  } else {
    const outDir = path.join(root, 'out', 'test', 'integration');
    const bundled = await phase('bundle the integration suite (esbuild → out/test/integration)', async () => {
      fs.rmSync(outDir, { recursive: true, force: true });
      const esbuild = await import('esbuild');
      const result = await esbuild.build({
        entryPoints: [integrationEntry],
        outfile: path.join(outDir, 'index.js'),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        sourcemap: 'inline',
        external: ['vscode', 'mocha', '@tensorflow/tfjs-node', '@tensorflow/tfjs'],
        logLevel: 'warning',
      });
      return result.errors.length === 0;
    });
    if (bundled) {
      const port = await freePort();
      const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-integration-ws-'));
      fs.cpSync(path.join(root, 'test', 'fixtures', 'sample-workspace'), workspace, { recursive: true });
      await phase('integration suite in code-server (run-extension-tests.mjs)', () =>
        run(process.execPath, [
          path.join(offlineRecipe, 'run-extension-tests.mjs'),
          '--extension',
          root,
          '--tests',
          path.join(outDir, 'index.js'),
          '--workspace',
          workspace,
          '--port',
          String(port),
          '--prefix',
          offlinePrefix,
          '--timeout',
          String(Number(process.env.SPANLIGHT_E2E_SLOW || 1) * 600_000),
        ]),
      );
      if (process.env.SPANLIGHT_E2E_KEEP) console.log(`integration workspace kept in ${workspace}`);
      else fs.rmSync(workspace, { recursive: true, force: true });
    }
  }
}

if (only !== 'integration') {
  const specs = listFiles(path.join(root, 'test', 'e2e'), '.e2e.mjs').filter(
    (file) => !spec || path.basename(file) === `${spec}.e2e.mjs`,
  );
  if (specs.length === 0) {
    failures.push(`no test/e2e/${spec ?? '*'}.e2e.mjs files`);
  }
  for (const spec of specs) {
    await phase(`UI end-to-end: ${path.relative(root, spec)}`, () => run(process.execPath, [spec]));
  }
}
summary();
