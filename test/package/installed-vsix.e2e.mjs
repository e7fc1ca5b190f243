#!/usr/bin/env node
// `npm run test:package`: what users install is what this test installs. It makes the VSIX with
// `npm run package` (or takes --vsix FILE), installs it into a FRESH code-server profile (new
// --extensions-dir and --user-data-dir, started from a temp dir with the repository off PATH and
// no npm variables), opens a copy of the sample workspace with news.md shown, and checks through
// the workbench that entity highlights appear, that "Show TensorFlow Backend Info" reports the
// native backend, and that the listing template opens and fills. It measures the install and the
// time to the first highlight after the editor shows the file, with the extension's own timings
// of the model load, and writes them to test-results/package/report.json (screenshots beside it).
//
// usage: node test/package/installed-vsix.e2e.mjs [--vsix FILE]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { listVsix, mebibytes } from '../../scripts/vsix.mjs';
import {
  Checks,
  cleanupAll,
  copyWorkspace,
  extensionId,
  launchBrowser,
  log,
  manifest,
  poll,
  processesMatching,
  repoRoot,
  seconds,
  startCodeServer,
  Workbench,
} from '../e2e/harness.mjs';
import { SEED_RECORD } from '../fixtures/seed-listing.mjs';

const resultsDir = path.join(repoRoot, 'test-results', 'package');
const DOCUMENT = 'news.md';
const LISTING = 'listings/villa-cannes.txt';

/** The environment of a machine that never saw the repository: no npm variables, repo off PATH. */
function cleanEnvironment() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || ['INIT_CWD', 'NODE_PATH', 'NODE_OPTIONS'].includes(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir && !path.resolve(dir).startsWith(repoRoot))
    .join(path.delimiter);
  return env;
}

/** Lines of the extension's log (its LogOutputChannel) in the server's user-data dir. */
function extensionLog(state) {
  const logs = path.join(state, 'user-data', 'logs');
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'Spanlight.log') found.push(full);
    }
  };
  walk(logs);
  return found.flatMap((file) => fs.readFileSync(file, 'utf8').split('\n')).filter(Boolean);
}

/** The folder the VSIX was installed into, in a server's fresh extensions dir. */
function installedExtension(server) {
  const extensions = path.join(server.state, 'extensions');
  const installed = fs.readdirSync(extensions).find((d) => d.startsWith(`${extensionId}-`));
  if (!installed) throw new Error(`no ${extensionId} in ${extensions}: ${fs.readdirSync(extensions)}`);
  return path.join(extensions, installed);
}

/** A URL of the server that opens `file` of the workspace at once (as `npm start` does). */
function urlOpening(server, workspace, file) {
  const authority = new URL(server.url).host;
  const payload = [['openFile', `vscode-remote://${authority}${path.join(workspace, file)}`]];
  return `${server.url}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** The text of the first notification toast that contains `text`, once one shows. */
async function notification(page, text, { timeout = seconds(60) } = {}) {
  const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first();
  await toast.waitFor({ timeout });
  return {
    toast,
    text: ((await toast.locator('.notification-list-item-message').textContent()) ?? '').trim(),
  };
}

/** Epoch ms of a log line's `YYYY-MM-DD HH:MM:SS.mmm` (local time) prefix. */
const logTime = (line) => new Date(line.slice(0, 23).replace(' ', 'T')).getTime();

async function main() {
  const { values } = parseArgs({ options: { vsix: { type: 'string' } } });
  fs.rmSync(resultsDir, { recursive: true, force: true });
  fs.mkdirSync(resultsDir, { recursive: true });
  const report = { vsix: {}, install: {}, firstHighlight: {}, checks: {} };
  const checks = new Checks();

  let vsix = values.vsix && path.resolve(values.vsix);
  if (!vsix) {
    log('npm run package');
    const started = Date.now();
    const packed = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'scripts', 'package.mjs')],
      {
        cwd: repoRoot,
        stdio: 'inherit',
      },
    );
    if (packed.status !== 0) throw new Error('npm run package failed (see above)');
    vsix = path.join(repoRoot, `spanlight-${manifest.version}-${process.platform}-${process.arch}.vsix`);
    report.vsix.packageSeconds = (Date.now() - started) / 1000;
  }
  const entries = listVsix(vsix);
  report.vsix = {
    ...report.vsix,
    path: vsix,
    file: path.basename(vsix),
    bytes: fs.statSync(vsix).size,
    files: entries.length,
    unpackedBytes: entries.reduce((sum, e) => sum + e.size, 0),
  };
  log(`${path.basename(vsix)}: ${mebibytes(report.vsix.bytes)}, ${entries.length} files`);

  const workspace = copyWorkspace(path.join(repoRoot, 'test', 'fixtures', 'sample-workspace'));
  const env = cleanEnvironment();
  const server = await startCodeServer({ workspace, vsix, env, cwd: os.tmpdir() });
  report.install = { installSeconds: server.installMs / 1000, serverStartSeconds: server.startMs / 1000 };
  log(`installed in ${server.installMs} ms; server started in ${server.startMs} ms`);

  await checks.run(
    'the VSIX installed into the fresh profile holds only real files, outside the repository',
    undefined,
    async () => {
      const dir = installedExtension(server);
      const walk = (d) =>
        fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
          const full = path.join(d, e.name);
          if (e.isSymbolicLink()) throw new Error(`${full} is a symbolic link`);
          return e.isDirectory() ? walk(full) : [full];
        });
      const files = walk(dir);
      if (files.some((f) => f.includes(`${path.sep}node_modules${path.sep}`)))
        throw new Error('node_modules installed');
      if (dir.startsWith(repoRoot)) throw new Error(`${dir} is inside the repository`);
      report.install.extensionDir = dir;
      return `${path.basename(dir)}: ${files.length} files`;
    },
  );

  const context = await launchBrowser();
  const page = context.pages()[0] ?? (await context.newPage());
  const workbench = new Workbench(page, { screenshotDir: resultsDir });
  const url = urlOpening(server, workspace, DOCUMENT);

  const highlighted = await checks.run(`entity highlights appear in ${DOCUMENT}`, workbench, async () => {
    const pageStarted = Date.now();
    await page.goto(url, { timeout: seconds(90) });
    await workbench.waitReady();
    const workbenchReady = Date.now();
    // The editor shows the file: its tab is active and the text is rendered.
    await poll(
      `${DOCUMENT} shown in the editor`,
      async () => (await workbench.editorLines()).some((line) => line.includes('Angela Merkel')),
      { timeout: seconds(60), interval: 50 },
    );
    const editorShown = Date.now();
    const found = await poll(
      'a highlight on "Angela Merkel"',
      async () => {
        const on = await workbench.decorationsOn('Angela Merkel');
        return on.length > 0 ? on : null;
      },
      { timeout: seconds(120), interval: 100 },
    );
    const firstHighlight = Date.now();
    await workbench.screenshot('01-highlights');
    const all = await workbench.decorations();
    const highlightedWords = ['Emmanuel Macron', 'Paris', 'Microsoft', 'Toronto'];
    const missing = [];
    for (const word of highlightedWords)
      if ((await workbench.decorationsOn(word)).length === 0) missing.push(word);
    if (missing.length > 1) throw new Error(`no highlight on ${missing.join(', ')}`);
    const lines = extensionLog(server.state);
    const activated = lines.find((l) => /activated in/.test(l));
    const loaded = lines.find((l) => /loaded entities model/.test(l));
    report.firstHighlight = {
      pageToWorkbenchSeconds: (workbenchReady - pageStarted) / 1000,
      workbenchToEditorSeconds: (editorShown - workbenchReady) / 1000,
      editorToFirstHighlightSeconds: (firstHighlight - editorShown) / 1000,
      activatedAfterEditorSeconds: activated ? (logTime(activated) - editorShown) / 1000 : null,
      activation: activated?.replace(/^.*?\] /, ''),
      modelLoadedAfterEditorSeconds: loaded ? (logTime(loaded) - editorShown) / 1000 : null,
      modelLoad: loaded?.replace(/^.*?\] /, ''),
    };
    return `first highlight ${report.firstHighlight.editorToFirstHighlightSeconds.toFixed(1)} s after the editor showed ${DOCUMENT} (${found.length} decorations on "Angela Merkel", ${all.length} in view)`;
  });

  await checks.run('"Show TensorFlow Backend Info" reports the native backend', workbench, async () => {
    await workbench.runCommand('Spanlight: Show TensorFlow Backend Info');
    const { text } = await notification(page, 'Spanlight: TensorFlow');
    await workbench.screenshot('02-backend-info');
    if (!/\(tensorflow backend\)/.test(text)) throw new Error(`the backend is not native: ${text}`);
    const [tagging] = processesMatching(/tagging-process\.js/).filter((p) =>
      p.cmdline.includes(server.state),
    );
    if (!tagging?.tensorflow)
      throw new Error('no tagging process of the installed extension has libtensorflow mapped');
    report.checks.backendInfo = text;
    return text;
  });

  if (highlighted) {
    await checks.run('the listing template opens and fills from the installed model', workbench, async () => {
      await workbench.openFile(LISTING);
      await workbench.runCommand('Spanlight: Extract Listing');
      let values = null;
      await poll(
        'the listing form with the seed record',
        async () => {
          for (const frame of page.frames()) {
            values = await frame
              .evaluate(() => {
                const rows = [...document.querySelectorAll('#fields .field')];
                return rows.length === 0
                  ? null
                  : Object.fromEntries(
                      rows.map((r) => [
                        r.getAttribute('data-label'),
                        r.querySelector('.value')?.value ?? null,
                      ]),
                    );
              })
              .catch(() => null);
            if (values) break;
          }
          return values && Object.entries(SEED_RECORD).every(([label, value]) => values[label] === value);
        },
        { timeout: seconds(90), interval: 500 },
      ).catch((err) => {
        throw new Error(`${err.message}; form: ${JSON.stringify(values)}`);
      });
      await workbench.screenshot('03-listing-template');
      return Object.entries(values)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
    });
  }

  await page.close();
  server.stop();
  await withoutNative(context, checks, report);

  report.checks.results = checks.results.map((r) => ({
    name: r.name,
    status: r.status,
    seconds: r.ms / 1000,
  }));
  fs.writeFileSync(path.join(resultsDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nreport: ${path.relative(process.cwd(), path.join(resultsDir, 'report.json'))}`);
  console.log(
    JSON.stringify(
      { vsix: report.vsix, install: report.install, firstHighlight: report.firstHighlight },
      null,
      2,
    ),
  );
  await cleanupAll();
  checks.finish('The installed VSIX');
}

/**
 * The same VSIX with TensorFlow's library removed from the installation, as on a system where
 * native TensorFlow cannot load: highlights must still appear (portable backend), the user is
 * told why in their terms with "Show Details", and training says it needs native TensorFlow.
 */
async function withoutNative(context, checks, report) {
  const workspace = copyWorkspace(path.join(repoRoot, 'test', 'fixtures', 'sample-workspace'));
  const server = await startCodeServer({
    workspace,
    vsix: report.vsix.path,
    env: cleanEnvironment(),
    cwd: os.tmpdir(),
  });
  // Before the browser connects, so before the extension host starts.
  fs.rmSync(
    path.join(installedExtension(server), 'native', 'tfjs-node', 'deps', 'lib', 'libtensorflow_cc.so.2'),
  );
  const page = await context.newPage();
  const workbench = new Workbench(page, { screenshotDir: resultsDir });
  const highlighted = await checks.run(
    'without native TensorFlow, highlights still appear (portable backend)',
    workbench,
    async () => {
      await page.goto(urlOpening(server, workspace, DOCUMENT), { timeout: seconds(90) });
      await workbench.waitReady();
      await poll(
        `${DOCUMENT} shown`,
        async () => (await workbench.editorLines()).some((l) => l.includes('Angela Merkel')),
        {
          timeout: seconds(60),
          interval: 50,
        },
      );
      const editorShown = Date.now();
      await poll(
        'a highlight on "Angela Merkel"',
        async () => (await workbench.decorationsOn('Angela Merkel')).length > 0,
        {
          timeout: seconds(120),
          interval: 100,
        },
      );
      const elapsed = (Date.now() - editorShown) / 1000;
      const loaded = extensionLog(server.state).find((l) => /loaded entities model/.test(l));
      if (!/on the portable backend/.test(loaded ?? ''))
        throw new Error(`not tagged on the portable backend: ${loaded}`);
      report.withoutNative = {
        editorToFirstHighlightSeconds: elapsed,
        modelLoad: loaded.replace(/^.*?\] /, ''),
      };
      return `first highlight ${elapsed.toFixed(1)} s after the editor showed ${DOCUMENT}`;
    },
  );
  await checks.run('the user is told why, with "Show Details" opening the log', workbench, async () => {
    const { toast, text } = await notification(page, 'native TensorFlow cannot be loaded here');
    if (!/files are missing .*libtensorflow_cc\.so\.2.*reinstall Spanlight/.test(text))
      throw new Error(`unclear: ${text}`);
    if (!/portable backend/.test(text) || !/training needs native TensorFlow/.test(text))
      throw new Error(`incomplete: ${text}`);
    await workbench.screenshot('04-without-native-notification');
    await toast.locator('.monaco-button', { hasText: 'Show Details' }).click();
    await poll(
      'the Spanlight log in the Output panel',
      async () => {
        const shown = await page.locator('.part.panel .monaco-editor .view-lines').first().textContent();
        return (shown ?? '').replace(/\u00a0/g, ' ').includes('native TensorFlow cannot be loaded');
      },
      { timeout: seconds(30) },
    );
    await workbench.screenshot('05-without-native-details');
    report.withoutNative = { ...report.withoutNative, notification: text };
    return text;
  });
  if (highlighted) {
    await checks.run(
      '"Show TensorFlow Backend Info" and "Train Tagger…" say tagging is portable and training needs native',
      workbench,
      async () => {
        await workbench.runCommand('Spanlight: Show TensorFlow Backend Info');
        const info = (await notification(page, 'tagging runs on the portable backend')).text;
        await workbench.runCommand('Spanlight: Train Tagger');
        const training = (await notification(page, 'Spanlight: training needs native TensorFlow')).text;
        await workbench.screenshot('06-without-native-training');
        return `${info} | ${training}`;
      },
    );
  }
  await page.close();
  server.stop();
}

main().catch(async (err) => {
  console.error(`[package] ${err.stack ?? err}`);
  await cleanupAll();
  process.exit(1);
});
