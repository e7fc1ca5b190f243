#!/usr/bin/env node
// End-to-end check of the model-in-the-loop in a real VS Code (code-server + Chromium), with the
// keyboard only. A document of company news where the shipped en-ner calls the companies LOC
// ("… opened a new factory near the river") or PER ("… signed a supply deal with the city"):
//   1. 25 sentences are reviewed through the Review queue: each opens with its one suggestion
//      selected, `2` relabels it ORG, Enter accepts the sentence and opens the next (a company
//      the model left untagged is selected with Home first);
//   2. with spanlight.loop.retrainEvery at its default (25), a model update starts by itself and
//      the status bar shows it;
//   3. the updated version is kept and swapped in: an unreviewed company's label changes from
//      LOC to ORG (the inlay hint after it);
//   4. Choose Model Version… back to v1 (en-ner as it was): the label is LOC again.
// Results: test-results/e2e/loop-report.json; screenshots test-results/e2e/loop-*.png.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as harness from './harness.mjs';

const screenshotDir = path.join(harness.repoRoot, 'test-results', 'e2e');
const checks = new harness.Checks();

const COMPANIES = [
  'Zelbrix',
  'Kolmera',
  'Ultrine',
  'Yomlix',
  'Fermora',
  'Rolvane',
  'Endura',
  'Zantel',
  'Quorvane',
  'Belmixa',
  'Tarnovo',
  'Vantoria',
  'Dravik',
  'Sunteco',
  'Morvelo',
  'Plenar',
  'Haskova',
  'Cervada',
  'Grendal',
  'Nuvaro',
  'Pexmora',
  'Lindrel',
  'Ostiva',
  'Wexano',
  'Brisco',
  'Tavrel',
  'Quillon',
  'Marvesta',
  'Solvik',
  'Kivora',
  'Corvix',
  'Delmara',
  'Harvik',
  'Jostel',
  'Melvane',
  'Torvane',
];
/** en-ner tags the company LOC after the first, PER after the second. */
const TEMPLATES = ['opened a new factory near the river.', 'signed a supply deal with the city.'];
const LINES = COMPANIES.map((c, i) => `${c} ${TEMPLATES[i % 2]}`);
const text = `${LINES.join('\n')}\n`;
const REVIEWS = 25;
/** The entities task's labels in schema order: the digit keys. */
const ORG_KEY = '2';

/** The active editor's selection from the status bar ("Ln 3, Col 1 (7 selected)"). */
async function selectionNow(page) {
  const shown = ((await page.locator('[id="status.editor.selection"]').textContent()) ?? '').trim();
  const m = /Ln (\d+), Col (\d+)(?: \((\d+) selected\))?/.exec(shown);
  if (!m) throw new Error(`cannot read the selection from "${shown}"`);
  return { line: Number(m[1]) - 1, column: Number(m[2]) - 1, selected: Number(m[3] ?? 0), shown };
}

async function main() {
  fs.mkdirSync(screenshotDir, { recursive: true });
  for (const f of fs.readdirSync(screenshotDir))
    if (f.startsWith('loop-')) fs.rmSync(path.join(screenshotDir, f));
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-loop-fixture-'));
  const workspace = harness.copyWorkspace(empty, { 'news/companies.md': text });
  const server = await harness.startCodeServer({ workspace });
  const context = await harness.launchBrowser();
  const page = context.pages()[0] ?? (await context.newPage());
  const workbench = new harness.Workbench(page, { screenshotDir });
  const keys = page.keyboard;
  const report = { reviewed: [], labelsBefore: {}, labelsAfter: {}, labelsBack: {} };

  /** The label name (inlay hint) shown after a company. */
  const labelOf = async (company) => (await workbench.labelsAfter(company)).trim();

  const ready = await checks.run('workbench loads', workbench, async () => {
    await workbench.open(server.url);
    await workbench.openFile('news/companies.md');
    await harness.poll('the document rendered', async () =>
      (await workbench.editorLines()).some((l) => l.includes('Zelbrix')),
    );
    // en-ner as shipped: the factory companies are LOC (what the annotator will correct).
    await harness.poll("en-ner's labels shown", async () => (await labelOf('Zelbrix')).includes('LOC'), {
      timeout: harness.seconds(90),
    });
    for (const c of COMPANIES.filter((_, i) => i % 2 === 0)) report.labelsBefore[c] = await labelOf(c);
    await workbench.screenshot('loop-before');
    return `companies.md open; Zelbrix ${report.labelsBefore.Zelbrix}`;
  });
  if (!ready) return;

  const reviewed = await checks.run(
    `${REVIEWS} sentences reviewed with the keyboard (2 relabels ORG, Enter accepts)`,
    workbench,
    async () => {
      await workbench.runCommand('Spanlight: Start Review');
      const seen = new Set();
      for (let n = 0; n < REVIEWS; n++) {
        const reviewing = page.locator('.statusbar-item', { hasText: 'Review · Enter accept sentence' });
        const state = await harness.poll(
          'review mode on a new sentence with its company selected (or untagged)',
          async () => {
            if (!(await reviewing.isVisible())) return null;
            const s = await selectionNow(page);
            const company = COMPANIES[s.line];
            if (!company || seen.has(s.line)) return null;
            if (s.column === company.length && s.selected === company.length) return s;
            // A company the model left untagged: its sentence opens with nothing selected.
            if (s.selected === 0 && (await labelOf(company)) === '') return { ...s, untagged: true };
            return null;
          },
          { timeout: harness.seconds(60), interval: 100 },
        );
        seen.add(state.line);
        if (state.untagged) {
          // Home selects the sentence's first token, the company; the label key then labels it.
          await keys.press('Home');
          await harness.poll(
            'the untagged company selected',
            async () => ((await selectionNow(page)).selected === COMPANIES[state.line].length ? true : null),
            { timeout: harness.seconds(10), interval: 100 },
          );
          report.untagged = [...(report.untagged ?? []), COMPANIES[state.line]];
        }
        if (n === 0) await workbench.screenshot('loop-review-queue');
        await keys.press(ORG_KEY);
        await keys.press('Enter');
        report.reviewed.push(COMPANIES[state.line]);
      }
      const untagged = report.untagged
        ? ` (untagged by the model, selected with Home: ${report.untagged.join(', ')})`
        : '';
      return `${report.reviewed.length} sentences: ${report.reviewed.slice(0, 5).join(', ')}, …${untagged}`;
    },
  );
  if (!reviewed) return;
  await keys.press('Escape');

  const unreviewed = COMPANIES.filter((c, i) => i % 2 === 0 && !report.reviewed.includes(c));
  const watched = unreviewed[0];

  const started = await checks.run(
    'a model update starts by itself and the status bar shows it',
    workbench,
    async () => {
      const item = page.locator('.statusbar-item[id$="spanlight.loop"]');
      const shown = await harness.poll(
        'the model update in the status bar',
        async () => {
          const text = (await item.isVisible()) ? ((await item.textContent()) ?? '').trim() : '';
          // Past reading the reviewed sentences: the training itself, with its progress.
          return /training|epoch/.test(text) ? text : null;
        },
        { timeout: harness.seconds(60), interval: 200 },
      );
      await workbench.screenshot('loop-retraining');
      report.statusBar = shown;
      return shown;
    },
  );

  await checks.run('the updated version is used: an unreviewed company LOC → ORG', workbench, async () => {
    if (!started) throw new Error('no update started');
    await workbench.openFile('news/companies.md');
    const file = path.join(workspace, '.spanlight/models/entities/versions.json');
    const history = await harness.poll(
      'versions.json with a kept retrain',
      () => {
        if (!fs.existsSync(file)) return null;
        const h = JSON.parse(fs.readFileSync(file, 'utf8'));
        if (h.rejected.length > 0) throw new Error(`the update was not kept: ${h.rejected[0].reason}`);
        return h.current >= 2 ? h : null;
      },
      { timeout: harness.seconds(300), interval: 1000 },
    );
    report.versions = history.versions.map((v) => ({
      version: v.version,
      origin: v.origin,
      reviewed: v.reviewedSentences,
      heldOut: v.heldOut,
      training: v.training,
    }));
    const label = await harness.poll(
      `${watched} labelled ORG`,
      async () => {
        const l = await labelOf(watched);
        return l.includes('ORG') ? l : null;
      },
      { timeout: harness.seconds(60), interval: 500 },
    );
    for (const c of unreviewed) report.labelsAfter[c] = await labelOf(c);
    await workbench.screenshot('loop-updated');
    const v2 = history.versions.find((v) => v.version === history.current);
    return `v${v2.version} kept (held-out F1 ${(100 * v2.heldOut.f1).toFixed(1)} on ${v2.heldOut.sentences}, replaced ${(100 * (v2.replaced?.heldOut.f1 ?? 0)).toFixed(1)}), ${watched}: ${label}`;
  });

  await checks.run('going back to v1 (en-ner as it was) brings its labels back', workbench, async () => {
    await workbench.runCommand('Spanlight: Choose Model Version…');
    await harness.answerQuickPick(workbench, 'Use which model version', /entities v1(?!\d)/);
    const label = await harness.poll(
      `${watched} labelled LOC again`,
      async () => {
        const l = await labelOf(watched);
        return l.includes('LOC') ? l : null;
      },
      { timeout: harness.seconds(60), interval: 500 },
    );
    for (const c of unreviewed) report.labelsBack[c] = await labelOf(c);
    const history = JSON.parse(
      fs.readFileSync(path.join(workspace, '.spanlight/models/entities/versions.json'), 'utf8'),
    );
    if (history.current !== 1) throw new Error(`versions.json names v${history.current} as current`);
    await workbench.screenshot('loop-back-to-v1');
    return `${watched}: ${label}; versions.json current = 1`;
  });

  await checks.run(
    'the training dashboard charts F1 per version against reviewed sentences',
    workbench,
    async () => {
      await workbench.runCommand('Spanlight: Show Training Dashboard');
      const dashboard = await harness.webviewWith(page, '#loop:not([hidden])');
      const label = await harness.poll('the loop chart drawn', async () => {
        const l = await dashboard.locator('#chart-loop').getAttribute('aria-label');
        return l && /versions \(2\): 0 → /.test(l) ? l : null;
      });
      const caption = (await dashboard.locator('#loop-caption').textContent()) ?? '';
      await workbench.screenshot('loop-dashboard');
      report.dashboard = { chart: label, caption };
      return `${label} · ${caption}`;
    },
  );

  report.screenshots = fs
    .readdirSync(screenshotDir)
    .filter((f) => f.startsWith('loop-') && f.endsWith('.png'))
    .map((f) => path.join('test-results/e2e', f));
  fs.writeFileSync(path.join(screenshotDir, 'loop-report.json'), `${JSON.stringify(report, null, 2)}\n`);
}

main()
  .catch((err) => {
    console.error(err);
    checks.results.push({ name: 'scenario', status: 'FAIL', detail: String(err.stack ?? err), ms: 0 });
  })
  .finally(async () => {
    await harness.cleanupAll();
    checks.finish('Model-in-the-loop end-to-end results');
  });
