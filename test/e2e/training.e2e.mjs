#!/usr/bin/env node
// End-to-end check of training in a real VS Code (code-server + Chromium), driven the way a user
// does it: "Spanlight: Train Tagger…" answered through its QuickPicks trains on the sample
// workspace's small corpus; the training dashboard shows at least two epochs on its dev curve and
// the run's scores; "Use Model" in the notification makes the new model the one that decorates
// documents; a second run on a larger corpus is stopped from the dashboard and ends cancelled on
// screen and on disk. Run through scripts/e2e.mjs (it installs code-server and builds first).
// Screenshots: test-results/e2e/training-*.png.
import fs from 'node:fs';
import path from 'node:path';
import {
  answerInputBox,
  answerQuickPick,
  Checks,
  cleanupAll,
  copyWorkspace,
  launchBrowser,
  log,
  poll,
  repoRoot,
  seconds,
  startCodeServer,
  statusBarTooltip,
  Workbench,
  webviewWith,
} from './harness.mjs';

const screenshotDir = path.join(repoRoot, 'test-results', 'e2e');
const dataDir = path.resolve(repoRoot, '..', 'shared', 'data');

const SMALL_CORPUS = 'corpus/sample-ner.conll';
/** WNUT-17 training data (3,394 sentences): long enough that a stop lands mid-run. */
const LARGE_CORPUS = 'corpus/wnut17-train.conll';
/** 300 WNUT-17 sentences (person, location, corporation…): the data a new user tried in issue 14. */
const SMALL_WNUT = 'corpus/wnut17-300.conll';
const MODEL_NAME = 'e2e-ner';
const FINE_TUNED_NAME = 'e2e-wnut-tuned';
const CANCELLED_NAME = 'e2e-stopped';
const STATUS_ITEM = 'spanlight.status';

const checks = new Checks();

/** The title of the next question the command asks, among `titles`. */
async function nextQuestion(workbench, titles) {
  const locators = titles.map((t) => workbench.quickInput.locator('.quick-input-title', { hasText: t }));
  const any = locators.reduce((a, b) => a.or(b));
  const text = (await any.first().textContent({ timeout: seconds(30) })) ?? '';
  return titles.find((t) => text.includes(t));
}

/** Answers every question of "Spanlight: Train Tagger…" (the order is the command's). */
async function trainThroughQuickPicks(workbench, { corpus, devChoice, name, startFrom, mapping }) {
  await workbench.runCommand('Spanlight: Train Tagger');
  await answerQuickPick(workbench, 'training data', corpus, { many: true });
  await answerQuickPick(workbench, 'Train Tagger: task', /^\s*Entities/);
  // The shipped en-ner is offered to start from (and is the default when its labels overlap).
  await answerQuickPick(workbench, 'Train Tagger: start from', startFrom);
  // Asked when the data's entity types differ from the model's (WNUT-17's person, location…).
  if ((await nextQuestion(workbench, ['label mapping', 'preset'])) === 'label mapping')
    await answerQuickPick(workbench, 'label mapping', mapping);
  await answerQuickPick(workbench, 'Train Tagger: preset', /^\s*fast/);
  // Asked for a new network (not when fine-tuning, which keeps the model's cell).
  if ((await nextQuestion(workbench, ['recurrent cell', 'epochs'])) === 'recurrent cell')
    await answerQuickPick(workbench, 'recurrent cell', /^\s*LSTM/);
  await answerQuickPick(workbench, 'Train Tagger: epochs', /the preset’s/);
  await answerQuickPick(workbench, 'Train Tagger: dev set', devChoice);
  // Asked when training from scratch and the pretrained vectors package is installed (it is).
  if ((await nextQuestion(workbench, ['word vectors', 'model name'])) === 'word vectors')
    await answerQuickPick(workbench, 'word vectors', 'Without pretrained vectors');
  await answerInputBox(workbench, 'model name', name);
}

/** The points per series of a dashboard chart (`data-points="12,8"`: shown run first). */
async function chartPoints(dashboard, chart) {
  const attribute = await dashboard.locator(`#chart-${chart}`).getAttribute('data-points');
  return (attribute ?? '').split(',').filter(Boolean).map(Number);
}

async function dashboardStatus(dashboard) {
  return ((await dashboard.locator('#run-status').textContent()) ?? '').trim();
}

/** The run folder `.spanlight/runs/<id>/` of the run named `name`, once its config is written. */
function runFolderOf(workspace, name) {
  const runsRoot = path.join(workspace, '.spanlight', 'runs');
  if (!fs.existsSync(runsRoot)) return undefined;
  for (const id of fs.readdirSync(runsRoot)) {
    const configFile = path.join(runsRoot, id, 'config.json');
    if (!fs.existsSync(configFile)) continue;
    if (JSON.parse(fs.readFileSync(configFile, 'utf8')).name === name) return path.join(runsRoot, id);
  }
  return undefined;
}

function readOutcome(runFolder) {
  const file = path.join(runFolder, 'outcome.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}

async function main() {
  const workspace = copyWorkspace(path.join(repoRoot, 'test', 'fixtures', 'sample-workspace'), {
    [LARGE_CORPUS]: fs.readFileSync(path.join(dataDir, 'wnut17', 'wnut17train.conll'), 'utf8'),
    [SMALL_WNUT]: `${fs
      .readFileSync(path.join(dataDir, 'wnut17', 'wnut17train.conll'), 'utf8')
      .split(/\n[ \t]*\n/)
      .slice(0, 300)
      .join('\n\n')}\n`,
  });
  const server = await startCodeServer({ workspace });
  const context = await launchBrowser();
  const page = context.pages()[0] ?? (await context.newPage());
  const workbench = new Workbench(page, { screenshotDir });

  const loaded = await checks.run('workbench loads with the sample workspace', workbench, async () => {
    await workbench.open(server.url);
    // The status bar names the models in use only for a handled document: open one first.
    await workbench.openFile('news.md');
    return 'news.md open';
  });
  if (!loaded) return;

  // For the report: the model behind the decorations before training (the tooltip names it once
  // the document has been tagged).
  const modelBefore = await poll(
    'the Spanlight status bar tooltip to name a model',
    async () => {
      const text = await statusBarTooltip(workbench, STATUS_ITEM, { timeout: seconds(10) });
      return text.includes(' · ') ? text : null;
    },
    { timeout: seconds(120), interval: 1000 },
  ).catch((err) => `(${err.message})`);
  await page.mouse.move(5, 5);

  let dashboard;
  let firstRun;
  const trained = await checks.run(
    `"Train Tagger…" through its QuickPicks trains ${SMALL_CORPUS}; the dashboard shows ≥ 2 epochs`,
    workbench,
    async () => {
      const started = Date.now();
      await trainThroughQuickPicks(workbench, {
        corpus: SMALL_CORPUS,
        devChoice: 'Hold out 20%',
        name: MODEL_NAME,
        startFrom: /en-ner/,
      });
      dashboard = await webviewWith(page, '#chart-dev');
      const devPoints = await poll(
        'two or more points on the dashboard’s dev curve (#chart-dev data-points)',
        async () => {
          const points = await chartPoints(dashboard, 'dev');
          return points[0] >= 2 ? points[0] : null;
        },
        { timeout: seconds(240), interval: 500 },
      );
      const secondsToTwoEpochs = (Date.now() - started) / 1000;
      await poll(
        'the run to finish (#run-status completed)',
        async () => (await dashboardStatus(dashboard)) === 'completed',
        { timeout: seconds(240), interval: 500 },
      );
      firstRun = runFolderOf(workspace, MODEL_NAME);
      if (!firstRun) throw new Error(`no .spanlight/runs/<id>/config.json names ${MODEL_NAME}`);
      const outcome = readOutcome(firstRun);
      if (outcome?.status !== 'completed') {
        throw new Error(`${firstRun}/outcome.json: ${JSON.stringify(outcome)}`);
      }
      const epochLines = fs
        .readFileSync(path.join(firstRun, 'metrics.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"kind":"epoch"'));
      const finalDev = await chartPoints(dashboard, 'dev');
      if (finalDev[0] !== epochLines.length) {
        throw new Error(
          `the dev curve has ${finalDev[0]} points but metrics.jsonl has ${epochLines.length} epochs`,
        );
      }
      const lossPoints = (await chartPoints(dashboard, 'loss'))[0];
      if (!(lossPoints >= finalDev[0])) throw new Error(`the loss curve has only ${lossPoints} points`);
      const labelRows = (await dashboard.locator('#labels tbody tr th').allTextContents()).map((t) =>
        t.trim(),
      );
      if (!labelRows.includes('PER')) {
        throw new Error(`the per-label table lists ${labelRows.join(', ') || 'nothing'}, not PER`);
      }
      const modelJson = path.join(workspace, '.spanlight', 'models', MODEL_NAME, 'model.json');
      if (!fs.existsSync(modelJson)) throw new Error(`${modelJson} was not written`);
      const progress = ((await dashboard.locator('#run-progress').textContent()) ?? '').trim();
      await workbench.screenshot('training-dashboard');
      return (
        `${devPoints} dev points ${secondsToTwoEpochs.toFixed(1)} s after the last answer; ` +
        `${epochLines.length} epochs, ${lossPoints} loss points, labels ${labelRows.join(' ')}; "${progress}"`
      );
    },
  );

  await checks.run(
    '"Use Model" in the end-of-training notification picks the new model',
    workbench,
    async () => {
      if (!trained) throw new Error('nothing was trained (see the previous check)');
      // Offered as "Use it…?" when better than the model in use, else "Keep the current model?".
      const toast = page.locator('.notifications-toasts .notification-list-item', {
        hasText: /Use it for highlighting now\?|Keep the current model\?/,
      });
      await toast.first().waitFor({ timeout: seconds(30) });
      const offer = ((await toast.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
      if (!offer.includes(MODEL_NAME)) throw new Error(`the offer does not name ${MODEL_NAME}: "${offer}"`);
      await toast.first().locator('.monaco-button', { hasText: 'Use Model' }).click();
      await toast.first().waitFor({ state: 'hidden', timeout: seconds(10) });
      return `offer: "${offer.slice(0, 140)}"`;
    },
  );

  await checks.run(
    `a second run on ${LARGE_CORPUS} stopped from the dashboard ends cancelled`,
    workbench,
    async () => {
      if (!dashboard) throw new Error('the dashboard never opened (see the first training check)');
      await trainThroughQuickPicks(workbench, {
        corpus: LARGE_CORPUS,
        devChoice: 'No dev set',
        name: CANCELLED_NAME,
        startFrom: /Scratch/,
        mapping: /Map to the model’s labels/,
      });
      dashboard = await webviewWith(page, '#chart-loss');
      await poll(
        `the dashboard to show ${CANCELLED_NAME} running with a first loss point`,
        async () => {
          const title = (await dashboard.locator('#run-title').textContent()) ?? '';
          return (
            title.includes(CANCELLED_NAME) &&
            (await dashboardStatus(dashboard)) === 'running' &&
            (await chartPoints(dashboard, 'loss'))[0] >= 1
          );
        },
        { timeout: seconds(240), interval: 500 },
      );
      // While it runs, a progress notification (epoch/step, loss, ETA) and the status bar show it.
      const notification = page
        .locator('.notifications-toasts .notification-list-item', { hasText: `training ${CANCELLED_NAME}` })
        .first();
      const statusItem = page.locator('.statusbar-item', { hasText: CANCELLED_NAME }).first();
      const progressShown = await poll(
        'the progress notification and the status bar item of the run',
        async () => {
          const toast = ((await notification.textContent()) ?? '').replace(/\s+/g, ' ');
          const status = ((await statusItem.textContent()) ?? '').replace(/\s+/g, ' ').trim();
          return /epoch \d+\/\d+, step \d+\/\d+, loss [\d.]+, ETA/.test(toast) && status
            ? `notification "${toast.slice(toast.indexOf('training')).trim().slice(0, 90)}", status bar "${status}"`
            : null;
        },
        { timeout: seconds(60), interval: 250 },
      );
      const stop = dashboard.locator('#stop');
      if ((await stop.getAttribute('disabled')) !== null) throw new Error('#stop is disabled while running');
      const pressed = Date.now();
      await stop.click();
      await poll(
        'the dashboard to show the run cancelled',
        async () => (await dashboardStatus(dashboard)) === 'cancelled',
        { timeout: seconds(120), interval: 250 },
      );
      const stopSeconds = (Date.now() - pressed) / 1000;
      const runFolder = runFolderOf(workspace, CANCELLED_NAME);
      if (!runFolder) throw new Error(`no .spanlight/runs/<id>/config.json names ${CANCELLED_NAME}`);
      const outcome = await poll(`${path.relative(workspace, runFolder)}/outcome.json`, () =>
        readOutcome(runFolder),
      );
      if (outcome.status !== 'cancelled') throw new Error(`outcome.json says ${JSON.stringify(outcome)}`);
      if ((await stop.getAttribute('disabled')) === null) throw new Error('#stop is still enabled');
      // The history lists both runs with their ends.
      const runs = await poll('both runs in the dashboard’s history', async () => {
        const items = (await dashboard.locator('#runs li.run').allTextContents()).map((t) =>
          t.replace(/\s+/g, ' ').trim(),
        );
        return items.some((t) => t.includes(CANCELLED_NAME) && t.includes('cancelled')) &&
          items.some((t) => t.includes(MODEL_NAME) && t.includes('completed'))
          ? items
          : null;
      });
      await notification.waitFor({ state: 'hidden', timeout: seconds(30) });
      await statusItem.waitFor({ state: 'hidden', timeout: seconds(30) });
      await workbench.screenshot('training-cancelled');
      return (
        `while running: ${progressShown}; stopped ${stopSeconds.toFixed(1)} s after #stop; ` +
        `outcome.json ${JSON.stringify({ status: outcome.status, epochs: outcome.epochs })}; ` +
        `history: ${runs.map((r) => r.slice(0, 70)).join(' | ')}`
      );
    },
  );

  await checks.run(`${MODEL_NAME} is the model behind the editor’s decorations`, workbench, async () => {
    const modelJson = path.join(workspace, '.spanlight', 'models', MODEL_NAME, 'model.json');
    if (!fs.existsSync(modelJson)) throw new Error(`${modelJson} does not exist`);
    // news.md is still open in the first group, beside the dashboard: bring it back to the front.
    await page.locator('.tabs-container .tab[data-resource-name="news.md"]').first().click();
    await workbench.activeEditor.locator('.view-lines .view-line').first().waitFor();
    const tooltip = await poll(
      `the Spanlight status bar tooltip to name ${MODEL_NAME}`,
      async () => {
        const text = await statusBarTooltip(workbench, STATUS_ITEM, { timeout: seconds(10) });
        return text.includes(MODEL_NAME) ? text : null;
      },
      { timeout: seconds(90), interval: 1000 },
    );
    await page.mouse.move(5, 5);
    // A 3-epoch model on 22 sentences tags little, and not always the same words: hover whatever
    // it decorated (the widest entity box, not a label badge); its hover must name the model too.
    const boxes = (await workbench.decorations())
      .filter((d) => !d.after && !d.before && d.box.right - d.box.left >= 20)
      .sort((a, b) => b.box.right - b.box.left - (a.box.right - a.box.left));
    let hover = 'nothing decorated to hover';
    if (boxes.length > 0) {
      const { box } = boxes[0];
      const widget = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content').first();
      const text = await poll(
        `a hover naming model ${MODEL_NAME} over the decoration at ${Math.round(box.left)},${Math.round(box.top)}`,
        async () => {
          await page.mouse.move(5, 5);
          await page.mouse.move((box.left + box.right) / 2, (box.top + box.bottom) / 2, { steps: 3 });
          await widget.waitFor({ state: 'visible', timeout: seconds(3) });
          const shown = ((await widget.textContent()) ?? '').replace(/\s+/g, ' ').trim();
          return shown.includes(`model ${MODEL_NAME}`) ? shown : null;
        },
        { timeout: seconds(30), interval: 500 },
      );
      hover = `hover: "${text.slice(0, 80)}"`;
    }
    await workbench.screenshot('training-used-model');
    await page.mouse.move(5, 5);
    return `status bar before: "${modelBefore}"; after: "${tooltip}"; ${hover}`;
  });

  // Issue 14's new user: 300 WNUT-17 sentences gave dev F1 0 with every preset and were still
  // offered for highlighting. Started from the shipped en-ner with the suggested label mapping,
  // the run gives a usable model, and the offer compares it with the model in use.
  await checks.run(
    `${SMALL_WNUT} fine-tuned from en-ner with the suggested label mapping gives a usable model, compared with the one in use`,
    workbench,
    async () => {
      await trainThroughQuickPicks(workbench, {
        corpus: SMALL_WNUT,
        devChoice: 'Hold out 20%',
        name: FINE_TUNED_NAME,
        startFrom: /en-ner/,
        mapping: /Map to the model’s labels/,
      });
      dashboard = await webviewWith(page, '#chart-dev');
      await poll(
        `the dashboard to show ${FINE_TUNED_NAME} completed`,
        async () => {
          const title = (await dashboard.locator('#run-title').textContent()) ?? '';
          return title.includes(FINE_TUNED_NAME) && (await dashboardStatus(dashboard)) === 'completed';
        },
        { timeout: seconds(600), interval: 1000 },
      );
      const runFolder = runFolderOf(workspace, FINE_TUNED_NAME);
      const config = JSON.parse(fs.readFileSync(path.join(runFolder, 'config.json'), 'utf8'));
      const outcome = readOutcome(runFolder);
      if (!config.initFrom?.includes('en-ner')) throw new Error(`started from ${config.initFrom}`);
      if (config.labelMap?.person !== 'PER' || config.labelMap?.corporation !== 'ORG')
        throw new Error(`label map ${JSON.stringify(config.labelMap)}`);
      if (!outcome.verdict?.usable) throw new Error(`verdict ${JSON.stringify(outcome.verdict)}`);
      const evaluation = fs
        .readFileSync(path.join(runFolder, 'metrics.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"kind":"evaluation"'))
        .map((l) => JSON.parse(l))
        .at(-1);
      if (!(evaluation?.f1 > 0)) throw new Error(`dev F1 ${evaluation?.f1}`);
      const toast = page.locator('.notifications-toasts .notification-list-item', {
        hasText: FINE_TUNED_NAME,
      });
      await toast.first().waitFor({ timeout: seconds(30) });
      const offer = ((await toast.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
      if (!/than the current model|as good as the current model/.test(offer))
        throw new Error(`the offer does not compare with the model in use: "${offer}"`);
      const header = ((await dashboard.locator('#run-progress').textContent()) ?? '').trim();
      await workbench.screenshot('training-fine-tuned');
      return `dev F1 ${(100 * evaluation.f1).toFixed(1)}; offer: "${offer.slice(0, 200)}"; dashboard: "${header}"`;
    },
  );
}

try {
  await main();
} catch (err) {
  checks.results.push({ name: 'setup', status: 'FAIL', detail: err.stack ?? String(err), ms: 0 });
  log('FAIL setup:', err.stack ?? err);
} finally {
  await cleanupAll();
}
checks.finish('Training end-to-end results');
