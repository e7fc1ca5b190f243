#!/usr/bin/env node
/**
 * The bundled listing template page in Chromium (playwright-core), fed the record extracted (rules
 * only, no TensorFlow) from the seed listing test/fixtures/sample-workspace/listings/villa-cannes.txt
 * through the same functions the extension uses. Checks the fields against the record and the
 * values the issue names, that hostile values render as text, the messages of the reveal links,
 * alternatives and edits, and state restore. Screenshots go to test-results/webview/template-*.png.
 * Run: `node test/webview/template.mjs` (test/webview/run.mjs runs it too).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tsImport } from 'tsx/esm/api';
import { SEED_RECORD } from '../fixtures/seed-listing.mjs';
import { repo, send, shots, startPageHarness } from './harness.mjs';

const seedFile = path.join(repo, 'test/fixtures/sample-workspace/listings/villa-cannes.txt');
const seedText = fs.readFileSync(seedFile, 'utf8');
const HOSTILE = '<img src=x onerror="window.__injected=1">';

const NAMES = {
  REF: 'Reference',
  PRICE: 'Price',
  SURFACE: 'Surface',
  YEAR: 'Year built',
  ROOMS: 'Rooms',
  OWNER: 'Owner',
  PHONE: 'Telephone',
};

let harness;
let record;

const posted = (page) => page.evaluate(() => window.__posted.filter((m) => m.type !== 'ready'));
/** Types `value` into a field of the form; with `commit`, presses Enter (the form then sends it). */
async function typeInto(page, label, value, { commit = true } = {}) {
  const input = page.locator(`#value-${label} input`);
  await input.fill(value);
  if (commit) await input.press('Enter');
}
/** The extension's answer to a value typed in `label`. */
const answer = (page, label, outcome, message) =>
  send(page, [{ type: 'fieldResult', documentUri: record.documentUri, label, outcome, message }]);
const fieldValue = (page, label) => page.$eval(`#value-${label}`, (el) => el.value);

describe('listing template page (bundled, Chromium)', () => {
  before(async () => {
    const { webviewPageHtml } = await tsImport(
      path.join(repo, 'src/extension/webview-page.ts'),
      import.meta.url,
    );
    const { extractRecord } = await tsImport(path.join(repo, 'src/core/extract/index.ts'), import.meta.url);
    const { templateRecord } = await tsImport(
      path.join(repo, 'src/extension/template/record.ts'),
      import.meta.url,
    );
    record = templateRecord(extractRecord(seedText, null), [], {
      documentUri: 'file:///workspace/listings/villa-cannes.txt',
      documentName: 'listings/villa-cannes.txt',
      version: 1,
      extractor: 'rules only (no listing model)',
    });
    harness = await startPageHarness({
      entry: 'webview/template/main.ts',
      name: 'template',
      html: (uris) => webviewPageHtml({ title: 'Spanlight Listing', ...uris }),
      viewport: { width: 900, height: 760 },
      themeVars: { '--vscode-textLink-foreground': '#3794ff' },
    });
  });

  after(async () => {
    await harness?.close();
  });

  it('shows the seven fields of the seed listing with value, confidence, source and span', async () => {
    const { page, context, problems } = await harness.openPage();
    assert.match(await page.textContent('#empty'), /Extracting/);
    await send(page, [{ type: 'templateInit', record }]);
    assert.equal(await page.textContent('#document-name'), 'listings/villa-cannes.txt');
    const names = await page.$$eval('#fields .field .name', (ls) => ls.map((l) => l.textContent));
    assert.deepEqual(names, Object.values(NAMES));
    for (const [label, expected] of Object.entries(SEED_RECORD)) {
      assert.equal(await fieldValue(page, label), expected, label);
      const field = record.fields[label];
      const row = page.locator(`#field-${label}`);
      assert.equal(
        await row.locator('.confidence').textContent(),
        `${Math.round(100 * field.confidence)}%`,
        `${label} confidence`,
      );
      assert.equal(await row.locator('.source').textContent(), field.source);
      assert.equal(await row.locator('a.reveal').textContent(), `“${field.spans[0].text}”`);
      // The link's span is the text of the listing at those offsets.
      const start = Number(await row.locator('a.reveal').getAttribute('data-start'));
      const end = Number(await row.locator('a.reveal').getAttribute('data-end'));
      assert.equal(seedText.slice(start, end), field.spans[0].text);
    }
    // The land area (1 500 m²) is a surface too: offered as an alternative, not chosen.
    const alternatives = await page.$$eval('#field-SURFACE .alternative', (bs) =>
      bs.map((b) => b.textContent),
    );
    assert.deepEqual(
      alternatives,
      record.fields.SURFACE.alternatives.map((a) => a.display),
    );
    assert.ok(alternatives.includes('1500 m²'), JSON.stringify(alternatives));
    await page.screenshot({ path: path.join(shots, 'template-seed.png'), fullPage: true });
    assert.deepEqual(problems, []);
    assert.deepEqual(await page.evaluate(() => window.__violations), [], 'nothing breaks the CSP');
    await context.close();
  });

  it('posts reveal, pickAlternative and editField messages for the record’s document', async () => {
    const { page, context } = await harness.openPage();
    await send(page, [{ type: 'templateInit', record }]);
    const phone = record.fields.PHONE.spans[0];
    await page.click('#field-PHONE a.reveal');
    await page.click('#field-SURFACE .alternative >> text=1500 m²');
    const input = page.locator('#value-ROOMS input');
    await input.fill('3');
    await input.press('Enter');
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'editField'));
    assert.deepEqual(await posted(page), [
      { type: 'reveal', documentUri: record.documentUri, start: phone.start, end: phone.end },
      { type: 'pickAlternative', documentUri: record.documentUri, label: 'SURFACE', display: '1500 m²' },
      { type: 'editField', documentUri: record.documentUri, label: 'ROOMS', value: '3' },
    ]);
    await context.close();
  });

  it('shows a corrected record live, and a notice', async () => {
    const { page, context } = await harness.openPage();
    await send(page, [{ type: 'templateInit', record }]);
    const land = record.fields.SURFACE.alternatives.find((a) => a.display === '1500 m²');
    const corrected = {
      ...record,
      version: 2,
      fields: {
        ...record.fields,
        SURFACE: {
          ...land,
          label: 'SURFACE',
          source: 'annotation',
          confidence: 1,
          alternatives: [{ ...record.fields.SURFACE, alternatives: undefined }],
        },
      },
    };
    await send(page, [
      { type: 'templateRecord', record: corrected },
      { type: 'notice', level: 'info', message: 'SURFACE set to “1 500 m²” (saved as an annotation).' },
    ]);
    assert.equal(await fieldValue(page, 'SURFACE'), '1500 m²');
    assert.equal(await page.textContent('#field-SURFACE .source'), 'your correction');
    assert.match(await page.textContent('#notice'), /saved as an annotation/);
    await send(page, [
      { type: 'templateEmpty', reason: 'Open a listing (a text document) to extract its fields.' },
    ]);
    assert.equal(await page.locator('#fields .field').count(), 0);
    assert.match(await page.textContent('#empty'), /Open a listing/);
    await context.close();
  });

  it('after a refused value the field shows its real value again, with the reason under it', async () => {
    const { page, context, problems } = await harness.openPage();
    await send(page, [{ type: 'templateInit', record }]);
    await typeInto(page, 'YEAR', '1932');
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'editField'));
    // Until the answer comes, the typed value stays (marked as pending).
    assert.equal(await fieldValue(page, 'YEAR'), '1932');
    assert.ok(await page.locator('#value-YEAR.pending').count(), 'pending while unanswered');
    const message =
      '“1932” does not appear in the listing, so it cannot be annotated: Year built keeps “2005”.';
    await answer(page, 'YEAR', 'refused', message);
    assert.equal(await fieldValue(page, 'YEAR'), '2005', 'the field shows its real state');
    assert.equal(await page.locator('#value-YEAR.pending').count(), 0);
    assert.equal(await page.textContent('#note-YEAR'), message);
    assert.equal(await page.getAttribute('#note-YEAR', 'role'), 'alert');
    assert.match(await page.getAttribute('#note-YEAR', 'class'), /refused/);
    await page.screenshot({ path: path.join(shots, 'template-refused.png'), fullPage: true });
    // The answer is kept with the page's state (a reload shows it) and cleared by new typing.
    assert.equal((await page.evaluate(() => window.__state)).notes.YEAR.message, message);
    await typeInto(page, 'YEAR', '19', { commit: false });
    assert.equal(await page.locator('#note-YEAR').isHidden(), true);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('keeps a saved value as typed until the new record comes, then says what was saved and why', async () => {
    const { page, context } = await harness.openPage();
    await send(page, [{ type: 'templateInit', record }]);
    await typeInto(page, 'OWNER', 'mimi lasouris');
    const message =
      'Owner set to “Mimi LASOURIS”, not “mimi lasouris” as typed: the listing writes it “Mimi LASOURIS”. It is saved as an annotation.';
    await answer(page, 'OWNER', 'saved', message);
    assert.equal(await fieldValue(page, 'OWNER'), 'mimi lasouris', 'no flash back to the old value');
    assert.equal(await page.textContent('#note-OWNER'), message);
    const owner = record.fields.OWNER;
    const corrected = {
      ...record,
      version: 2,
      fields: { ...record.fields, OWNER: { ...owner, source: 'annotation', confidence: 1 } },
      history: { undo: 'Owner = “Mimi LASOURIS”', redo: null },
    };
    await send(page, [{ type: 'templateRecord', record: corrected }]);
    assert.equal(await fieldValue(page, 'OWNER'), 'Mimi LASOURIS');
    assert.equal(await page.textContent('#note-OWNER'), message, 'the note stays with the new record');
    await page.screenshot({ path: path.join(shots, 'template-saved-note.png'), fullPage: true });
    await context.close();
  });

  it('does not overwrite a value being typed when a new record comes', async () => {
    const { page, context } = await harness.openPage();
    await send(page, [{ type: 'templateInit', record }]);
    await typeInto(page, 'PRICE', '1 300 000 €', { commit: false });
    await send(page, [{ type: 'templateRecord', record: { ...record, version: 3 } }]);
    assert.equal(await fieldValue(page, 'PRICE'), '1 300 000 €');
    // The field being typed in keeps the focus (given back once the redrawn field is ready).
    await page.waitForFunction(() => document.activeElement?.id === 'value-PRICE', null, { timeout: 5000 });
    assert.ok(!(await posted(page)).some((m) => m.type === 'editField'), 'nothing sent before Enter or blur');
    await context.close();
  });

  it('Undo and Redo walk the document’s annotation history, by button or Ctrl+Alt+Z', async () => {
    const { page, context } = await harness.openPage();
    await send(page, [{ type: 'templateInit', record }]);
    assert.equal(await page.getAttribute('#undo', 'disabled'), '', 'nothing to undo');
    assert.equal(await page.getAttribute('#redo', 'disabled'), '');
    await page.keyboard.press('Control+Alt+KeyZ');
    assert.deepEqual(await posted(page), [], 'no request without a step to undo');
    const withHistory = {
      ...record,
      history: { undo: 'Rooms = “4 pièces”', redo: 'Owner = “Mimi LASOURIS”' },
    };
    await send(page, [{ type: 'templateRecord', record: withHistory }]);
    assert.equal(await page.getAttribute('#undo', 'disabled'), null);
    assert.equal(await page.getAttribute('#undo', 'title'), 'Undo Rooms = “4 pièces” (Ctrl+Alt+Z)');
    assert.equal(
      await page.getAttribute('#redo', 'title'),
      'Redo Owner = “Mimi LASOURIS” (Ctrl+Alt+Shift+Z)',
    );
    await page.click('#undo');
    await page.keyboard.press('Control+Alt+KeyZ');
    await page.keyboard.press('Control+Alt+Shift+KeyZ');
    const uri = record.documentUri;
    assert.deepEqual(await posted(page), [
      { type: 'undo', documentUri: uri },
      { type: 'undo', documentUri: uri },
      { type: 'redo', documentUri: uri },
    ]);
    await context.close();
  });

  it('renders hostile values, names and spans as text', async () => {
    const { page, context, problems } = await harness.openPage();
    const hostileChoice = {
      display: HOSTILE,
      confidence: 0.5,
      source: 'model',
      spans: [{ start: 0, end: 5, text: HOSTILE }],
      warnings: [`<b>${HOSTILE}</b>`],
    };
    const hostile = {
      ...record,
      documentName: `<script>window.__injected=2</script>${HOSTILE}`,
      extractor: HOSTILE,
      fields: {
        ...record.fields,
        OWNER: { ...hostileChoice, label: 'OWNER', alternatives: [hostileChoice] },
      },
    };
    await send(page, [{ type: 'templateRecord', record: hostile }]);
    assert.equal(await page.locator('img').count(), 0, 'no <img> element was created');
    assert.equal(await page.locator('body script').count(), 1, 'only the page’s own script');
    assert.equal(await page.locator('#fields b').count(), 0);
    assert.equal(await fieldValue(page, 'OWNER'), HOSTILE);
    assert.equal(await page.textContent('#field-OWNER a.reveal'), `“${HOSTILE}”`);
    assert.equal(await page.textContent('#field-OWNER .alternative'), HOSTILE);
    assert.ok((await page.textContent('#field-OWNER .warning')).includes(`<b>${HOSTILE}</b>`));
    assert.ok((await page.textContent('#document-name')).startsWith('<script>'));
    await page.hover('#field-OWNER a.reveal');
    assert.equal(await page.evaluate(() => window.__injected ?? null), null);
    await page.screenshot({ path: path.join(shots, 'template-hostile.png'), fullPage: true });
    assert.ok(!problems.some((p) => p.startsWith('dialog')), 'no dialog opened');
    await context.close();
  });

  it('redraws from the saved state after a reload, before the extension answers', async () => {
    const first = await harness.openPage();
    await send(first.page, [{ type: 'templateInit', record }]);
    const saved = await first.page.evaluate(() => window.__state);
    await first.context.close();
    assert.equal(saved.documentUri, record.documentUri);
    const { page, context } = await harness.openPage(saved);
    assert.equal(await page.locator('#fields .field').count(), 7);
    assert.equal(await fieldValue(page, 'PRICE'), SEED_RECORD.PRICE);
    await context.close();
  });
});
