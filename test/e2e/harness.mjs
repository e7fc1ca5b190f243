// The pieces every end-to-end check needs: a code-server (a real VS Code, from
// ../shared/vscode-offline) serving the built extension on a copy of a workspace, Debian's
// Chromium driven by playwright-core, and a small workbench driver that waits on DOM conditions
// with deadlines (never fixed sleeps) and retries palette commands until the extension host is up.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { freePort, offlineRecipe, serveInBackground } from '../../scripts/code-server.mjs';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The extension's package.json, and the id VS Code knows it by. */
export const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
export const extensionId = `${manifest.publisher}.${manifest.name}`;
/** The machine is slow (2 shared cores): every wait is generous but bounded. */
export const slowFactor = Number(process.env.SPANLIGHT_E2E_SLOW || 1);
export const seconds = (s) => s * 1000 * slowFactor;

const t0 = Date.now();
export const log = (...a) => console.log(`[e2e +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

/** Cleanup callbacks run once, on normal exit, failure or a signal. */
const cleanups = [];
let cleanedUp = false;
export async function cleanupAll() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (err) {
      console.error('[e2e] cleanup failed:', err);
    }
  }
}
function killGroupSync(pid) {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {}
  }
}
const serverPids = new Set();
// A synchronous last resort: `exit` handlers cannot await, so server groups are killed here too.
process.on('exit', () => {
  for (const pid of serverPids) killGroupSync(pid);
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`[e2e] ${signal}: stopping servers and browsers`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

/** Polls `probe` until it returns a truthy value; throws `what` with the last error at the deadline. */
export async function poll(what, probe, { timeout = seconds(30), interval = 250 } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = lastError ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new Error(`timed out after ${Math.round(timeout / 1000)} s waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Copies a fixture folder into a fresh temp dir (the tests write annotations into it). */
export function copyWorkspace(fixture, extraFiles = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-e2e-ws-'));
  fs.cpSync(fixture, dir, { recursive: true });
  for (const [name, text] of Object.entries(extraFiles)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  cleanups.push(() => {
    if (process.env.SPANLIGHT_E2E_KEEP) log('workspace kept in', dir);
    else fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/**
 * Starts code-server in its own process group (serve.sh --background uses setsid) with the
 * extension at `extensionDir` linked into a fresh extensions dir, or with `vsix` installed into
 * it (`env`/`cwd` then set the server's environment). Retries on a port race. The server records
 * `installMs` (serve.sh's whole run minus the server's start) and `startMs`.
 */
export async function startCodeServer({ workspace, extensionDir = repoRoot, vsix, env, cwd }) {
  const serve = path.join(offlineRecipe, 'serve.sh');
  if (!fs.existsSync(serve)) throw new Error(`vscode-offline recipe not found: ${serve}`);
  let lastOutput = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const state = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-e2e-server-'));
    const started = Date.now();
    const res = serveInBackground({
      port,
      state,
      extensionDir,
      vsix,
      workspace,
      env,
      cwd,
      timeout: seconds(120),
    });
    const totalMs = Date.now() - started;
    lastOutput = `${res.stdout ?? ''}${res.stderr ?? ''}`;
    const pidMatch = /^PID=(\d+)$/m.exec(res.stdout ?? '');
    if (pidMatch) serverPids.add(Number(pidMatch[1]));
    const urlMatch = /^URL=(.*)$/m.exec(res.stdout ?? '');
    if (res.status === 0 && pidMatch && urlMatch) {
      const pid = Number(pidMatch[1]);
      const startMs = Number(/code-server ready in (\d+) ms/.exec(res.stdout ?? '')?.[1] ?? totalMs);
      log(`code-server on port ${port} ready in ${totalMs} ms (pid ${pid})`);
      const server = {
        url: urlMatch[1],
        port,
        pid,
        state,
        startMs,
        installMs: vsix ? totalMs - startMs : 0,
        log: path.join(state, 'code-server.log'),
        stop() {
          killGroupSync(pid);
          serverPids.delete(pid);
          if (process.env.SPANLIGHT_E2E_KEEP) log('server state kept in', state);
          else fs.rmSync(state, { recursive: true, force: true });
        },
      };
      cleanups.push(() => server.stop());
      return server;
    }
    if (pidMatch) killGroupSync(Number(pidMatch[1]));
    fs.rmSync(state, { recursive: true, force: true });
    if (!/already in use/.test(lastOutput)) break;
  }
  throw new Error(`code-server did not start:\n${lastOutput}`);
}

/** Debian's Chromium, headless, with a new empty profile and no network side traffic. */
export async function launchBrowser() {
  if (!fs.existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: !process.env.SPANLIGHT_E2E_HEADED,
    viewport: { width: 1400, height: 900 },
    args: [...chromiumArgs, '--disable-dev-shm-usage'],
  });
  cleanups.push(async () => {
    await context.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  });
  return context;
}

/**
 * A scenario's start: a copy of `fixture` (plus `files`), code-server on it, Chromium, and the
 * workbench loaded. Everything is cleaned up by `cleanupAll`.
 */
export async function openWorkbench({ fixture, files = {}, screenshotDir }) {
  const workspace = copyWorkspace(fixture, files);
  const server = await startCodeServer({ workspace });
  const context = await launchBrowser();
  const page = context.pages()[0] ?? (await context.newPage());
  const workbench = new Workbench(page, { screenshotDir });
  await workbench.open(server.url);
  return { workspace, server, page, workbench };
}

/** Drives one VS Code workbench page. */
export class Workbench {
  constructor(page, { screenshotDir }) {
    this.page = page;
    this.screenshotDir = screenshotDir;
    this.console = [];
    this.dialogs = [];
    page.setDefaultTimeout(seconds(30));
    page.on('console', (m) => this.console.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => this.console.push(`[pageerror] ${e.message}`));
    // An alert() from injected markup would show up here: record it and dismiss it.
    page.on('dialog', (d) => {
      this.dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss().catch(() => {});
    });
  }

  get quickInput() {
    return this.page.locator('.quick-input-widget');
  }

  /** The editor of the active tab. */
  get activeEditor() {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
  }

  async waitReady() {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: seconds(90) });
    await this.page
      .locator('.explorer-folders-view .monaco-list-row')
      .first()
      .waitFor({ timeout: seconds(90) });
  }

  async open(url) {
    await this.page.goto(url, { timeout: seconds(90) });
    await this.waitReady();
  }

  async closeQuickInput() {
    if (await this.quickInput.isVisible()) await this.page.keyboard.press('Escape');
    await this.quickInput.waitFor({ state: 'hidden', timeout: seconds(5) }).catch(() => {});
  }

  /**
   * Accepts code-server's save dialog once it offers a path ending in `suffix`, then waits for
   * `written()` to return a value. Under load the dialog can drop an Enter pressed while it is
   * still validating the path (a CI run waited 60 s on a dialog that stayed open): while it still
   * offers the file, Enter is pressed again, as a user would; once accepted it is gone.
   */
  async acceptSaveDialog(suffix, written, { timeout = seconds(60) } = {}) {
    const input = this.quickInput.locator('input');
    const offersFile = async () =>
      (await input.isVisible().catch(() => false)) &&
      (await input.inputValue().catch(() => '')).endsWith(suffix);
    await poll(`the save dialog to offer …${suffix}`, offersFile, { timeout: seconds(20) });
    await input.press('Enter');
    return poll(
      `the file saved through the dialog (…${suffix})`,
      async () => {
        const value = await written();
        if (value) return value;
        if (await offersFile()) await input.press('Enter').catch(() => undefined);
        return null;
      },
      { timeout, interval: 1000 },
    );
  }

  /** Opens a quick input with `keys`, types `text`, waits for a row with `rowText`, accepts it. */
  async quickPick(keys, text, rowText, { timeout = seconds(10) } = {}) {
    await this.closeQuickInput();
    await this.page.keyboard.press(keys);
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible', timeout });
    await input.fill(text);
    const row = this.quickInput.locator('.monaco-list-row', { hasText: rowText }).first();
    await row.waitFor({ timeout });
    await this.page.keyboard.press('Enter');
  }

  /**
   * Runs a Command Palette command by its title. Extension commands appear only once the remote
   * extension host has started, so this retries until the deadline.
   */
  async runCommand(title, { timeout = seconds(90) } = {}) {
    await poll(
      `command "${title}" in the Command Palette`,
      async () => {
        try {
          await this.quickPick('F1', `>${title}`, title, { timeout: seconds(5) });
          return true;
        } catch (err) {
          await this.closeQuickInput();
          throw err;
        }
      },
      { timeout, interval: 1000 },
    );
  }

  /** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor. */
  async openFile(relativePath) {
    const base = path.basename(relativePath);
    await poll(
      `Quick Open of ${relativePath}`,
      async () => {
        try {
          await this.quickPick('Control+P', relativePath, base, { timeout: seconds(10) });
          return true;
        } catch (err) {
          await this.closeQuickInput();
          throw err;
        }
      },
      { timeout: seconds(60), interval: 1000 },
    );
    await this.page
      .locator(`.editor-group-container.active .tab.active[data-resource-name="${base}"]`)
      .waitFor();
    await this.activeEditor.locator('.view-lines .view-line').first().waitFor();
  }

  /** The visible text of the active editor, one string per rendered line (nbsp → space), labels left out. */
  async editorLines() {
    return this.activeEditor.locator('.view-lines .view-line').evaluateAll((lines) =>
      lines
        .map((l) => {
          // The document's text only: label names the editor injects (inlay hints) are left out.
          const own = [...l.querySelectorAll('span')].filter(
            (span) =>
              span.children.length === 0 && ![...span.classList].some((c) => c.startsWith('dyn-rule-')),
          );
          const text = own.map((span) => span.textContent).join('');
          return { top: l.getBoundingClientRect().top, text: text.replace(/\u00a0/g, ' ') };
        })
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text),
    );
  }

  /**
   * Every extension decoration element (class `ced-<n>-TextEditorDecorationType<k>-<rule>`) in the
   * active editor, with its box, its text and the label text its ::before/::after CSS shows.
   */
  async decorations() {
    return this.activeEditor.evaluate((editor) =>
      [...editor.querySelectorAll('[class*="TextEditorDecorationType"]')].map((el) => {
        const r = el.getBoundingClientRect();
        const pseudo = (which) => {
          const c = getComputedStyle(el, which).content;
          return c && c !== 'none' && c !== 'normal' ? c.replace(/^"|"$/g, '') : '';
        };
        const types = (el.className.match(/TextEditorDecorationType\d+-\d+/g) || []).join(' ');
        return {
          types,
          className: el.className,
          inText: Boolean(el.closest('.view-lines')),
          text: el.textContent.replace(/\u00a0/g, ' '),
          border: getComputedStyle(el).borderTopStyle,
          textDecoration: getComputedStyle(el).textDecorationLine,
          before: pseudo('::before'),
          after: pseudo('::after'),
          box: { left: r.left, right: r.right, top: r.top, bottom: r.bottom },
        };
      }),
    );
  }

  /**
   * The first occurrence of `text` in the active editor's rendered lines (the document's text:
   * label names the editor injects, inlay hints, are skipped): its screen box, and the label names
   * shown right after it ("PROPN PER", '' when none), or null when it is not rendered.
   */
  async findText(text) {
    return this.activeEditor.evaluate((editor, needle) => {
      const injected = (node) =>
        [...(node.parentElement?.classList ?? [])].some((c) => c.startsWith('dyn-rule-'));
      for (const line of editor.querySelectorAll('.view-lines .view-line')) {
        const all = [];
        const nodes = [];
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        let joined = '';
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          all.push(n);
          if (injected(n)) continue;
          nodes.push({ node: n, start: joined.length });
          joined += n.data.replace(/\u00a0/g, ' ');
        }
        const at = joined.indexOf(needle);
        if (at < 0) continue;
        // The start lies in the node holding the first character, the end in the node holding the
        // last one (not at offset 0 of the next node, which may come after an injected label).
        const locate = (offset, isEnd) => {
          const hit = nodes.findLast((x) => (isEnd ? x.start < offset : x.start <= offset));
          return [hit.node, offset - hit.start];
        };
        const range = document.createRange();
        const [endNode, endOffset] = locate(at + needle.length, true);
        range.setStart(...locate(at, false));
        range.setEnd(endNode, endOffset);
        const r = range.getBoundingClientRect();
        // Labels follow the needle only when it ends where its text node ends.
        const labels = [];
        if (endOffset === endNode.data.length) {
          for (const node of all.slice(all.indexOf(endNode) + 1)) {
            if (!injected(node)) break;
            if (node.data.trim()) labels.push(node.data.trim());
          }
        }
        return {
          box: { left: r.left, right: r.right, top: r.top, bottom: r.bottom },
          labelsAfter: labels.join(' '),
        };
      }
      return null;
    }, text);
  }

  /** The screen box of the first occurrence of `text` in the active editor (see `findText`). */
  async textBox(text) {
    return (await this.findText(text))?.box ?? null;
  }

  /** The label names (inlay hints) the editor shows right after `text`; '' when none. */
  async labelsAfter(text) {
    return (await this.findText(text))?.labelsAfter ?? '';
  }

  /** Decorations whose box overlaps the rendered `text` (inline spans and background overlays). */
  async decorationsOn(text) {
    const box = await this.textBox(text);
    if (!box) return [];
    const all = await this.decorations();
    const midY = (box.top + box.bottom) / 2;
    return all.filter(
      (d) =>
        d.box.top <= midY &&
        d.box.bottom >= midY &&
        d.box.right > box.left + 1 &&
        d.box.left < box.right - 1 &&
        d.box.right > d.box.left,
    );
  }

  /**
   * Selects `text` in the active editor: click before it, shift-click after it, and check that the
   * status bar reports a selection of its length (retried: a click can land while the editor is
   * still re-rendering decorations).
   */
  async selectText(text) {
    const status = this.page.locator('[id="status.editor.selection"]');
    return poll(
      `a selection of "${text}"`,
      async () => {
        const box = await this.textBox(text);
        if (!box) return null;
        const y = (box.top + box.bottom) / 2;
        await this.page.mouse.click(box.left + 1, y);
        // (mouse.click takes no modifiers: hold Shift on the keyboard)
        await this.page.keyboard.down('Shift');
        try {
          await this.page.mouse.click(box.right - 1, y);
        } finally {
          await this.page.keyboard.up('Shift');
        }
        const shown = (await status.textContent({ timeout: seconds(5) })) ?? '';
        if (!shown.includes(`(${text.length} selected)`)) throw new Error(`status bar shows "${shown}"`);
        return box;
      },
      { timeout: seconds(30), interval: 500 },
    );
  }

  /** Hovers the rendered `text` and returns the hover widget's text once it shows. */
  async hoverText(text, { timeout = seconds(20) } = {}) {
    const box = await poll(`"${text}" rendered in the editor`, () => this.textBox(text));
    const hover = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content').first();
    return poll(
      `a hover over "${text}"`,
      async () => {
        await this.page.mouse.move(box.left + 2, (box.top + box.bottom) / 2);
        await this.page.mouse.move((box.left + box.right) / 2, (box.top + box.bottom) / 2, { steps: 3 });
        await hover.waitFor({ state: 'visible', timeout: seconds(3) });
        return (await hover.textContent()) || '';
      },
      { timeout, interval: 500 },
    );
  }

  /** What the workbench shows besides the editor (toasts, an open quick input): context for a failure. */
  async visibleState() {
    const toasts = await this.page
      .locator('.notifications-toasts .notification-list-item')
      .allTextContents()
      .catch(() => []);
    let quickInput = 'no quick input';
    if (await this.quickInput.isVisible().catch(() => false)) {
      const title = await this.quickInput
        .locator('.quick-input-title')
        .textContent()
        .catch(() => '');
      const value = await this.quickInput
        .locator('input')
        .first()
        .inputValue()
        .catch(() => '');
      quickInput = `quick input "${title ?? ''}" holding "${value}"`;
    }
    const shown = toasts.map((t) => t.replace(/\s+/g, ' ').trim().slice(0, 200));
    return `${quickInput}; notifications: ${shown.length ? shown.join(' | ') : 'none'}`;
  }

  async screenshot(name) {
    fs.mkdirSync(this.screenshotDir, { recursive: true });
    const file = path.join(this.screenshotDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    log('screenshot', path.relative(repoRoot, file));
    return file;
  }
}

// ---- helpers added for the training scenario (usable by any scenario) -------------------------

/**
 * Named checks of one scenario: each is timed and recorded, a failure screenshots the workbench
 * and the later checks still run; `finish` prints the table and exits 1 unless every check passed.
 */
export class Checks {
  constructor() {
    this.results = [];
    this.started = Date.now();
    this.failureShots = 0;
  }

  async run(name, workbench, fn) {
    const started = Date.now();
    try {
      const detail = await fn();
      this.results.push({ name, status: 'PASS', detail: detail ?? '', ms: Date.now() - started });
      log(`PASS ${name}${detail ? `: ${detail}` : ''}`);
      return true;
    } catch (err) {
      this.results.push({ name, status: 'FAIL', detail: err.stack ?? err.message, ms: Date.now() - started });
      const state = workbench ? await workbench.visibleState().catch(() => '') : '';
      if (state) this.results.at(-1).detail += `\n        workbench: ${state}`;
      log(`FAIL ${name}: ${err.message}${state ? ` (workbench: ${state})` : ''}`);
      const slug = name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 60);
      if (workbench) await workbench.screenshot(`failure-${++this.failureShots}-${slug}`).catch(() => {});
      return false;
    }
  }

  /** Prints the results and exits: 0 when every check passed, 1 otherwise (or when none ran). */
  finish(title) {
    console.log(`\n${title} (${((Date.now() - this.started) / 1000).toFixed(1)} s):`);
    for (const r of this.results) {
      console.log(`  ${r.status.padEnd(5)} ${r.name} (${(r.ms / 1000).toFixed(1)} s)\n        ${r.detail}`);
    }
    const failed = this.results.filter((r) => r.status !== 'PASS');
    if (failed.length || this.results.length === 0) {
      console.log(`\n${failed.length} of ${this.results.length} checks did not pass.`);
      process.exit(1);
    }
    console.log(`\nAll ${this.results.length} checks passed.`);
    process.exit(0);
  }
}

/** Waits for the quick input (QuickPick or InputBox) an extension opened with this title. */
export async function waitQuickInputTitled(workbench, title, { timeout = seconds(30) } = {}) {
  const widget = workbench.quickInput;
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout });
  return widget;
}

/**
 * Answers the open QuickPick titled `title` with the row whose text matches `row` (a RegExp or a
 * substring). With `many`, the row is checked and the pick accepted with OK (or Enter).
 * Returns the texts of every row offered.
 */
export async function answerQuickPick(workbench, title, row, { many = false, timeout = seconds(30) } = {}) {
  const widget = await waitQuickInputTitled(workbench, title, { timeout });
  const rows = widget.locator('.monaco-list-row');
  await rows.first().waitFor({ timeout });
  const offered = (await rows.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  const target = rows.filter({ hasText: row }).first();
  if ((await target.count()) === 0) {
    throw new Error(`"${title}" offers no row matching ${row}: ${offered.join(' | ')}`);
  }
  if (!many) {
    await target.click();
  } else {
    const checkbox = target.locator('.quick-input-list-checkbox').first();
    await ((await checkbox.count()) ? checkbox : target).click();
    await poll(`the row ${row} of "${title}" to be checked`, async () => {
      if ((await target.getAttribute('aria-checked')) === 'true') return true;
      return (await checkbox.count()) ? checkbox.isChecked().catch(() => false) : false;
    });
    const ok = widget.locator('.quick-input-action .monaco-button', { hasText: 'OK' }).first();
    if (await ok.isVisible()) await ok.click();
    else await workbench.page.keyboard.press('Enter');
  }
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'hidden', timeout });
  return offered;
}

/** Types `text` into the open InputBox titled `title` and accepts it. */
export async function answerInputBox(workbench, title, text, { timeout = seconds(30) } = {}) {
  const widget = await waitQuickInputTitled(workbench, title, { timeout });
  await widget.locator('input').fill(text);
  await workbench.page.keyboard.press('Enter');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'hidden', timeout });
}

/**
 * The content frame of the webview whose page has `selector` (VS Code nests it:
 * `iframe.webview` → `#active-frame`), waiting until one has it.
 */
export async function webviewWith(page, selector, { timeout = seconds(60) } = {}) {
  return poll(
    `a webview with ${selector}`,
    async () => {
      const count = await page.locator('iframe.webview').count();
      for (let i = 0; i < count; i++) {
        const frame = page
          .locator('iframe.webview')
          .nth(i)
          .contentFrame()
          .locator('#active-frame')
          .contentFrame();
        if ((await frame.locator(selector).count()) > 0) return frame;
      }
      return null;
    },
    { timeout, interval: 500 },
  );
}

/** The tooltip of a status bar item (`id` ends with `idSuffix`), read from the hover it shows. */
export async function statusBarTooltip(workbench, idSuffix, { timeout = seconds(20) } = {}) {
  const item = workbench.page.locator(`.statusbar-item[id$="${idSuffix}"]`).first();
  await item.waitFor({ state: 'visible', timeout });
  const hover = workbench.page.locator('.workbench-hover, .monaco-hover:not(.hidden)').first();
  return poll(
    `the tooltip of the status bar item ${idSuffix}`,
    async () => {
      await workbench.page.mouse.move(5, 5);
      await item.hover();
      await hover.waitFor({ state: 'visible', timeout: seconds(3) });
      return ((await hover.textContent()) ?? '').replace(/\s+/g, ' ').trim() || null;
    },
    { timeout, interval: 500 },
  );
}

/**
 * Processes whose command line matches `pattern` (Linux /proc), with their resident memory split
 * into anonymous and file-backed pages (MiB) and whether libtensorflow is mapped into them.
 */
export function processesMatching(pattern) {
  const found = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!pattern.test(cmdline)) continue;
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
      found.push({
        pid: Number(pid),
        cmdline,
        rssMiB: kib('VmRSS') / 1024,
        anonMiB: kib('RssAnon') / 1024,
        fileMiB: kib('RssFile') / 1024,
        tensorflow: fs.readFileSync(`/proc/${pid}/maps`, 'utf8').includes('libtensorflow'),
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
