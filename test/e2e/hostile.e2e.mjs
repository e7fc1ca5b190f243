#!/usr/bin/env node
// Hostile workspace and shutdown checks in a real VS Code (code-server + Chromium), issue 12:
//   - `.spanlight/annotations` is a symbolic link to a folder outside the workspace: labelling a
//     word is refused with a notification (and a line in the Output channel), nothing lands outside;
//   - `.spanlight/models/entities` (where Update Model from Annotations keeps the task's model
//     versions) is a link to a folder outside: the update is refused with a notification before
//     anything is copied there;
//   - a document named `..notes.txt` (a name, not a step up) gets its annotations saved;
//   - an annotation made just before the window reloads is on disk after the reload, even with a
//     save delay of ten minutes: deactivate() waits for the pending save.
// Run through scripts/e2e.mjs or `npm run test:hostile`. Screenshots: test-results/e2e/hostile-*.png.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Checks,
  cleanupAll,
  copyWorkspace,
  launchBrowser,
  poll,
  repoRoot,
  seconds,
  startCodeServer,
  Workbench,
} from './harness.mjs';

const screenshotDir = path.join(repoRoot, 'test-results', 'e2e');
const DOTTED = '..notes.txt';

/** The annotations stored for `document`, or [] while the file does not exist. */
function stored(workspace, document) {
  const file = path.join(workspace, '.spanlight', 'annotations', `${document}.jsonl`);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
    .filter((r) => typeof r.start === 'number');
}

/** Selects `text` in the active editor and labels it with the first label the QuickPick offers. */
async function labelSelection(workbench, text) {
  await workbench.selectText(text);
  await workbench.runCommand('Spanlight: Label Selection');
  const rows = workbench.quickInput.locator('.monaco-list-row');
  await rows.first().waitFor({ timeout: seconds(30) });
  const label = ((await rows.first().textContent()) ?? '').trim();
  await rows.first().click();
  await workbench.quickInput.waitFor({ state: 'hidden', timeout: seconds(10) });
  return label;
}

async function reload(workbench) {
  await workbench.closeQuickInput();
  const navigated = workbench.page.waitForEvent('framenavigated', { timeout: seconds(60) });
  await workbench.runCommand('Developer: Reload Window', { timeout: seconds(30) });
  await navigated;
  await workbench.waitReady();
}

async function main() {
  const checks = new Checks();
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-e2e-outside-'));
  const outsideModels = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-e2e-outside-models-'));
  const workspace = copyWorkspace(path.join(repoRoot, 'test', 'fixtures', 'sample-workspace'), {
    [DOTTED]: 'Alice Walker wrote to Bob Marley from Lisbon.\n',
  });
  const annotationsDir = path.join(workspace, '.spanlight', 'annotations');
  fs.rmSync(annotationsDir, { recursive: true, force: true });
  fs.symlinkSync(outside, annotationsDir);
  fs.symlinkSync(outsideModels, path.join(workspace, '.spanlight', 'models', 'entities'));
  const server = await startCodeServer({ workspace });
  const context = await launchBrowser();
  const page = context.pages()[0] ?? (await context.newPage());
  const workbench = new Workbench(page, { screenshotDir });
  try {
    await workbench.open(server.url);

    await checks.run(
      'a linked .spanlight/annotations is refused with a notification',
      workbench,
      async () => {
        await workbench.openFile('notes.txt');
        await labelSelection(workbench, 'Sarah Johnson');
        const toast = page.locator('.notifications-toasts .notification-list-item', {
          hasText: 'refused to write',
        });
        await toast.first().waitFor({ timeout: seconds(30) });
        const text = ((await toast.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
        await workbench.screenshot('hostile-escape-refused');
        const leaked = fs.readdirSync(outside, { recursive: true });
        if (leaked.length > 0) throw new Error(`written outside the workspace: ${leaked.join(', ')}`);
        if (!text.includes('notes.txt'))
          throw new Error(`the notification does not name the document: ${text}`);
        await page.keyboard.press('Escape');
        return text.slice(0, 200);
      },
    );

    await checks.run(
      'a model update whose versions folder links out of .spanlight is refused',
      workbench,
      async () => {
        await workbench.openFile('notes.txt');
        await workbench.runCommand('Spanlight: Update Model from Annotations');
        const toast = page.locator('.notifications-toasts .notification-list-item', {
          hasText: 'could not be updated',
        });
        await toast.first().waitFor({ timeout: seconds(30) });
        const text = ((await toast.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
        // The toast slides in: let its animations end so that the screenshot shows it.
        await toast.first().evaluate((el) =>
          Promise.all(
            el
              .closest('.notifications-toasts')
              .getAnimations({ subtree: true })
              .map((a) => a.finished),
          ),
        );
        await workbench.screenshot('hostile-model-update-refused');
        if (!text.includes('refused to write')) throw new Error(`not refused: ${text}`);
        const leaked = fs.readdirSync(outsideModels, { recursive: true });
        if (leaked.length > 0) throw new Error(`written outside the workspace: ${leaked.join(', ')}`);
        await page.keyboard.press('Escape');
        return text.slice(0, 200);
      },
    );

    await checks.run(`annotations of ${DOTTED} are saved`, workbench, async () => {
      // The link is gone: from now on the annotations folder is a real one inside the workspace.
      fs.rmSync(annotationsDir);
      fs.mkdirSync(annotationsDir);
      await workbench.openFile(DOTTED);
      const label = await labelSelection(workbench, 'Alice Walker');
      const saved = await poll(`.spanlight/annotations/${DOTTED}.jsonl`, () => {
        const spans = stored(workspace, DOTTED);
        return spans.some((s) => s.text === 'Alice Walker') ? spans : null;
      });
      return `"Alice Walker" labelled ${label}: ${JSON.stringify(saved)}`;
    });

    await checks.run('an annotation made just before a reload is on disk after it', workbench, async () => {
      // Ten minutes of save delay: only deactivate() can write this annotation before the reload.
      fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
      fs.writeFileSync(
        path.join(workspace, '.vscode', 'settings.json'),
        `${JSON.stringify({ 'spanlight.annotations.saveDelayMs': 600_000 }, null, 2)}\n`,
      );
      await reload(workbench);
      await workbench.openFile('news.md');
      await labelSelection(workbench, 'Tim Cook');
      if (stored(workspace, 'news.md').length > 0)
        throw new Error('saved before the reload: the save delay did not apply, so this proves nothing');
      await reload(workbench);
      // Nothing else writes the file after the reload: it is there at once, or it was lost.
      const after = await poll(
        'the annotation made before the reload in the file',
        () => {
          const spans = stored(workspace, 'news.md');
          return spans.some((s) => s.text === 'Tim Cook') ? spans : null;
        },
        { timeout: seconds(15) },
      ).catch(() => {
        throw new Error(`lost by the reload: the file holds ${JSON.stringify(stored(workspace, 'news.md'))}`);
      });
      await workbench.screenshot('hostile-after-reload');
      return `after the reload: ${after.map((s) => `${s.text} ${s.label}`).join(', ')}`;
    });
  } finally {
    fs.rmSync(outside, { recursive: true, force: true });
    fs.rmSync(outsideModels, { recursive: true, force: true });
    await cleanupAll();
  }
  checks.finish('Hostile workspace checks');
}

main().catch(async (err) => {
  console.error(err);
  await cleanupAll();
  process.exit(1);
});
