#!/usr/bin/env node
// End-to-end check that Spanlight's decorations never move the document's glyphs: a news text
// with long lines is shown with entities and parts of speech on, and again with everything off,
// word-wrapped and not, at two editor zoom levels; every character's box (from the DOM, injected
// label text left out) is compared between the two. Screenshots: test-results/e2e/layout-*.png.
import fs from 'node:fs';
import path from 'node:path';
import {
  answerQuickPick,
  Checks,
  cleanupAll,
  log,
  openWorkbench,
  poll,
  repoRoot,
  seconds,
  waitQuickInputTitled,
} from './harness.mjs';

const screenshotDir = path.join(repoRoot, 'test-results', 'e2e');
const tag = process.env.SPANLIGHT_LAYOUT_TAG ? `-${process.env.SPANLIGHT_LAYOUT_TAG}` : '';
const DOC = 'layout.md';
const TEXT = [
  '# Markets',
  '',
  "LONDON (Reuters) - Britain's finance minister Rachel Reeves said on Tuesday that the Bank of England would keep its independence, after Prime Minister Keir Starmer met executives from Barclays, HSBC and Lloyds in London to discuss plans to open new offices in Manchester and Leeds next year, a spokesman for Downing Street said.",
  '',
  'Angela Merkel met Emmanuel Macron in Paris on Tuesday to discuss the budget of the European Union.',
  'Later that day, Apple announced that Tim Cook would visit its new offices in London.',
  '',
  'Microsoft and Google are both opening research labs in Toronto, according to Sarah Thompson, a spokesperson for the University of Toronto, who told Reuters that the labs would employ more than two hundred researchers from Canada, the United States and Europe by the end of next year.',
  '',
].join('\n');

/** Human annotations of the text (solid borders, bold): their style must not move glyphs either. */
function annotationFile() {
  const annotate = (needle, label) => {
    const start = TEXT.indexOf(needle);
    return { start, end: start + needle.length, label, text: needle, origin: 'human' };
  };
  return [
    { format: 'spanlight-annotations', version: 1, document: DOC },
    annotate('Downing Street', 'LOC'),
    annotate('Sarah Thompson', 'PER'),
  ]
    .map((record) => JSON.stringify(record))
    .join('\n');
}

/**
 * Every visible character of the active editor's text in reading order, with its box (relative to
 * its view line, and on the page), the boxes of text the editor injected (inlay hints), and the
 * boxes of the highlight overlays. CSS ::before/::after content is not text, so it never counts
 * as a character.
 */
async function measure(workbench) {
  return workbench.activeEditor.evaluate((editor) => {
    const scrollable = editor.querySelector('.monaco-scrollable-element.editor-scrollable');
    const vertical = scrollable.querySelector('.scrollbar.vertical');
    const visibleRight =
      scrollable.getBoundingClientRect().right - (vertical ? vertical.getBoundingClientRect().width : 0);
    const lines = [...editor.querySelectorAll('.view-lines .view-line')]
      .map((line) => ({ line, box: line.getBoundingClientRect() }))
      .sort((a, b) => a.box.top - b.box.top);
    const boxOf = (node, from, to) => {
      const range = document.createRange();
      range.setStart(node, from);
      range.setEnd(node, to);
      return range.getBoundingClientRect();
    };
    const chars = [];
    const labels = [];
    lines.forEach(({ line, box }, lineIndex) => {
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        // Document text sits in token spans (class mtk…); text the editor injects (inlay hints)
        // is styled by a dynamic rule (dyn-rule-…), or has no token class at all.
        const classes = [...(node.parentElement?.classList ?? [])];
        const isDocumentText =
          classes.some((c) => /^mtk\d+$/.test(c)) && !classes.some((c) => c.startsWith('dyn-rule-'));
        if (!isDocumentText) {
          if (!node.data.trim()) continue;
          const r = boxOf(node, 0, node.data.length);
          labels.push({ text: node.data, line: lineIndex, left: r.left, right: r.right });
          continue;
        }
        for (let i = 0; i < node.data.length; i++) {
          const ch = node.data[i];
          if (/\s|\u00a0/.test(ch)) continue;
          const r = boxOf(node, i, i + 1);
          chars.push({
            ch,
            line: lineIndex,
            x: r.left - box.left,
            top: r.top - box.top,
            bottom: r.bottom - box.top,
            page: { left: r.left, right: r.right, top: r.top, bottom: r.bottom },
          });
        }
      }
    });
    const highlights = [...editor.querySelectorAll('.view-overlays [class*="TextEditorDecorationType"]')]
      .map((el) => el.getBoundingClientRect())
      .filter((r) => r.width > 0)
      .map((r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom }));
    return {
      chars,
      labels,
      highlights,
      lineHeights: [...new Set(lines.map((l) => Math.round(l.box.height * 100) / 100))],
      lines: lines.length,
      visibleRight,
    };
  });
}

/** Decoration elements and injected label texts in the active editor: what "on" draws. */
async function drawn(workbench) {
  const [decos, measured] = await Promise.all([workbench.decorations(), measure(workbench)]);
  return { count: decos.length + measured.labels.length };
}

/** Waits until the drawing settles: the same count of decorations twice, 1 s apart, satisfying `ok`. */
async function settled(workbench, what, ok) {
  let last = -1;
  let seen;
  return poll(
    what,
    async () => {
      seen = await drawn(workbench);
      const stable = seen.count === last && ok(seen.count);
      last = seen.count;
      return stable ? seen : null;
    },
    { timeout: seconds(60), interval: 1000 },
  ).then(
    (done) => done.count,
    (err) => {
      throw new Error(`${err.message}; ${seen?.count} drawn`);
    },
  );
}

/**
 * Rows (view lines) whose first text is a label name: a tag that word wrap tore from its word.
 * VS Code may wrap after its break-after characters (`.`, `,`, `)` …) whatever follows, so the
 * tag of a token ending in one (". _PUNCT") may start a row: those are not counted.
 */
async function rowsStartingWithLabel(workbench) {
  return workbench.activeEditor.evaluate((editor) => {
    const injected = (node) =>
      [...(node.parentElement?.classList ?? [])].some((c) => c.startsWith('dyn-rule-'));
    const rows = [...editor.querySelectorAll('.view-lines .view-line')].sort(
      (a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top,
    );
    let lastChar = '';
    const torn = [];
    for (const row of rows) {
      const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
      let first = true;
      let rowLast = '';
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.data.trim()) continue;
        if (first && injected(node) && !/[})\]?|/&.,;]$/.test(lastChar))
          torn.push(row.textContent.slice(0, 30));
        first = false;
        if (!injected(node)) rowLast = node.data.trimEnd();
      }
      lastChar = rowLast;
    }
    return torn;
  });
}

async function showMode(workbench, row) {
  await workbench.runCommand('Spanlight: Choose What to Show');
  await answerQuickPick(workbench, 'Spanlight: what to show', row);
}

const px = (v) => `${v.toFixed(1)} px`;
const spread = (values) => (values.length ? `${px(Math.min(...values))}–${px(Math.max(...values))}` : 'none');
const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5;

/**
 * What decorations did to the text: `off` and `on` measure the same text without and with them.
 * Glyphs may move sideways (label names take room) but never up or down; nothing may cover a
 * glyph; highlights must hold their glyphs; wrapped text must stay inside the editor.
 */
function compare(off, on) {
  const problems = [];
  const text = (m) => m.chars.map((c) => c.ch).join('');
  if (text(off) !== text(on)) problems.push('the characters differ in reading order');
  let movedVertically = 0;
  let movedHorizontally = 0;
  let maxDy = 0;
  const n = Math.min(off.chars.length, on.chars.length);
  for (let i = 0; i < n; i++) {
    const a = off.chars[i];
    const b = on.chars[i];
    const dy = Math.max(Math.abs(a.top - b.top), Math.abs(a.bottom - b.bottom));
    if (dy > 0.5) movedVertically++;
    if (Math.abs(a.x - b.x) > 0.5 || a.line !== b.line) movedHorizontally++;
    maxDy = Math.max(maxDy, dy);
  }
  const cutOff = (m) => m.chars.filter((c) => c.page.right > m.visibleRight + 0.5).length;
  // Covered: a glyph overlapping the next glyph or a label on its view line.
  let covered = 0;
  on.chars.forEach((c, i) => {
    const next = on.chars[i + 1];
    if (next && next.line === c.line && overlap(c.page, next.page)) covered++;
    if (on.labels.some((l) => l.line === c.line && overlap(c.page, l))) covered++;
  });
  // Outside: a glyph under a highlight (same row, centre inside it) reaching above or below it.
  const outside = on.chars.filter((c) => {
    const cx = (c.page.left + c.page.right) / 2;
    const cy = (c.page.top + c.page.bottom) / 2;
    return on.highlights.some(
      (h) =>
        h.left <= cx &&
        cx <= h.right &&
        h.top <= cy &&
        cy <= h.bottom &&
        (c.page.top < h.top - 0.5 || c.page.bottom > h.bottom + 0.5),
    );
  }).length;
  return {
    problems,
    characters: on.chars.length,
    movedVertically,
    movedHorizontally,
    maxDy,
    cutOffOn: cutOff(on),
    cutOffOff: cutOff(off),
    covered,
    outsideHighlights: outside,
    highlights: on.highlights.length,
    labels: on.labels.length,
    glyphTopOn: spread(on.chars.map((c) => c.top)),
    glyphBottomOn: spread(on.chars.map((c) => c.bottom)),
    glyphTopOff: spread(off.chars.map((c) => c.top)),
    glyphBottomOff: spread(off.chars.map((c) => c.bottom)),
    lineHeightsOn: on.lineHeights,
    lineHeightsOff: off.lineHeights,
    viewLinesOn: on.lines,
    viewLinesOff: off.lines,
  };
}

function summarize(r) {
  return (
    `${r.characters} characters, ${r.labels} label texts, ${r.highlights} highlight boxes; glyph tops ` +
    `${r.glyphTopOn} (off ${r.glyphTopOff}), bottoms ${r.glyphBottomOn} (off ${r.glyphBottomOff}); ` +
    `line heights ${r.lineHeightsOn} (off ${r.lineHeightsOff}); view lines ${r.viewLinesOn} (off ${r.viewLinesOff}); ` +
    `${r.movedVertically} moved vertically (max ${px(r.maxDy)}), ${r.movedHorizontally} sideways; ` +
    `${r.covered} covered; ${r.outsideHighlights} outside their highlight; ${r.cutOffOn} past the right edge (off ${r.cutOffOff})`
  );
}

async function main() {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const settings = { 'editor.wordWrap': 'on', 'editor.minimap.enabled': false };
  const { workspace, page, workbench } = await openWorkbench({
    fixture: path.join(repoRoot, 'test', 'fixtures', 'sample-workspace'),
    files: {
      [DOC]: TEXT,
      [`.spanlight/annotations/${DOC}.jsonl`]: `${annotationFile()}\n`,
      '.vscode/settings.json': JSON.stringify(settings),
    },
    screenshotDir,
  });
  const checks = new Checks();
  const figures = [];

  /** Measures the text as `mode` shows it, then with everything off; screenshots both. */
  const measureBoth = async (name, mode, expectDrawn) => {
    await workbench.activeEditor.click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+Home');
    await showMode(workbench, mode);
    await settled(workbench, `${mode} drawn`, (c) => c > expectDrawn);
    await page.mouse.move(5, 5);
    await workbench.screenshot(`layout${tag}-${name}-on`);
    const on = await measure(workbench);
    const tornRows = await rowsStartingWithLabel(workbench);
    await showMode(workbench, 'Off');
    await settled(workbench, 'nothing drawn', (c) => c === 0);
    await workbench.screenshot(`layout${tag}-${name}-off`);
    const result = { ...compare(await measure(workbench), on), tornRows };
    figures.push({ name, ...result });
    log(name, JSON.stringify(result));
    return result;
  };

  const opened = await checks.run(`${DOC} opens with entities and parts of speech`, workbench, async () => {
    await workbench.openFile(DOC);
    await showMode(workbench, 'Both');
    const count = await settled(workbench, 'entity and POS decorations on the document', (c) => c > 40);
    return `${count} decoration elements and label texts`;
  });
  if (!opened) return { checks, figures };

  await checks.run(
    'highlights alone (no label names) leave every glyph where it was',
    workbench,
    async () => {
      fs.writeFileSync(
        path.join(workspace, '.vscode', 'settings.json'),
        JSON.stringify({ ...settings, 'spanlight.display.showLabelNames': false }),
      );
      try {
        const r = await measureBoth('zoom0-wrapped-highlights', 'Entities', 10);
        const failures = [...r.problems];
        if (r.labels > 0) failures.push(`${r.labels} label texts with label names off`);
        if (r.movedVertically + r.movedHorizontally > 0)
          failures.push(`${r.movedVertically + r.movedHorizontally} characters moved`);
        if (r.outsideHighlights > 0)
          failures.push(`${r.outsideHighlights} glyphs stick out of their highlight`);
        if (failures.length) throw new Error(`${failures.join('; ')} (${summarize(r)})`);
        return summarize(r);
      } finally {
        fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(settings));
      }
    },
  );

  await checks.run('Ctrl+click on an entity’s label name offers to change it', workbench, async () => {
    await showMode(workbench, 'Both');
    const names = await poll('label names after “Sarah Thompson”', () =>
      workbench.labelsAfter('Sarah Thompson'),
    );
    if (!/\bPER$/.test(names))
      throw new Error(`“Sarah Thompson” is followed by “${names}”, not its label PER`);
    // Told apart at a glance: the POS tag joined to its word ("_PROPN"), the entity label apart.
    if (!/^_[A-Z]+ PER$/.test(names))
      throw new Error(`“Sarah Thompson” is followed by “${names}”, not a “_TAG” POS hint then PER`);
    const label = workbench.activeEditor.locator('.view-line span[class*="dyn-rule-"]', { hasText: /^PER$/ });
    const box = await workbench.textBox('Sarah Thompson');
    // The PER right after the name (the first PER hint on its row, right of it).
    const boxes = await label.evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2, left: r.left };
      }),
    );
    const target = boxes
      .filter((b) => b.y > box.top && b.y < box.bottom && b.left >= box.right - 1)
      .sort((a, b) => a.left - b.left)[0];
    if (!target) throw new Error('no PER hint right of “Sarah Thompson”');
    // Inlay hint commands run on the editor's "go to definition" gesture (Ctrl+click here).
    await page.mouse.move(target.x, target.y);
    await page.keyboard.down('Control');
    try {
      await page.mouse.click(target.x, target.y);
    } finally {
      await page.keyboard.up('Control');
    }
    const widget = await waitQuickInputTitled(workbench, 'Change label of “Sarah Thompson”');
    await workbench.screenshot(`layout${tag}-label-click`);
    const rows = (await widget.locator('.monaco-list-row').allTextContents()).map((t) => t.trim());
    await workbench.closeQuickInput();
    return `“Sarah Thompson” ${names}; the click opened “Change label of …” with ${rows.length} labels`;
  });

  for (const zoom of ['zoom0', 'zoom+2']) {
    if (zoom !== 'zoom0') {
      await checks.run('the editor font zooms in twice (Increase Editor Font Size)', workbench, async () => {
        const before = (await measure(workbench)).lineHeights[0];
        for (let i = 0; i < 2; i++) await workbench.runCommand('Increase Editor Font Size');
        const after = await poll('a taller line', async () => {
          const h = (await measure(workbench)).lineHeights[0];
          return h > before ? h : null;
        });
        return `line height ${before} → ${after} px`;
      });
    }
    for (const wrap of ['wrapped', 'unwrapped']) {
      const name = `${zoom}-${wrap}`;
      await checks.run(
        `${name}, entities and POS: no glyph moves up or down, none is covered or cut off`,
        workbench,
        async () => {
          // View: Toggle Word Wrap, for this editor only.
          if (wrap === 'unwrapped') await page.keyboard.press('Alt+Z');
          try {
            const r = await measureBoth(name, 'Both', 40);
            const failures = [...r.problems];
            if (r.labels === 0) failures.push('no label names shown');
            if (r.movedVertically > 0) failures.push(`${r.movedVertically} characters moved up or down`);
            if (String(r.lineHeightsOn) !== String(r.lineHeightsOff))
              failures.push('the line height changed');
            if (r.covered > 0)
              failures.push(`${r.covered} characters covered by a label or another character`);
            if (r.outsideHighlights > 0)
              failures.push(`${r.outsideHighlights} glyphs stick out of their highlight`);
            if (wrap === 'wrapped' && r.cutOffOn > 0)
              failures.push(`${r.cutOffOn} characters cut off at the right edge`);
            if (r.tornRows.length > 0)
              failures.push(`rows start with a label torn from its word: ${r.tornRows.join(' | ')}`);
            if (failures.length) throw new Error(`${failures.join('; ')} (${summarize(r)})`);
            return summarize(r);
          } finally {
            if (wrap === 'unwrapped') await page.keyboard.press('Alt+Z');
          }
        },
      );
    }
  }
  return { checks, figures };
}

let outcome;
try {
  outcome = await main();
} catch (err) {
  console.error('[e2e] layout setup failed:', err);
} finally {
  await cleanupAll();
}
if (!outcome) process.exit(1);
// The figures (glyph offsets, moves, cut-off counts per state) for reports and before/after comparisons.
fs.writeFileSync(
  path.join(screenshotDir, `layout${tag}.json`),
  `${JSON.stringify(outcome.figures, null, 2)}\n`,
);
outcome.checks.finish('Layout end-to-end checks');
