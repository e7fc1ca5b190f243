#!/usr/bin/env node
// End-to-end check of annotation that produces correct training data, in a real VS Code
// (code-server + Chromium), with the keyboard only (the mouse never touches the editor):
//   1. a French listing gets no English entity highlights; made a listing (Choose Task), its fields
//      are accepted with Ctrl+Alt+Shift+Enter;
//   2. an English news document is reviewed through the Review queue in review mode: the script
//      knows the model's suggestions (the same model run through the CLI) and the gold entities,
//      plans the keys (Tab, Right/Left, x, digits, Shift/Alt+Shift+arrows, Enter), checks the
//      selection after every step, and counts keystrokes per corrected entity; one sentence is
//      skipped and must stay out of the export;
//   3. the export (CoNLL) is compared line by line with the expected tokens and tags: no
//      unreviewed entity as O, no other task's labels; the listings export holds listing fields only;
//   4. screenshots of the queue, the workspace Entities view and labels.json's completion.
// Results: test-results/e2e/review-report.json; screenshots test-results/e2e/review-*.png.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as harness from './harness.mjs';

const screenshotDir = path.join(harness.repoRoot, 'test-results', 'e2e');
const checks = new harness.Checks();

const BRIEFING = [
  'Elena Petrova met executives of Airbus and Renault in Lyon on Monday.',
  'Brexit talks resumed in Brussels on Tuesday.',
  'The Washington Post reported that Apple will open an office in Austin next spring.',
  'Jordan said the Nile Delta was flooded after the storm.',
  'Paris Hilton arrived at the Paris Motor Show with Deutsche Bank analysts.',
  'Breaking News: the CEO of Siemens resigned.',
  'Tesla shares fell after Elon Musk spoke at the United Nations in New York.',
];
/** What the annotator means: the entities of each line (text, label). */
const GOLD = [
  [
    ['Elena Petrova', 'PER'],
    ['Airbus', 'ORG'],
    ['Renault', 'ORG'],
    ['Lyon', 'LOC'],
  ],
  [['Brussels', 'LOC']],
  [
    ['Washington Post', 'ORG'],
    ['Apple', 'ORG'],
    ['Austin', 'LOC'],
  ],
  [
    ['Jordan', 'PER'],
    ['Nile Delta', 'LOC'],
  ],
  [
    ['Paris Hilton', 'PER'],
    ['Paris Motor Show', 'MISC'],
    ['Deutsche Bank', 'ORG'],
  ],
  [['Siemens', 'ORG']],
  [
    ['Tesla', 'ORG'],
    ['Elon Musk', 'PER'],
    ['United Nations', 'ORG'],
    ['New York', 'LOC'],
  ],
];
/** The line the annotator leaves for later (skipped with n): it must not be exported. */
const SKIPPED_LINE = 0;
/** The entities task's labels in schema order: the digit keys 1–4. */
const LABELS = ['PER', 'ORG', 'LOC', 'MISC'];
const LISTING = [
  'Réf. LYO-2231 — Appartement lumineux de 3 pièces à Lyon, 72 m², construit en 1975.',
  'Prix : 320 000 €. Contact : Claire Dubois au 06 12 34 56 78.',
];
const LISTING_FIELDS = ['REF', 'PRICE', 'SURFACE', 'YEAR', 'ROOMS', 'OWNER', 'PHONE'];

const text = `${BRIEFING.join('\n')}\n`;
const lineStart = (line) => BRIEFING.slice(0, line).reduce((n, l) => n + l.length + 1, 0);

/** The model's sentences (tokens and spans, document offsets) from the CLI with the shipped model. */
function modelView() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-review-')), 'briefing.md');
  fs.writeFileSync(file, text);
  const run = spawnSync(
    process.execPath,
    [
      path.join(harness.repoRoot, 'dist/cli.js'),
      'tag',
      '--model',
      path.join(harness.repoRoot, 'models/en-ner'),
      '--to',
      'jsonl',
      file,
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`spanlight tag failed: ${run.stderr}`);
  let from = 0;
  return run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .map((s) => {
      const start = text.indexOf(s.text, from);
      from = start + s.text.length;
      const line = BRIEFING.indexOf(s.text);
      if (line < 0) throw new Error(`the CLI's sentence is not one line: ${s.text}`);
      return {
        line,
        start,
        tokens: s.tokens.map((t) => ({ text: t.text, start: start + t.start, end: start + t.end })),
        spans: s.spans.map((x) => ({ start: start + x.start, end: start + x.end, label: x.label })),
      };
    });
}

/** Gold spans of a line, with document offsets (on token boundaries). */
function goldSpans(line) {
  let from = lineStart(line);
  return GOLD[line].map(([entity, label]) => {
    const start = text.indexOf(entity, from);
    from = start + entity.length;
    return { start, end: start + entity.length, label, text: entity };
  });
}

/**
 * The keys that turn the model's spans of a sentence into the gold ones, from the selection the
 * queue opened it with, each with the selection it must leave (checked before the next key), and
 * what each correction cost. `entities` is the document's entity list as the editor's Tab sees it
 * (kept up to date here). The correction nearest (in keys) to the current selection goes first.
 */
function plan(sentence, selection, entities) {
  const tokens = sentence.tokens;
  const gold = goldSpans(sentence.line);
  const overlaps = (a, b) => a.start < b.end && b.start < a.end;
  const tokenAt = (offset, edge) => tokens.findIndex((t) => t[edge] === offset);
  const range = (a, b = a) => ({ start: a.start, end: b.end });
  const todo = [];
  for (const span of sentence.spans) {
    const target = gold.find((g) => overlaps(g, span));
    if (!target) todo.push({ kind: 'reject', span });
    else if (target.start !== span.start || target.end !== span.end || target.label !== span.label)
      todo.push({ kind: 'fix', span, target });
  }
  for (const g of gold)
    if (!sentence.spans.some((s) => overlaps(s, g))) todo.push({ kind: 'add', span: undefined, target: g });

  /** Ways from `from` to the entity `to` (Tab, Shift+Tab) or to the first token of `to` (Home, arrows). */
  const routes = (from, to, isEntity) => {
    const options = [];
    if (isEntity) {
      const ordered = [...entities].sort((a, b) => a.start - b.start);
      const forward = ordered.filter((e) => e.start > from.start && e.start <= to.start);
      const backward = ordered.filter((e) => e.start < from.start && e.start >= to.start).reverse();
      const path = to.start >= from.start ? forward : backward;
      const key = to.start >= from.start ? 'Tab' : 'Shift+Tab';
      options.push(path.map((e) => ({ key, selection: range(e) })));
    } else {
      const first = tokenAt(to.start, 'start');
      const after = tokens.filter((t) => t.start >= from.end && t.start <= tokens[first].start);
      const before = tokens.filter((t) => t.end <= from.start && t.start >= tokens[first].start).reverse();
      options.push(
        to.start >= from.end
          ? after.map((t) => ({ key: 'ArrowRight', selection: range(t) }))
          : before.map((t) => ({ key: 'ArrowLeft', selection: range(t) })),
      );
      // Home selects the sentence's first word; Right then moves word by word.
      options.push([
        { key: 'Home', selection: range(tokens[0]) },
        ...tokens.slice(1, first + 1).map((t) => ({ key: 'ArrowRight', selection: range(t) })),
      ]);
    }
    return options.sort((a, b) => a.length - b.length)[0];
  };

  const steps = [];
  let current = { ...selection };
  while (todo.length > 0) {
    const options = todo.map((t) => routes(current, t.span ?? t.target, t.span !== undefined));
    const best = options.reduce((b, o, i) => (o.length < options[b].length ? i : b), 0);
    const [item] = todo.splice(best, 1);
    const keys = [...options[best]];
    let at = keys.length > 0 ? keys[keys.length - 1].selection : current;
    if (item.kind === 'reject') {
      keys.push({ key: 'x', selection: at });
      entities.splice(
        entities.findIndex((e) => e.start === item.span.start),
        1,
      );
    } else {
      const from = { ...at };
      let [first, last] = [tokenAt(from.start, 'start'), tokenAt(from.end, 'end')];
      const [wantFirst, wantLast] = [tokenAt(item.target.start, 'start'), tokenAt(item.target.end, 'end')];
      const edit = (key, f, l) => {
        [first, last] = [f, l];
        at = range(tokens[first], tokens[last]);
        keys.push({ key, selection: at });
      };
      while (last < wantLast) edit('Shift+ArrowRight', first, last + 1);
      while (last > wantLast) edit('Shift+ArrowLeft', first, last - 1);
      while (first > wantFirst) edit('Alt+Shift+ArrowLeft', first - 1, last);
      while (first < wantFirst) edit('Alt+Shift+ArrowRight', first + 1, last);
      // A boundary edit keeps the label; a new span or another label takes a digit.
      if (item.kind === 'add' || item.target.label !== item.span.label)
        keys.push({ key: String(LABELS.indexOf(item.target.label) + 1), selection: at });
      const old = entities.findIndex((e) => e.start === from.start && e.end === from.end);
      if (old >= 0) entities.splice(old, 1);
      entities.push(range(at));
    }
    steps.push({ item, keys, selection: at });
    current = at;
  }
  return steps;
}

/** The active editor's selection from the status bar ("Ln 3, Col 14 (13 selected)"), as offsets. */
async function selectionNow(page) {
  const shown = ((await page.locator('[id="status.editor.selection"]').textContent()) ?? '').trim();
  const m = /Ln (\d+), Col (\d+)(?: \((\d+) selected\))?/.exec(shown);
  if (!m) throw new Error(`cannot read the selection from "${shown}"`);
  const end = lineStart(Number(m[1]) - 1) + Number(m[2]) - 1;
  return { start: end - Number(m[3] ?? 0), end, line: Number(m[1]) - 1, shown };
}

async function main() {
  fs.mkdirSync(screenshotDir, { recursive: true });
  for (const f of fs.readdirSync(screenshotDir))
    if (f.startsWith('review-')) fs.rmSync(path.join(screenshotDir, f));
  const model = modelView();
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-review-fixture-'));
  const workspace = harness.copyWorkspace(empty, {
    'news/briefing.md': text,
    'listings/annonce-lyon.txt': `${LISTING.join('\n')}\n`,
  });
  const server = await harness.startCodeServer({ workspace });
  const context = await harness.launchBrowser();
  const page = context.pages()[0] ?? (await context.newPage());
  const workbench = new harness.Workbench(page, { screenshotDir });
  const keys = page.keyboard;
  const report = { corrections: [], enters: 0, skipped: 0 };

  const ready = await checks.run('workbench loads', workbench, async () => {
    await workbench.open(server.url);
    return 'explorer shown';
  });
  if (!ready) return;

  await checks.run(
    'a French listing: no English entities; as a listing its fields are accepted',
    workbench,
    async () => {
      await workbench.openFile('listings/annonce-lyon.txt');
      await harness.poll('the listing rendered', async () =>
        (await workbench.editorLines()).some((l) => l.includes('Claire')),
      );
      // No model fits French entities: the status bar says so, and nothing is highlighted.
      const tooltip = await harness.poll(
        'the status bar naming the language',
        async () => {
          const t = await harness.statusBarTooltip(workbench, 'spanlight.status');
          return /language fr/.test(t) ? t : null;
        },
        { timeout: harness.seconds(60) },
      );
      if (!/no model fits/.test(tooltip)) throw new Error(`status bar: ${tooltip}`);
      const before = await workbench.decorationsOn('Claire Dubois');
      if (before.length > 0) throw new Error('the English NER model decorated a French listing');
      await workbench.runCommand('Spanlight: Choose Task for Document');
      await harness.answerQuickPick(workbench, 'task of', /Listing fields/);
      await harness.poll(
        'listing fields decorated',
        async () => (await workbench.decorationsOn('Claire Dubois')).length > 0,
        {
          timeout: harness.seconds(90),
        },
      );
      await keys.press('Control+Alt+Shift+Enter');
      const file = path.join(workspace, '.spanlight/annotations/listings/annonce-lyon.txt.jsonl');
      const records = await harness.poll(
        'the listing annotations saved',
        () => {
          if (!fs.existsSync(file)) return null;
          const lines = fs
            .readFileSync(file, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l));
          return lines.filter((r) => r.type === 'reviewed').length >= LISTING.length ? lines : null;
        },
        { timeout: harness.seconds(30) },
      );
      const spans = records.filter((r) => r.type === 'span');
      if (!spans.every((s) => s.task === 'listings' && LISTING_FIELDS.includes(s.label)))
        throw new Error(`listing annotations: ${JSON.stringify(spans)}`);
      await workbench.screenshot('review-listing');
      return `accepted ${spans.map((s) => `${s.text}=${s.label}`).join(', ')}`;
    },
  );

  const reviewed = await checks.run(
    'the news document is reviewed through the queue with the keyboard',
    workbench,
    async () => {
      await workbench.openFile('news/briefing.md');
      await workbench.runCommand('Spanlight: Start Review');
      const entities = model.flatMap((s) => s.spans.map((x) => ({ start: x.start, end: x.end })));
      const seen = new Set();
      let shot = false;
      for (let round = 0; round < BRIEFING.length + 2; round++) {
        const reviewing = page.locator('.statusbar-item', { hasText: 'Review · Enter accept sentence' });
        const done = page.locator('.notifications-toasts', { hasText: 'nothing left to review' });
        const state = await harness.poll(
          'review mode on the next sentence, or the end of the queue',
          async () => {
            if (await done.isVisible()) return 'done';
            if (!(await reviewing.isVisible())) return null;
            const selection = await selectionNow(page);
            return seen.has(selection.line) ? null : selection;
          },
          { timeout: harness.seconds(60) },
        );
        if (state === 'done') break;
        harness.log(`review: line ${state.line + 1} open, selection ${state.shown}`);
        seen.add(state.line);
        if (!shot) {
          await workbench.screenshot('review-queue');
          shot = true;
        }
        const sentence = model.find((s) => s.line === state.line);
        if (state.line === SKIPPED_LINE) {
          await keys.press('n');
          report.skipped++;
          continue;
        }
        for (const step of plan(sentence, state, entities)) {
          let now;
          for (const { key, selection: expected } of step.keys) {
            await keys.press(key);
            // Each key's effect is on screen before the next key, as an annotator sees it.
            now = await harness.poll(
              `the selection "${text.slice(expected.start, expected.end)}" after ${key}`,
              async () => {
                const s = await selectionNow(page);
                return s.start === expected.start && s.end === expected.end ? s : null;
              },
              { timeout: harness.seconds(15), interval: 50 },
            );
          }
          const target = step.item.target ?? step.item.span;
          report.corrections.push({
            entity: text.slice(target.start, target.end),
            kind:
              step.item.kind === 'reject'
                ? `reject ${step.item.span.label}`
                : step.item.kind === 'add'
                  ? `add ${step.item.target.label}`
                  : `${text.slice(step.item.span.start, step.item.span.end)} ${step.item.span.label} → ${step.item.target.label}`,
            keys: step.keys.map((k) => k.key),
            selection: now?.shown,
          });
        }
        await keys.press('Enter');
        report.enters++;
      }
      const missing = BRIEFING.map((_, i) => i).filter((i) => !seen.has(i));
      if (missing.length > 0) throw new Error(`lines never opened by the queue: ${missing.join(', ')}`);
      const total = report.corrections.reduce((n, c) => n + c.keys.length, 0);
      report.keystrokesPerCorrectedEntity = total / report.corrections.length;
      report.correctionKeystrokes = total;
      report.allKeystrokes = total + report.enters + report.skipped;
      return `${report.corrections.length} corrected entities, ${total} keys (${report.keystrokesPerCorrectedEntity.toFixed(2)} per entity); ${report.enters} Enter, ${report.skipped} skip`;
    },
  );

  await checks.run('keystrokes per corrected entity are at most 3 on average', workbench, async () => {
    if (!reviewed) throw new Error('the review did not complete');
    for (const c of report.corrections) harness.log(`  ${c.entity}: ${c.kind}: ${c.keys.join(' ')}`);
    if (report.keystrokesPerCorrectedEntity > 3)
      throw new Error(`${report.keystrokesPerCorrectedEntity.toFixed(2)} keys per corrected entity`);
    return `${report.keystrokesPerCorrectedEntity.toFixed(2)}`;
  });

  /** Exports a task's reviewed sentences as CoNLL to the file the save dialog offers. */
  const exportTask = async (task) => {
    await workbench.runCommand('Spanlight: Export Annotations as Training Data');
    await harness.answerQuickPick(workbench, 'which task', new RegExp(`^\\s*${task}`));
    await harness.answerQuickPick(workbench, 'format', /CoNLL/);
    await harness.poll('the save dialog', async () =>
      (await workbench.quickInput.locator('input').inputValue()).endsWith('.conll'),
    );
    await keys.press('Enter');
    const file = path.join(workspace, `annotations-${task}.conll`);
    const toast = page.locator('.notifications-toasts .notification-list-item', {
      hasText: `of ${task} from`,
    });
    const summary = ((await toast.first().textContent({ timeout: harness.seconds(30) })) ?? '').replace(
      /\s+/g,
      ' ',
    );
    const content = await harness.poll(`the ${task} export`, () =>
      fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null,
    );
    return { file, content, summary };
  };
  const exported = path.join(workspace, 'annotations-entities.conll');
  await checks.run(
    'the export holds exactly the reviewed sentences, tagged as meant',
    workbench,
    async () => {
      const { content, summary } = await exportTask('entities');
      const expected = model
        .filter((s) => s.line !== SKIPPED_LINE)
        .map((s) => {
          const gold = goldSpans(s.line);
          return s.tokens
            .map((t) => {
              const g = gold.find((x) => x.start <= t.start && t.end <= x.end);
              return `${t.text}\t${g ? `${g.start === t.start ? 'B' : 'I'}-${g.label}` : 'O'}`;
            })
            .join('\n');
        });
      const got = content
        .trim()
        .split(/\n\s*\n/)
        .map((b) => b.trim());
      const lines = { compared: 0 };
      if (got.length !== expected.length)
        throw new Error(`${got.length} sentences exported, ${expected.length} expected:\n${content}`);
      expected.forEach((block, i) => {
        const want = block.split('\n');
        const have = got[i].split('\n');
        want.forEach((w, j) => {
          lines.compared++;
          if (have[j] !== w)
            throw new Error(`sentence ${i + 1}, line ${j + 1}: got "${have[j]}", expected "${w}"`);
        });
        if (have.length !== want.length)
          throw new Error(`sentence ${i + 1}: ${have.length} lines, expected ${want.length}`);
      });
      if (/Elena|Petrova/.test(content)) throw new Error('the skipped (unreviewed) sentence was exported');
      if (/-(REF|PRICE|SURFACE|YEAR|ROOMS|OWNER|PHONE)$/m.test(content))
        throw new Error('a listing field in the entities export');
      if (!/Left out: 1 unreviewed sentence/.test(summary))
        throw new Error(`the summary does not say what was left out: ${summary}`);
      report.export = {
        file: path.basename(exported),
        sentences: got.length,
        linesCompared: lines.compared,
        summary,
      };
      await workbench.screenshot('review-export');
      return `${got.length} sentences, ${lines.compared} token lines as expected; "${summary.slice(0, 160)}"`;
    },
  );

  await checks.run('the listings export holds listing fields only', workbench, async () => {
    const { content } = await exportTask('listings');
    const labels = [...new Set([...content.matchAll(/\t[BI]-(\S+)$/gm)].map((m) => m[1]))];
    if (labels.length === 0 || !labels.every((l) => LISTING_FIELDS.includes(l)))
      throw new Error(`labels in the listings export: ${labels.join(' ')}`);
    return `labels ${labels.join(' ')}`;
  });

  await checks.run('the Entities view covers the workspace', workbench, async () => {
    await workbench.openFile('news/briefing.md');
    await workbench.runCommand('Focus on Entities View');
    const pane = page
      .locator('.pane', { has: page.locator('.pane-header', { hasText: 'Entities' }) })
      .first();
    const row = (t) => pane.locator('.monaco-list-row', { hasText: t }).first();
    await harness.poll('the ORG group', () => row(/^ORG/).isVisible(), { timeout: harness.seconds(60) });
    await row(/^ORG/).click();
    await harness.poll('Siemens under ORG', () => row(/^Siemens/).isVisible());
    await row(/^LOC/).click();
    await harness.poll('Brussels under LOC', () => row(/^Brussels/).isVisible());
    const texts = (await pane.locator('.monaco-list-row').allTextContents()).map((t) => t.trim());
    if (texts.some((t) => /^(REF|OWNER|PRICE)/.test(t)))
      throw new Error('listing fields in the entities view');
    await workbench.screenshot('review-entities-view');
    return texts.slice(0, 8).join(' | ');
  });

  await checks.run('labels.json is completed from the contributed JSON schema', workbench, async () => {
    await workbench.runCommand('Spanlight: Open Label Schema');
    await page
      .locator('.editor-group-container.active .tab.active[data-resource-name="labels.json"]')
      .waitFor();
    const schemaFile = path.join(workspace, '.spanlight/labels.json');
    const lines = fs.readFileSync(schemaFile, 'utf8').split('\n');
    // A listing label has only a description: the schema offers its colour and key.
    const at = lines.findIndex((l) => l.includes('"REF": {'));
    await keys.press('Control+G');
    await keys.type(String(at + 1));
    await keys.press('Enter');
    await keys.press('End');
    await keys.press('Enter');
    await keys.type('"');
    const suggest = page.locator('.editor-widget.suggest-widget.visible');
    const offered = await harness.poll(
      'the completion list',
      async () => {
        // JSON's language server starts with the first JSON file; until it answers, VS Code offers
        // the document's words. Ask again until the schema's properties are offered.
        if (!(await suggest.isVisible())) {
          await keys.press('Control+Space');
          return null;
        }
        const properties = (
          await suggest
            .locator('.monaco-list-row', { has: page.locator('.codicon-symbol-property') })
            .allTextContents()
        ).join(' | ');
        if (/color/.test(properties) && /key/.test(properties)) return properties;
        await keys.press('Escape');
        return null;
      },
      { timeout: harness.seconds(30), interval: 1000 },
    );
    await workbench.screenshot('review-schema-completion');
    await keys.press('Escape');
    return offered.slice(0, 160);
  });

  report.screenshots = fs
    .readdirSync(screenshotDir)
    .filter((f) => f.startsWith('review-'))
    .map((f) => path.join('test-results/e2e', f));
  fs.writeFileSync(path.join(screenshotDir, 'review-report.json'), `${JSON.stringify(report, null, 2)}\n`);
}

main()
  .catch((err) => {
    console.error(err);
    checks.results.push({ name: 'scenario', status: 'FAIL', detail: String(err.stack ?? err), ms: 0 });
  })
  .finally(async () => {
    await harness.cleanupAll();
    checks.finish('Review end-to-end results');
  });
