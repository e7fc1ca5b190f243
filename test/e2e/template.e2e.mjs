#!/usr/bin/env node
// End-to-end checks of the listing template panel in a real VS Code (code-server + Chromium):
// open the seed listing, run "Spanlight: Extract Listing", read the seven fields in the panel
// (the values issue 7 names), reveal a span from its link, see an edit of the listing update the
// form, and pick an alternative that is saved as an annotation. Run through scripts/e2e.mjs.
// Screenshots: test-results/e2e/template-*.png (the seed example filled in: template-seed.png).
import fs from 'node:fs';
import path from 'node:path';
import { SEED_RECORD } from '../fixtures/seed-listing.mjs';
import {
  Checks,
  cleanupAll,
  copyWorkspace,
  launchBrowser,
  log,
  poll,
  repoRoot,
  seconds,
  startCodeServer,
  Workbench,
} from './harness.mjs';

const screenshotDir = path.join(repoRoot, 'test-results', 'e2e');
const LISTING = 'listings/villa-cannes.txt';

const checks = new Checks();

/**
 * Runs "Extract Listings in Folder", types `folder` into code-server's folder dialog, accepts it,
 * chooses CSV and returns the path the save dialog then offers (left open).
 */
async function pickFolderAndCsv(workbench, folder) {
  const { page } = workbench;
  await workbench.runCommand('Spanlight: Extract Listings in Folder');
  // code-server's own file dialogs are quick inputs with a path box.
  const input = workbench.quickInput.locator('input');
  await input.waitFor({ state: 'visible', timeout: seconds(20) });
  // The dialog fills in its default path a moment after it shows; text typed before that is
  // appended to it. Wait for the default, then type until the box holds exactly our path.
  await poll(
    'the folder dialog to show its default path',
    async () => (await input.inputValue()).length > 0,
    {
      timeout: seconds(20),
    },
  );
  await poll(
    'the folder path to be typed',
    async () => {
      if ((await input.inputValue()) !== `${folder}/`) await input.fill(`${folder}/`);
      return (await input.inputValue()) === `${folder}/`;
    },
    { timeout: seconds(20) },
  );
  await page.keyboard.press('Enter');
  // Enter either opens the folder in the dialog (then its button accepts it) or accepts it at
  // once, depending on timing: press the button while it is there, until the format pick shows.
  const accept = workbench.quickInput.locator('.monaco-button', { hasText: 'Extract Listings' }).first();
  const csvRow = workbench.quickInput.locator('.monaco-list-row', { hasText: 'CSV' }).first();
  await poll(
    'the CSV/JSON choice after accepting the folder',
    async () => {
      if (await csvRow.isVisible()) return true;
      if (await accept.isVisible()) await accept.click({ timeout: 2000 }).catch(() => undefined);
      return false;
    },
    { timeout: seconds(30) },
  );
  await csvRow.click();
  return poll('the save dialog to offer listings.csv', async () => {
    const value = await input.inputValue().catch(() => '');
    return value.endsWith('listings.csv') ? value : null;
  });
}

/** The webview frame of the panel (the inner frame that holds the page's form), if it is open. */
async function panelFrame(page) {
  for (const frame of page.frames()) {
    const found = await frame.evaluate(() => document.querySelector('#fields') !== null).catch(() => false);
    if (found) return frame;
  }
  return undefined;
}

/** The form's values by field label, or null while the panel or its record is not there. */
async function formValues(page) {
  const frame = await panelFrame(page);
  if (!frame) return null;
  return frame
    .evaluate(() => {
      const rows = [...document.querySelectorAll('#fields .field')];
      if (rows.length === 0) return null;
      return Object.fromEntries(
        rows.map((row) => [row.getAttribute('data-label'), row.querySelector('.value')?.value ?? null]),
      );
    })
    .catch(() => null);
}

const same = (values, expected) =>
  values !== null && Object.entries(expected).every(([label, value]) => values[label] === value);

async function main() {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const workspace = copyWorkspace(path.join(repoRoot, 'test', 'fixtures', 'sample-workspace'));
  const server = await startCodeServer({ workspace });
  const context = await launchBrowser();
  const page = context.pages()[0] ?? (await context.newPage());
  const workbench = new Workbench(page, { screenshotDir });

  const opened = await checks.run(`workbench opens ${LISTING}`, workbench, async () => {
    await workbench.open(server.url);
    await workbench.openFile(LISTING);
    return 'listing shown';
  });
  if (!opened) return;

  const filled = await checks.run(
    '"Spanlight: Extract Listing" fills the seven fields of the seed example',
    workbench,
    async () => {
      await workbench.runCommand('Spanlight: Extract Listing');
      let last = null;
      await poll(
        `the panel's form to show ${JSON.stringify(SEED_RECORD)}`,
        async () => {
          last = await formValues(page);
          return same(last, SEED_RECORD);
        },
        { timeout: seconds(120), interval: 500 },
      ).catch((err) => {
        throw new Error(`${err.message}; last form values: ${JSON.stringify(last)}`);
      });
      const frame = await panelFrame(page);
      const extractor = await frame.textContent('#extractor');
      await workbench.screenshot('template-seed');
      return `${Object.entries(last)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')} (${extractor.replace(/\..*/, '')})`;
    },
  );
  if (!filled) return;

  await checks.run('the Telephone link selects its span in the editor', workbench, async () => {
    const frame = await panelFrame(page);
    await frame.click('#field-PHONE a.reveal');
    const position = page.locator('[id="status.editor.selection"]');
    const text = await poll(
      'the selection of "06.43.43.43.43" (line 4, 14 characters) in the status bar',
      async () => {
        const shown = ((await position.textContent()) ?? '').trim();
        return /Ln 4\b/.test(shown) && /\(14 selected\)/.test(shown) ? shown : null;
      },
      { timeout: seconds(20) },
    );
    return text;
  });

  await checks.run('editing the listing updates the form', workbench, async () => {
    // Type another number over the phone number in the listing.
    await workbench.selectText('06.43.43.43.43');
    await page.keyboard.type('07 11 22 33 44');
    let last = null;
    await poll(
      'Telephone 07 11 22 33 44 in the form',
      async () => {
        last = await formValues(page);
        return last?.PHONE === '07 11 22 33 44';
      },
      { timeout: seconds(30), interval: 300 },
    ).catch((err) => {
      throw new Error(`${err.message}; last form values: ${JSON.stringify(last)}`);
    });
    await workbench.screenshot('template-live-edit');
    return `PHONE=${last.PHONE}`;
  });

  const annotationFile = path.join(workspace, '.spanlight', 'annotations', `${LISTING}.jsonl`);
  await checks.run('picking an alternative saves it as an annotation', workbench, async () => {
    const frame = await panelFrame(page);
    const alternatives = await frame.$$eval('#field-SURFACE .alternative', (bs) =>
      bs.map((b) => b.textContent),
    );
    if (!alternatives.includes('1500 m²'))
      throw new Error(
        `the land area is not offered as a Surface alternative: ${JSON.stringify(alternatives)}`,
      );
    await frame.click('#field-SURFACE .alternative[data-display="1500 m²"]');
    await poll('Surface 1500 m² in the form', async () => (await formValues(page))?.SURFACE === '1500 m²', {
      timeout: seconds(20),
    });
    const spans = await poll(
      `${path.relative(workspace, annotationFile)} with a SURFACE span`,
      () => {
        if (!fs.existsSync(annotationFile)) return null;
        const lines = fs
          .readFileSync(annotationFile, 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l));
        const all = lines.flatMap((r) => (Array.isArray(r.spans) ? r.spans : [r]));
        return all.some((s) => s.label === 'SURFACE') ? all : null;
      },
      { timeout: seconds(30) },
    );
    const surface = spans.find((s) => s.label === 'SURFACE');
    const docText = fs.readFileSync(path.join(workspace, LISTING), 'utf8');
    const onDisk = docText.slice(surface.start, surface.end);
    // The editor's text is unsaved (the previous check typed into it): compare with the span's own text.
    if (!/1\s?500 m²/.test(surface.text ?? onDisk))
      throw new Error(`the SURFACE annotation covers "${surface.text ?? onDisk}"`);
    const source = await frame.textContent('#field-SURFACE .source');
    await workbench.screenshot('template-correction');
    return `annotation ${JSON.stringify(surface)}; the form says "${source}"`;
  });

  await checks.run(
    '"Spanlight: Extract Listings in Folder…" writes a CSV of the folder',
    workbench,
    async () => {
      const folder = path.join(workspace, 'listings');
      const target = path.join(folder, 'listings.csv');
      // code-server's folder dialog can accept the folder it showed before our typed path took
      // effect (seen under load: the workspace root was extracted). The save dialog that follows
      // offers <chosen folder>/listings.csv, so it tells which folder the command got: when it is
      // not ours, cancel (nothing is written) and pick again.
      for (let attempt = 1; ; attempt++) {
        const offered = await pickFolderAndCsv(workbench, folder);
        if (offered === target) break;
        await workbench.closeQuickInput();
        if (attempt === 3) throw new Error(`the folder dialog kept accepting another folder: ${offered}`);
        log(`the folder dialog accepted ${path.dirname(offered)}, not ${folder}; picking again`);
      }
      const csv = await workbench.acceptSaveDialog('listings.csv', () =>
        fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null,
      );
      const [header, ...rows] = csv.trim().split('\n');
      const listingFiles = fs.readdirSync(folder).filter((f) => f.endsWith('.txt'));
      if (rows.length !== listingFiles.length)
        throw new Error(`${rows.length} rows for ${listingFiles.length} listings: ${csv.slice(0, 300)}`);
      const villa = rows.find((r) => r.startsWith('villa-cannes.txt,'));
      if (!villa || !villa.includes(',12390,') || !villa.includes('Mimi LASOURIS'))
        throw new Error(`the villa's row is wrong: ${villa}`);
      await workbench.screenshot('template-folder-export');
      return `${header.split(',').length} columns, ${rows.length} rows; ${villa.slice(0, 90)}…`;
    },
  );

  await checks.run('the panel comes back filled after reloading the window', workbench, async () => {
    await workbench.closeQuickInput();
    const navigated = page.waitForEvent('framenavigated', { timeout: seconds(60) });
    await workbench.runCommand('Developer: Reload Window', { timeout: seconds(30) });
    await navigated;
    await workbench.waitReady();
    let last = null;
    await poll(
      "the restored panel with the listing's record",
      async () => {
        last = await formValues(page);
        return last !== null && last.REF === SEED_RECORD.REF && last.SURFACE === '1500 m²';
      },
      { timeout: seconds(90), interval: 500 },
    ).catch((err) => {
      throw new Error(`${err.message}; last form values: ${JSON.stringify(last)}`);
    });
    await workbench.screenshot('template-after-reload');
    return `REF=${last.REF}, SURFACE=${last.SURFACE} (the correction)`;
  });

  await lyonChecks(page, workbench, workspace);
}

/** The form on the issue's Lyon listing: typed alternatives, refusals, what changed and why, undo. */
async function lyonChecks(page, workbench, workspace) {
  const lyon = 'listings/appartement-lyon.txt';
  const annotationFile = path.join(workspace, '.spanlight', 'annotations', `${lyon}.jsonl`);
  const saved = () =>
    fs.existsSync(annotationFile)
      ? fs
          .readFileSync(annotationFile, 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l))
          .filter((r) => typeof r.start === 'number')
      : [];
  const type = async (label, value) => {
    const frame = await panelFrame(page);
    const input = frame.locator(`#value-${label} input`);
    await input.fill(value);
    await input.press('Enter');
  };
  const note = async (label) => ((await (await panelFrame(page)).textContent(`#note-${label}`)) ?? '').trim();

  const opened = await checks.run(
    `the form follows ${lyon} (the model's "et une" is no Rooms alternative)`,
    workbench,
    async () => {
      // In the first editor group, beside the panel (not in the panel's group, over it).
      await page.keyboard.press('Control+1');
      await workbench.openFile(lyon);
      let last = null;
      await poll(
        'the Lyon record in the form',
        async () => {
          last = await formValues(page);
          return last?.ROOMS === '3' && last?.YEAR === '1930' && last?.OWNER === 'Claire Dubois-Martin';
        },
        { timeout: seconds(90), interval: 500 },
      ).catch((err) => {
        throw new Error(`${err.message}; last form values: ${JSON.stringify(last)}`);
      });
      const frame = await panelFrame(page);
      const extractor = await frame.textContent('#extractor');
      if (!/model \+ rules/.test(extractor)) throw new Error(`not extracted with the model: ${extractor}`);
      const rooms = await frame.$$eval('#field-ROOMS .alternative', (bs) => bs.map((b) => b.textContent));
      if (rooms.length > 0) throw new Error(`Rooms offers alternatives ${JSON.stringify(rooms)}`);
      await workbench.screenshot('template-lyon');
      return `Rooms alternatives: none; ${extractor.replace(/\..*/, '')}`;
    },
  );
  if (!opened) return;

  await checks.run(
    'a typed year that is not in the listing is refused and the field shows its real value',
    workbench,
    async () => {
      await type('YEAR', '1932');
      const said = await poll('a note under Year built', () => note('YEAR'), { timeout: seconds(30) });
      if (!/“1932” does not appear in the listing.*keeps “1930”/.test(said))
        throw new Error(`the note says: ${said}`);
      const value = await poll(
        'Year built back at 1930',
        async () => ((await formValues(page))?.YEAR === '1930' ? '1930' : null),
        {
          timeout: seconds(10),
        },
      );
      if (saved().some((a) => a.label === 'YEAR')) throw new Error('a YEAR annotation was saved');
      await workbench.screenshot('template-refused-year');
      return `field shows ${value}; note: ${said}`;
    },
  );

  await checks.run(
    'a typed owner with a title is saved as the name, and the form says what changed and why',
    workbench,
    async () => {
      await type('OWNER', 'Mme Claire Dubois-Martin');
      const said = await poll('a note under Owner', async () => {
        const text = await note('OWNER');
        return /set to/.test(text) ? text : null;
      });
      if (!/not “Mme Claire Dubois-Martin” as typed: an owner is named without a title/.test(said))
        throw new Error(`the note says: ${said}`);
      const owner = await poll(`${path.basename(annotationFile)} with the OWNER span`, () =>
        saved().find((a) => a.label === 'OWNER'),
      );
      if (owner.text !== 'Claire Dubois-Martin') throw new Error(`OWNER annotation on “${owner.text}”`);
      await poll('Owner as “your correction”', async () =>
        /your correction/.test((await (await panelFrame(page)).textContent('#field-OWNER .source')) ?? ''),
      );
      await workbench.screenshot('template-owner-note');
      return `note: ${said}`;
    },
  );

  await checks.run(
    'Undo in the form takes the correction back; Redo and the editor’s Undo Annotation share that history',
    workbench,
    async () => {
      const frame = await panelFrame(page);
      const title = await frame.getAttribute('#undo', 'title');
      if (!/Undo Owner = “Claire Dubois-Martin”/.test(title ?? ''))
        throw new Error(`the Undo button says “${title}”`);
      await frame.click('#undo');
      await poll('no OWNER annotation after Undo', () => !saved().some((a) => a.label === 'OWNER'), {
        timeout: seconds(20),
      });
      await poll('Owner back to the extracted value', async () =>
        /model|rules/.test((await (await panelFrame(page)).textContent('#field-OWNER .source')) ?? ''),
      );
      await (await panelFrame(page)).click('#redo');
      await poll('the OWNER annotation back after Redo', () => saved().some((a) => a.label === 'OWNER'), {
        timeout: seconds(20),
      });
      // The same step, undone from the editor with its own command.
      await page.keyboard.press('Control+1');
      await workbench.openFile(lyon);
      await workbench.runCommand('Spanlight: Undo Annotation');
      await poll(
        'no OWNER annotation after the editor’s Undo Annotation',
        () => !saved().some((a) => a.label === 'OWNER'),
        {
          timeout: seconds(20),
        },
      );
      const redo = await poll('the form’s Redo offering the owner again', async () => {
        const t = await (await panelFrame(page)).getAttribute('#redo', 'title');
        return /Redo Owner = “Claire Dubois-Martin”/.test(t ?? '') ? t : null;
      });
      await workbench.screenshot('template-undo');
      return `form Undo, Redo, then editor Undo Annotation; the form now offers “${redo}”`;
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
checks.finish(
  'Template panel end-to-end results (screenshot of the seed example: test-results/e2e/template-seed.png)',
);
