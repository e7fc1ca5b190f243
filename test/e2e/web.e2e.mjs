#!/usr/bin/env node
// VS Code for the Web: the extension's `browser` entry in code-server's web worker extension host
// (the user setting `remote.extensionKind` runs it there as a "ui" extension; the Node host then
// does not run it at all). Checks that it runs in the browser (the backend info says so, and no
// tagging process is started), that entities are highlighted on the portable backend, and that
// labelling a selection writes its annotation file through `workspace.fs` (to the server's disk).
// Screenshots in test-results/e2e/.
import fs from 'node:fs';
import path from 'node:path';
import {
  Checks,
  cleanupAll,
  copyWorkspace,
  extensionId,
  launchBrowser,
  poll,
  processesMatching,
  repoRoot,
  seconds,
  startCodeServer,
  Workbench,
} from './harness.mjs';

const screenshotDir = path.join(repoRoot, 'test-results', 'e2e');

async function main() {
  const checks = new Checks();
  const workspace = copyWorkspace(path.join(repoRoot, 'test', 'fixtures', 'sample-workspace'));
  const server = await startCodeServer({ workspace });
  // Before the browser connects: run Spanlight in the web worker, as VS Code for the Web does.
  const settingsFile = path.join(server.state, 'user-data', 'User', 'settings.json');
  const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  settings['remote.extensionKind'] = { [extensionId]: ['ui'] };
  fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));

  const context = await launchBrowser();
  const page = context.pages()[0] ?? (await context.newPage());
  const workbench = new Workbench(page, { screenshotDir });
  const authority = new URL(server.url).host;
  const payload = [['openFile', `vscode-remote://${authority}${path.join(workspace, 'news.md')}`]];

  const highlighted = await checks.run(
    'in the web worker, entities are highlighted (portable backend)',
    workbench,
    async () => {
      await page.goto(`${server.url}&payload=${encodeURIComponent(JSON.stringify(payload))}`, {
        timeout: seconds(90),
      });
      await workbench.waitReady();
      await poll(
        'a highlight on "Angela Merkel"',
        async () => (await workbench.decorationsOn('Angela Merkel')).length > 0,
        {
          timeout: seconds(120),
          interval: 200,
        },
      );
      await workbench.screenshot('web-highlights');
      return `${(await workbench.decorations()).length} decorations in view`;
    },
  );

  await checks.run(
    'it runs in the browser: the backend info says so, and no tagging process starts',
    workbench,
    async () => {
      await workbench.runCommand('Spanlight: Show TensorFlow Backend Info');
      const toast = page
        .locator('.notifications-toasts .notification-list-item-message', { hasText: 'VS Code for the Web' })
        .first();
      await toast.waitFor({ timeout: seconds(30) });
      const text = (await toast.textContent()) ?? '';
      const processes = processesMatching(/tagging-process/).filter((p) => p.cmdline.includes(repoRoot));
      if (processes.length > 0) throw new Error(`a tagging process runs: ${processes[0].cmdline}`);
      return text;
    },
  );

  if (highlighted) {
    await checks.run(
      '"Label Selection…" writes the annotation file through workspace.fs',
      workbench,
      async () => {
        const file = path.join(workspace, '.spanlight', 'annotations', 'news.md.jsonl');
        await workbench.selectText('budget');
        await workbench.runCommand('Spanlight: Label Selection');
        const rows = workbench.quickInput.locator('.monaco-list-row');
        await rows.first().waitFor({ timeout: seconds(30) });
        // The label's name, not its description (the row's text runs them together: "ORGOrganization").
        await rows
          .filter({ has: workbench.page.locator('.label-name', { hasText: /\bORG\b/ }) })
          .first()
          .click();
        await workbench.quickInput.waitFor({ state: 'hidden', timeout: seconds(10) });
        const lines = await poll(
          `${path.relative(workspace, file)} to be written`,
          () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').split('\n').filter(Boolean),
          { timeout: seconds(30) },
        );
        const records = lines.map((line) => JSON.parse(line));
        const annotation = records.find((r) => r.text === 'budget');
        if (!annotation || annotation.label !== 'ORG')
          throw new Error(`unexpected file: ${lines.join(' | ')}`);
        const leftovers = fs.readdirSync(path.dirname(file)).filter((name) => name.includes('.tmp-'));
        if (leftovers.length > 0) throw new Error(`temporary files left: ${leftovers.join(', ')}`);
        await workbench.screenshot('web-annotation');
        return `${records.length - 1} annotation(s): ${JSON.stringify(annotation)}`;
      },
    );
  }
  await cleanupAll();
  checks.finish('VS Code for the Web (code-server web worker)');
}

main().catch(async (err) => {
  console.error(`[web] ${err.stack ?? err}`);
  await cleanupAll();
  process.exit(1);
});
