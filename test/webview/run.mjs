#!/usr/bin/env node
/**
 * The bundled training dashboard in Chromium (playwright-core), fed the message stream recorded
 * from a real training run (fixtures/stream.json, made by record.ts). Checks the charts' point
 * counts, the per-label table and confusion matrix against the stream, that HTML in labels renders
 * as text, that the CSP holds, the buttons' messages and state restore. Screenshots go to
 * test-results/webview/. Run: `node test/webview/run.mjs`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { repo, send, shots, startPageHarness } from './harness.mjs';
// The listing template page's tests run in the same process (`npm run test:webview`).
import './template.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const stream = JSON.parse(fs.readFileSync(path.join(here, 'fixtures', 'stream.json'), 'utf8'));
const HOSTILE_LABEL = '<img src=x onerror=alert(1)>';

const events = stream.filter((m) => m.type === 'runEvent').map((m) => m.event);
const steps = events.filter((e) => e.kind === 'step');
const epochs = events.filter((e) => e.kind === 'epoch');
const evaluation = events.findLast((e) => e.kind === 'evaluation');
const config = stream[0].config;
const outcome = stream.at(-1).outcome;
const summary = {
  id: config.id,
  name: config.name,
  task: config.task,
  preset: config.preset,
  createdAt: config.createdAt,
  status: outcome.status,
  epochs: epochs.length,
  bestScore: Math.max(...epochs.map((e) => e.dev.score)),
  modelFolder: outcome.modelFolder,
};
// A second stored run for the overlay: the same curves, scaled, under another id, with GRU cells.
const other = {
  config: { ...config, id: `${config.id}-b`, name: 'older run', model: { ...config.model, cell: 'gru' } },
  events: events.filter((e) => e.kind !== 'evaluation').map((e) => ({ ...e, loss: e.loss * 1.2 })),
  outcome,
};

let harness;

const points = (page, chart) => page.getAttribute(`#chart-${chart}`, 'data-points');

describe('training dashboard (bundled, Chromium)', () => {
  before(async () => {
    const { dashboardHtml } = await tsImport(
      path.join(repo, 'src/extension/training/html.ts'),
      import.meta.url,
    );
    harness = await startPageHarness({
      entry: 'webview/training/main.ts',
      name: 'training',
      html: dashboardHtml,
      viewport: { width: 1280, height: 1100 },
      themeVars: { '--vscode-charts-blue': '#3794ff' },
    });
  });

  after(async () => {
    await harness?.close();
  });

  it('draws the live run: one loss and speed point per step event, one dev point per epoch', async () => {
    const { page, context, problems } = await harness.openPage();
    await send(page, [{ type: 'init', runs: [], records: [] }]);
    assert.match(await page.textContent('#run-status'), /no run yet/);
    // Up to the end of epoch 2, as the user sees it mid-run.
    const secondEpoch = stream.findIndex(
      (m) => m.type === 'runEvent' && m.event.kind === 'epoch' && m.event.epoch === 2,
    );
    await send(page, stream.slice(0, secondEpoch + 1));
    const stepsSoFar = steps.filter((s) => s.epoch <= 2).length;
    assert.equal(await points(page, 'loss'), String(stepsSoFar));
    assert.equal(await points(page, 'speed'), String(stepsSoFar));
    assert.equal(await points(page, 'dev'), '2');
    assert.equal(await page.textContent('#run-status'), 'running');
    assert.equal(await page.getAttribute('#stop', 'disabled'), null, 'Stop is enabled while running');
    await page.screenshot({ path: path.join(shots, 'dashboard-running.png'), fullPage: true });

    await page.click('#stop');
    assert.deepEqual((await page.evaluate(() => window.__posted)).at(-1), { type: 'stop', runId: config.id });

    await send(page, [...stream.slice(secondEpoch + 1), { type: 'runs', runs: [summary] }]);
    assert.equal(await points(page, 'loss'), String(steps.length));
    assert.equal(await points(page, 'dev'), String(epochs.length));
    assert.equal(await page.textContent('#run-status'), outcome.status);
    assert.notEqual(await page.getAttribute('#stop', 'disabled'), null, 'Stop is disabled after the run');
    assert.equal(await page.getAttribute('#use-model', 'disabled'), null);
    assert.equal(await page.isVisible('#loop'), false, 'no model-in-the-loop section without model versions');
    await page.screenshot({ path: path.join(shots, 'dashboard-finished.png'), fullPage: true });
    assert.deepEqual(problems, []);
    assert.deepEqual(
      await page.evaluate(() => window.__violations),
      [],
      'nothing the page does breaks its CSP',
    );
    await context.close();
  });

  it('shows the per-label scores and the confusion matrix of the final evaluation', async () => {
    const { page, context } = await harness.openPage();
    await send(page, stream);
    const rows = await page.$$eval('#labels tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent)),
    );
    const expected = Object.entries(evaluation.perLabel).map(([label, s]) => [
      label,
      (100 * s.precision).toFixed(1),
      (100 * s.recall).toFixed(1),
      (100 * s.f1).toFixed(1),
      String(s.support),
    ]);
    assert.deepEqual(rows, expected);
    const { labels, counts } = evaluation.confusion;
    const header = await page.$$eval('#confusion thead th', (ths) => ths.slice(1).map((t) => t.textContent));
    assert.deepEqual(header, labels);
    const cells = await page.$$eval('#confusion tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))),
    );
    assert.deepEqual(cells, counts);
    const dataLine = await page.textContent('#summary');
    assert.ok(dataLine.includes(`${config.data.train.sentences} sentences`), dataLine);
    await context.close();
  });

  it('renders HTML in labels and names as text, and runs no script without the nonce', async () => {
    const { page, context, problems } = await harness.openPage();
    await send(page, [...stream, { type: 'runs', runs: [summary] }]);
    assert.equal(await page.locator('img').count(), 0, 'no <img> element was created');
    const labelCells = await page.$$eval('#labels tbody th', (ths) => ths.map((t) => t.textContent));
    assert.ok(labelCells.includes(HOSTILE_LABEL), JSON.stringify(labelCells));
    assert.ok((await page.textContent('#confusion')).includes(HOSTILE_LABEL));
    assert.ok((await page.textContent('#summary')).includes(HOSTILE_LABEL));
    assert.equal(await page.locator('#run-title b').count(), 0);
    assert.ok((await page.textContent('#run-title')).includes('sample <b>ner</b>'));
    const inlineRan = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__inline = true';
      document.body.append(script);
      await new Promise((r) => setTimeout(r, 50));
      return window.__inline === true;
    });
    assert.equal(inlineRan, false, 'the CSP blocks a script without the nonce');
    assert.ok(!problems.some((p) => p.startsWith('dialog')), 'no alert fired');
    await context.close();
  });

  it('posts the buttons’ messages and overlays a compared run', async () => {
    const { page, context } = await harness.openPage();
    await send(page, [
      ...stream,
      // The shown run's summary has no cell, as one saved before the cell could be chosen.
      { type: 'runs', runs: [summary, { ...summary, id: other.config.id, name: 'older run', cell: 'gru' }] },
    ]);
    await page.click('#use-model');
    await page.click('#open-model-folder');
    await page.click('#export-csv');
    await page.click('#export-loss-png');
    const posted = await page.evaluate(() => window.__posted.slice(1));
    assert.deepEqual(posted.slice(0, 3), [
      { type: 'useModel', runId: config.id },
      { type: 'openModelFolder', runId: config.id },
      { type: 'exportMetrics', runId: config.id, format: 'csv' },
    ]);
    assert.equal(posted[3].type, 'exportChart');
    assert.equal(posted[3].chart, 'loss');
    assert.match(posted[3].png, /^data:image\/png;base64,.{100}/);

    // Ticking the older run asks for its record, then draws it next to the shown one.
    await page.click(`li[data-run-id="${other.config.id}"] vscode-checkbox`);
    const asked = await page.evaluate(() => window.__posted.at(-1));
    assert.deepEqual(asked, { type: 'loadRun', runId: other.config.id });
    await send(page, [{ type: 'runRecord', record: other }]);
    assert.equal(await points(page, 'loss'), `${steps.length},${steps.length}`);
    assert.equal(await points(page, 'dev'), `${epochs.length},${epochs.length}`);
    // Which cell each run trained: in the run list, the legend and the shown run's summary.
    const meta = (id) => page.textContent(`li[data-run-id="${id}"] .run-meta`);
    assert.match(await meta(config.id), / · LSTM · /);
    assert.match(await meta(other.config.id), / · GRU · /);
    assert.match(
      await page.getAttribute('#chart-loss', 'aria-label'),
      /sample <b>ner<\/b> · LSTM, .*; older run · GRU, /,
    );
    assert.match(await page.textContent('#summary'), /CellLSTM \(char and word layers\)/);
    await page.screenshot({ path: path.join(shots, 'dashboard-compare.png'), fullPage: true });
    await context.close();
  });

  it('redraws from the saved state after a reload, before the extension answers', async () => {
    const first = await harness.openPage();
    await send(first.page, [...stream, { type: 'runs', runs: [summary] }]);
    const saved = await first.page.evaluate(() => window.__state);
    await first.context.close();
    const { page, context } = await harness.openPage(saved);
    assert.equal(await points(page, 'loss'), String(steps.length));
    assert.equal(await page.locator('#labels tbody tr').count(), Object.keys(evaluation.perLabel).length);
    assert.equal(await page.locator('#runs li.run').count(), 1);
    await context.close();
  });
});
