/**
 * What every page test of test/webview needs: the page's webview bundle built with esbuild, served
 * on 127.0.0.1 under the extension's own HTML shell (so its CSP applies), Debian's Chromium through
 * playwright-core, and pages with the VS Code API stubbed and a dark theme's variables set.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const shots = path.join(repo, 'test-results', 'webview');

/** The theme variables both pages read; a page adds the ones only it uses. */
const DARK_THEME = {
  '--vscode-foreground': '#cccccc',
  '--vscode-editor-background': '#1e1e1e',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-editorWidget-border': '#454545',
  '--vscode-font-family': 'sans-serif',
  '--vscode-font-size': '13px',
};

/**
 * Bundles `entry` (a webview main.ts, relative to the repo) as `<name>.js` (and the `<name>.css`
 * esbuild emits for its CSS imports), serves `/index.html` as `html({ cspSource, scriptUri,
 * styleUri })` and launches Chromium. Returns `openPage` and `close`.
 */
export async function startPageHarness({ entry, name, html, viewport, themeVars = {} }) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `spanlight-${name}-`));
  await esbuild.build({
    entryPoints: [path.join(repo, entry)],
    outfile: path.join(out, `${name}.js`),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'error',
  });
  let origin;
  const server = http.createServer((req, res) => {
    if (req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        html({ cspSource: origin, scriptUri: `${origin}/${name}.js`, styleUri: `${origin}/${name}.css` }),
      );
      return;
    }
    if (req.url === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    const file = path.join(out, path.basename(req.url ?? ''));
    if (fs.existsSync(file)) {
      res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' });
      res.end(fs.readFileSync(file));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  // Playwright gives every launch a new temporary profile (its own --user-data-dir).
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', ...chromiumArgs],
  });
  fs.mkdirSync(shots, { recursive: true });
  const theme = { ...DARK_THEME, ...themeVars };

  /**
   * A page with the VS Code API stubbed: posted messages and saved state are kept on `window`,
   * CSP violations in `window.__violations`; errors, console errors and dialogs in `problems`.
   */
  async function openPage(savedState) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.addInitScript((state) => {
      window.__posted = [];
      window.__state = state ?? undefined;
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
      window.acquireVsCodeApi = () => ({
        postMessage: (m) => window.__posted.push(m),
        getState: () => window.__state,
        setState: (s) => {
          window.__state = s;
        },
      });
    }, savedState);
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    // The theme's variables, set through the CSSOM as VS Code does (inline styles are refused).
    await page.evaluate((vars) => {
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
    }, theme);
    return { page, context, problems };
  }

  async function close() {
    await browser.close();
    server.close();
  }

  return { openPage, close };
}

/** Posts `messages` to the page as the extension would, then waits two frames for it to draw. */
export const send = (page, messages) =>
  page.evaluate(async (list) => {
    for (const m of list) window.postMessage(m, '*');
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  }, messages);
