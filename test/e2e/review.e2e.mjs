#!/usr/bin/env node
// End-to-end check of annotation that produces correct training data, in a real VS Code
// (code-server + Chromium), with the keyboard only (the mouse never touches the editor):
//   1. a French listing gets no English entity highlights; made a listing (Choose Task), its fields
//      are accepted with Ctrl+Alt+Shift+Enter;
//   2. an English news document is reviewed through the Review queue in review mode: the script
//      knows the model's suggestions (the same model run through the CLI) and the gold entities,
//      plans the keys (Tab, Right/Left, x, s, m, digits, Shift/Alt+Shift+arrows, Enter), checks
//      the selection after every step, and counts keystrokes per corrected entity (three sentences
//      need a split, a merge and a grown boundary); one sentence is skipped and must stay out of
//      the export;
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
  // Boundaries the model gets wrong: one span over two names, one name in two spans, a word short.
  'Fans of Manchester United Liverpool and Arsenal gathered in London.',
  'Nelson Mandela Bay Municipality is in South Africa.',
  'Prime Minister Boris Johnson met Angela Merkel at 10 Downing Street.',
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
  [
    ['Manchester United', 'ORG'],
    ['Liverpool', 'ORG'],
    ['Arsenal', 'ORG'],
    ['London', 'LOC'],
  ],
  [
    ['Nelson Mandela Bay Municipality', 'LOC'],
    ['South Africa', 'LOC'],
  ],
  [
    ['Boris Johnson', 'PER'],
    ['Angela Merkel', 'PER'],
    ['10 Downing Street', 'LOC'],
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
 * what each correction cost. The editor's spans are simulated as the keys change them (x rejects,
 * s cuts off the last token of a selected span, m merges it with the adjacent next one, Shift /
 * Alt+Shift arrows move its end / start, a digit relabels or labels the selected words), so a
 * split or merged span is corrected further like any other. `entities` is the document's entity
 * list as the editor's Tab sees it (kept up to date here). The correction nearest (in keys) to the
 * current selection goes first.
 */
function plan(sentence, selection, entities) {
  const tokens = sentence.tokens;
  const gold = goldSpans(sentence.line);
  const overlaps = (a, b) => a.start < b.end && b.start < a.end;
  const tokenAt = (offset, edge) => tokens.findIndex((t) => t[edge] === offset);
  const range = (a, b = a) => ({ start: a.start, end: b.end });
  const same = (a, b) => a.start === b.start && a.end === b.end;
  /** No token lies between `a` and the later `b`. */
  const adjacent = (a, b) => tokenAt(a.end, 'end') + 1 === tokenAt(b.start, 'start');
  let spans = sentence.spans.map((x) => ({ start: x.start, end: x.end, label: x.label }));
  /** What still differs from the gold spans. */
  const corrections = () => {
    const todo = [];
    for (const span of spans) {
      const targets = gold.filter((g) => overlaps(g, span));
      if (targets.length === 0) {
        todo.push({ kind: 'reject', span });
        continue;
      }
      if (targets.length > 1) {
        todo.push({ kind: 'split', span });
        continue;
      }
      const [target] = targets;
      const sharing = spans.filter((o) => overlaps(o, target)).sort((a, b) => a.start - b.start);
      const at = sharing.indexOf(span);
      const next = sharing[at + 1];
      // Spans sharing a gold entity: the first merges the next when adjacent, else the others go.
      const mergedIntoPrevious = at > 0 && adjacent(sharing[at - 1], span);
      if (next && adjacent(span, next)) todo.push({ kind: 'merge', span, next, target });
      else if (at > 0 && !mergedIntoPrevious) todo.push({ kind: 'reject', span });
      else if (at > 0) continue;
      else if (!same(span, target) || span.label !== target.label) todo.push({ kind: 'fix', span, target });
    }
    for (const g of gold) if (!spans.some((x) => overlaps(x, g))) todo.push({ kind: 'add', target: g });
    return todo;
  };

  /** Ways from `from` to the entity `to` (Tab, Shift+Tab) or to the first token of `to` (Home, arrows). */
  const routes = (from, to, isEntity) => {
    const options = [];
    if (same(from, to)) return [];
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
  /** Replaces spans `from` (in the simulation and Tab's list) with `to`. */
  const replace = (from, to) => {
    spans = spans.filter((x) => !from.includes(x)).concat(to);
    for (const f of from) {
      const i = entities.findIndex((e) => same(e, f));
      if (i >= 0) entities.splice(i, 1);
    }
    for (const t of to) entities.push(range(t));
  };

  const steps = [];
  let current = { ...selection };
  for (let todo = corrections(); todo.length > 0; todo = corrections()) {
    if (steps.length > 20) throw new Error(`no plan for line ${sentence.line + 1}: ${JSON.stringify(todo)}`);
    const options = todo.map((t) => routes(current, t.span ?? t.target, t.span !== undefined));
    const best = options.reduce((b, o, i) => (o.length < options[b].length ? i : b), 0);
    const item = todo[best];
    const keys = [...options[best]];
    let at = keys.length > 0 ? keys[keys.length - 1].selection : current;
    if (item.kind === 'reject') {
      keys.push({ key: 'x', selection: at });
      replace([item.span], []);
    } else if (item.kind === 'split') {
      const last = tokenAt(item.span.end, 'end');
      const parts = [
        { start: item.span.start, end: tokens[last - 1].end, label: item.span.label },
        { start: tokens[last].start, end: item.span.end, label: item.span.label },
      ];
      at = range(parts[0]);
      keys.push({ key: 's', selection: at });
      replace([item.span], parts);
    } else if (item.kind === 'merge') {
      const merged = { start: item.span.start, end: item.next.end, label: item.span.label };
      at = range(merged);
      keys.push({ key: 'm', selection: at });
      replace([item.span, item.next], [merged]);
    } else {
      let [first, last] = [tokenAt(at.start, 'start'), tokenAt(at.end, 'end')];
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
      replace(item.span ? [item.span] : [], [{ ...range(at), label: item.target.label }]);
    }
    steps.push({ item, keys, selection: at });
    current = at;
  }
  return steps;
}

/** What a planned step does, for the report. */
function describe(item) {
  const quote = (x) => `${text.slice(x.start, x.end)} ${x.label}`;
  if (item.kind === 'reject') return `reject ${quote(item.span)}`;
  if (item.kind === 'split') return `split ${quote(item.span)}`;
  if (item.kind === 'merge') return `merge ${quote(item.span)} + ${quote(item.next)}`;
  if (item.kind === 'add') return `add ${quote(item.target)}`;
  return `${quote(item.span)} → ${quote(item.target)}`;
}

/**
 * The entities of a sentence the annotator had to correct: gold entities the model did not give
 * exactly (boundaries and label), and model spans that are no entity at all.
 */
function correctedEntities(sentence) {
  const gold = goldSpans(sentence.line);
  const exact = (a, b) => a.start === b.start && a.end === b.end && a.label === b.label;
  const missed = gold.filter((g) => !sentence.spans.some((x) => exact(x, g))).map((g) => g.text);
  const spurious = sentence.spans
    .filter((x) => !gold.some((g) => g.start < x.end && x.start < g.end))
    .map((x) => `not ${text.slice(x.start, x.end)}`);
  return [...missed, ...spurious];
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
  const report = { corrections: [], correctedEntities: [], enters: 0, skipped: 0 };

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
          report.corrections.push({
            line: sentence.line + 1,
            step: describe(step.item),
            keys: step.keys.map((k) => k.key),
            selection: now?.shown,
          });
        }
        report.correctedEntities.push(...correctedEntities(sentence));
        await keys.press('Enter');
        report.enters++;
      }
      const missing = BRIEFING.map((_, i) => i).filter((i) => !seen.has(i));
      if (missing.length > 0) throw new Error(`lines never opened by the queue: ${missing.join(', ')}`);
      const total = report.corrections.reduce((n, c) => n + c.keys.length, 0);
      report.keystrokesPerCorrectedEntity = total / report.correctedEntities.length;
      report.correctionKeystrokes = total;
      report.allKeystrokes = total + report.enters + report.skipped;
      return `${report.correctedEntities.length} corrected entities (${report.corrections.length} edits), ${total} keys (${report.keystrokesPerCorrectedEntity.toFixed(2)} per entity); ${report.enters} Enter, ${report.skipped} skip`;
    },
  );

  await checks.run('keystrokes per corrected entity are at most 3 on average', workbench, async () => {
    if (!reviewed) throw new Error('the review did not complete');
    for (const c of report.corrections) harness.log(`  line ${c.line}: ${c.step}: ${c.keys.join(' ')}`);
    if (report.keystrokesPerCorrectedEntity > 3)
      throw new Error(`${report.keystrokesPerCorrectedEntity.toFixed(2)} keys per corrected entity`);
    return `${report.keystrokesPerCorrectedEntity.toFixed(2)}`;
  });

  /** Exports a task's reviewed sentences as CoNLL to the file the save dialog offers. */
  const exportTask = async (task) => {
    await workbench.runCommand('Spanlight: Export Annotations as Training Data');
    await harness.answerQuickPick(workbench, 'which task', new RegExp(`^\\s*${task}`));
    await harness.answerQuickPick(workbench, 'format', /CoNLL/);
    const file = path.join(workspace, `annotations-${task}.conll`);
    const content = await workbench.acceptSaveDialog('.conll', () =>
      fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null,
    );
    const toast = page.locator('.notifications-toasts .notification-list-item', {
      hasText: `of ${task} from`,
    });
    const summary = ((await toast.first().textContent({ timeout: harness.seconds(30) })) ?? '').replace(
      /\s+/g,
      ' ',
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

  await checks.run('a rejection is struck through, and its hover says so', workbench, async () => {
    await workbench.openFile('news/briefing.md');
    const struck = await harness.poll('Brexit struck through', async () =>
      (await workbench.decorationsOn('Brexit')).some((d) => d.textDecoration.includes('line-through')),
    );
    const hover = await workbench.hoverText('Brexit');
    if (!/rejected/.test(hover)) throw new Error(`hover over a rejection: ${hover}`);
    await workbench.screenshot('review-rejection-hover');
    await keys.press('Escape');
    return `${struck ? 'struck through' : ''}; hover "${hover.replace(/\s+/g, ' ').slice(0, 100)}"`;
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

  await checks.run(
    'the Entities view searches, and its context menu accepts all occurrences',
    workbench,
    async () => {
      const pane = page
        .locator('.pane', { has: page.locator('.pane-header', { hasText: 'Entities' }) })
        .first();
      const rows = pane.locator('.monaco-list-row');
      const row = (t) => rows.filter({ hasText: t }).first();
      await pane.locator('.pane-header').hover();
      await pane.locator('.action-label[aria-label^="Search Entities"]').click();
      await harness.answerInputBox(workbench, 'Search entities', 'air');
      const found = await harness.poll('only Airbus found', async () => {
        const texts = (await rows.allTextContents()).map((t) => t.trim());
        return texts.some((t) => /^Airbus/.test(t)) && !texts.some((t) => /^(Siemens|Brussels)/.test(t))
          ? texts
          : null;
      });
      if (!/suggested/.test((await row(/^Airbus/).textContent()) ?? ''))
        throw new Error('Airbus is not a suggestion before');
      await row(/^Airbus/).click({ button: 'right' });
      const item = page.locator('.monaco-menu .action-item', { hasText: 'Accept All Occurrences' });
      await item.waitFor({ state: 'visible', timeout: harness.seconds(10) });
      await workbench.screenshot('review-entities-menu');
      await item.click();
      const after = await harness.poll('Airbus accepted', async () => {
        const t = ((await row(/^Airbus/).textContent()) ?? '').trim();
        return /all annotated/.test(t) ? t : null;
      });
      await workbench.runCommand('Spanlight: Clear Entity Search');
      return `search "air": ${found.join(' | ')}; after the menu: ${after}`;
    },
  );

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
