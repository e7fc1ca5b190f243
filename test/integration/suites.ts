/// <reference types="mocha" />
/**
 * Integration tests inside a real extension host: decorations for the right labels, every
 * command, annotation persistence and edits shifting spans. They wait on the extension's events
 * (onDidRender, whenIdle), never on fixed sleeps.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { SpanlightApi } from '../../src/extension/api';
import { CommandId } from '../../src/extension/ids';

const EXTENSION_ID = 'spanlight.spanlight';

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the sample workspace open');
  return folder.uri.fsPath;
}

async function api(): Promise<SpanlightApi> {
  const extension = vscode.extensions.getExtension<SpanlightApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.isActive ? extension.exports : await extension.activate();
}

/** Resolves when `predicate` holds, checking after every redraw of `uri` (and once now). */
async function until<T>(
  spanlight: SpanlightApi,
  uri: vscode.Uri,
  predicate: () => T | undefined | false,
  what: string,
  timeoutMs = 45_000,
): Promise<T> {
  const now = predicate();
  if (now) return now;
  return await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const listener = spanlight.onDidRender((rendered) => {
      if (rendered.toString() !== uri.toString()) return;
      const value = predicate();
      if (value) {
        clearTimeout(timer);
        listener.dispose();
        resolve(value);
      }
    });
  });
}

async function open(relative: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), relative));
  return await vscode.window.showTextDocument(document);
}

function select(editor: vscode.TextEditor, text: string, from = 0, to = text.length): void {
  const start = editor.document.getText().indexOf(text);
  assert.ok(start >= 0, `${text} is in the document`);
  editor.selection = new vscode.Selection(
    editor.document.positionAt(start + from),
    editor.document.positionAt(start + to),
  );
}

const textOf = (document: vscode.TextDocument, [start, end]: [number, number]) =>
  document.getText(new vscode.Range(document.positionAt(start), document.positionAt(end)));

function layerTexts(spanlight: SpanlightApi, document: vscode.TextDocument, layer: string): string[] {
  return (spanlight.drawnLayers(document.uri)[layer] ?? []).map((r) => textOf(document, r));
}

suite('Spanlight in VS Code', () => {
  let spanlight: SpanlightApi;

  suiteSetup(async () => {
    spanlight = await api();
    await vscode.commands.executeCommand(CommandId.ChooseDisplayMode, 'entities');
    const model = path.join(workspaceRoot(), '.spanlight/models/fixture-ner');
    const info = await vscode.commands.executeCommand<{ name: string } | undefined>(
      CommandId.SelectModel,
      model,
    );
    assert.equal(info?.name, 'fixture-ner');
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('activates without loading TensorFlow, and reports how long activation took', async () => {
    assert.ok(Number.isFinite(spanlight.activationMs) && spanlight.activationMs > 0);
    // A figure for the record, not a timed assertion: timings on shared CI machines are noisy.
    const results = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'test-results');
    fs.mkdirSync(results, { recursive: true });
    fs.writeFileSync(
      path.join(results, 'activation.json'),
      `${JSON.stringify({ activationMs: spanlight.activationMs, host: vscode.env.appName }, null, 2)}\n`,
    );
    console.log(`Spanlight activated in ${spanlight.activationMs.toFixed(1)} ms (${vscode.env.appName})`);
    if (process.platform === 'linux') {
      const maps = fs.readFileSync('/proc/self/maps', 'utf8');
      assert.ok(!maps.includes('libtensorflow'), 'the extension host never maps libtensorflow');
    }
  });

  test('registers every command declared in package.json', async () => {
    const declared = (
      vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands as Array<{
        command: string;
      }>
    ).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of declared) assert.ok(registered.has(id), `${id} is registered`);
    assert.deepEqual(new Set(declared), new Set(Object.values(CommandId)));
  });

  test('decorates model suggestions with the labels the model gave them', async () => {
    const editor = await open('news.md');
    const document = editor.document;
    const suggestions = await until(
      spanlight,
      document.uri,
      () => spanlight.suggestions(document.uri).length > 0 && spanlight.suggestions(document.uri),
      'suggestions in news.md',
    );
    for (const s of suggestions) {
      assert.ok(['PER', 'ORG', 'LOC'].includes(s.label), `${s.label} is one of the model's labels`);
      assert.equal(document.getText().slice(s.start, s.end), s.text, 'a suggestion covers its own text');
    }
    await spanlight.whenIdle(document.uri);
    const drawn = spanlight.drawnLayers(document.uri);
    for (const label of new Set(suggestions.map((s) => s.label))) {
      assert.deepEqual(
        layerTexts(spanlight, document, `suggested:${label}`),
        spanlight
          .suggestions(document.uri)
          .filter((s) => s.label === label)
          .map((s) => s.text),
        `the suggested:${label} layer draws exactly the ${label} suggestions`,
      );
    }
    assert.ok(Object.keys(drawn).every((id) => id.startsWith('suggested:') || id.startsWith('annotated:')));
    // The fixture model was trained on sentences like these: it finds the obvious ones.
    assert.ok(layerTexts(spanlight, document, 'suggested:PER').includes('Angela Merkel'));
    assert.ok(layerTexts(spanlight, document, 'suggested:LOC').includes('London'));
  });

  test('labels a selection snapped to whole tokens, persists it, and refuses overlaps', async () => {
    const editor = await open('notes.txt');
    const document = editor.document;
    select(editor, 'Sarah Johnson', 2, 9); // "rah Joh" → "Sarah Johnson"
    await vscode.commands.executeCommand(CommandId.LabelSelection, 'PER');
    const annotations = spanlight.annotations(document.uri);
    assert.deepEqual(
      annotations.map((a) => [a.text, a.label, a.origin]),
      [['Sarah Johnson', 'PER', 'human']],
    );
    await until(
      spanlight,
      document.uri,
      () => layerTexts(spanlight, document, 'annotated:PER').includes('Sarah Johnson'),
      'the annotation drawn',
    );

    select(editor, 'Johnson from Acme');
    await vscode.commands.executeCommand(CommandId.LabelSelection, 'ORG');
    assert.equal(spanlight.annotations(document.uri).length, 1, 'the overlapping span was refused');

    await spanlight.flushAnnotations();
    const file = path.join(workspaceRoot(), '.spanlight/annotations/notes.txt.jsonl');
    const lines = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines[0].document, 'notes.txt');
    assert.deepEqual(
      lines.slice(1).map((l: { text: string }) => l.text),
      ['Sarah Johnson'],
    );
  });

  test('shifts annotations through edits and drops one whose text is deleted', async () => {
    const editor = await open('notes.txt');
    const document = editor.document;
    await until(
      spanlight,
      document.uri,
      () => spanlight.annotations(document.uri).length > 0 || undefined,
      'annotations restored',
    );
    select(editor, 'David Chen');
    await vscode.commands.executeCommand(CommandId.LabelSelection, 'PER');
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'URGENT — '));
    const texts = () =>
      spanlight.annotations(document.uri).map((a) => document.getText().slice(a.start, a.end));
    assert.deepEqual(texts(), ['Sarah Johnson', 'David Chen']);
    for (const a of spanlight.annotations(document.uri))
      assert.equal(document.getText().slice(a.start, a.end), a.text);

    const start = document.getText().indexOf('David Chen');
    await editor.edit((b) =>
      b.delete(new vscode.Range(document.positionAt(start), document.positionAt(start + 5))),
    );
    assert.deepEqual(texts(), ['Sarah Johnson'], 'the span typed into is gone, not left on other text');
    await vscode.commands.executeCommand('undo');
    await vscode.commands.executeCommand('undo');
    await document.save();
  });

  test('undo and redo annotation actions', async () => {
    const editor = await open('listings/flat-london.txt');
    const document = editor.document;
    select(editor, 'John Smith');
    await vscode.commands.executeCommand(CommandId.LabelSelection, 'PER');
    assert.equal(spanlight.annotations(document.uri).length, 1);
    await vscode.commands.executeCommand(CommandId.UndoAnnotation);
    assert.equal(spanlight.annotations(document.uri).length, 0);
    await vscode.commands.executeCommand(CommandId.RedoAnnotation);
    assert.deepEqual(
      spanlight.annotations(document.uri).map((a) => a.text),
      ['John Smith'],
    );
    select(editor, 'John Smith', 1, 1);
    await vscode.commands.executeCommand(CommandId.ChangeLabel, undefined, 'ORG');
    assert.deepEqual(
      spanlight.annotations(document.uri).map((a) => a.label),
      ['ORG'],
    );
    await vscode.commands.executeCommand(CommandId.RemoveLabel);
    assert.equal(spanlight.annotations(document.uri).length, 0);
  });

  test('accepts suggestions, rejects one with Remove Label, and moves between entities', async () => {
    const editor = await open('news.md');
    const document = editor.document;
    await until(spanlight, document.uri, () => spanlight.suggestions(document.uri).length > 0, 'suggestions');
    await spanlight.whenIdle(document.uri);
    const first = spanlight.suggestions(document.uri)[0]!;
    editor.selection = new vscode.Selection(
      document.positionAt(first.start + 1),
      document.positionAt(first.start + 1),
    );
    await vscode.commands.executeCommand(CommandId.RemoveLabel);
    const rejected = spanlight.annotations(document.uri).find((a) => a.start === first.start);
    assert.equal(rejected?.label, 'O');
    assert.ok(
      !layerTexts(spanlight, document, `suggested:${first.label}`).includes(first.text) ||
        spanlight.suggestions(document.uri).filter((s) => s.text === first.text).length > 1,
      'the rejected suggestion is hidden',
    );

    select(editor, 'Later that day', 0, 0);
    const line = document.positionAt(document.getText().indexOf('Later that day')).line;
    editor.selection = new vscode.Selection(line, 0, line, document.lineAt(line).text.length);
    const inLine = spanlight
      .suggestions(document.uri)
      .filter((s) => document.positionAt(s.start).line === line);
    await vscode.commands.executeCommand(CommandId.AcceptSuggestions);
    const accepted = spanlight.annotations(document.uri).filter((a) => a.origin === 'accepted');
    assert.deepEqual(
      accepted.map((a) => a.text),
      inLine.map((s) => s.text),
    );

    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await vscode.commands.executeCommand(CommandId.NextEntity);
    const afterNext = document.offsetAt(editor.selection.start);
    await vscode.commands.executeCommand(CommandId.NextEntity);
    assert.ok(document.offsetAt(editor.selection.start) > afterNext, 'next entity moves forward');
    await vscode.commands.executeCommand(CommandId.PreviousEntity);
    assert.equal(document.offsetAt(editor.selection.start), afterNext, 'previous entity moves back');
  });

  test('restores annotations when the document is reopened', async () => {
    await spanlight.flushAnnotations();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const editor = await open('notes.txt');
    const restored = await until(
      spanlight,
      editor.document.uri,
      () =>
        layerTexts(spanlight, editor.document, 'annotated:PER').length > 0 &&
        layerTexts(spanlight, editor.document, 'annotated:PER'),
      'restored annotations drawn',
    );
    assert.deepEqual(restored, ['Sarah Johnson']);
  });

  test('shows a CoNLL file with its own gold labels', async () => {
    const editor = await open('corpus/tiny-ner.conll');
    assert.equal(editor.document.languageId, 'conll');
    const per = await until(
      spanlight,
      editor.document.uri,
      () =>
        layerTexts(spanlight, editor.document, 'gold:PER').length > 0 &&
        layerTexts(spanlight, editor.document, 'gold:PER'),
      'gold labels',
    );
    assert.deepEqual(per, ['Angela', 'Merkel', 'Tim', 'Cook']);
    assert.deepEqual(layerTexts(spanlight, editor.document, 'gold:LOC'), ['Paris', 'London']);
    assert.deepEqual(layerTexts(spanlight, editor.document, 'gold:ORG'), ['Apple']);
  });

  test('display modes switch the layers on and off', async () => {
    const editor = await open('news.md');
    const document = editor.document;
    await until(
      spanlight,
      document.uri,
      () => Object.keys(spanlight.drawnLayers(document.uri)).length > 0,
      'layers',
    );
    await vscode.commands.executeCommand(CommandId.ChooseDisplayMode, 'off');
    await until(
      spanlight,
      document.uri,
      () => Object.keys(spanlight.drawnLayers(document.uri)).length === 0,
      'nothing drawn',
    );
    await vscode.commands.executeCommand(
      CommandId.SelectModel,
      path.join(workspaceRoot(), '.spanlight/models/fixture-pos'),
    );
    await vscode.commands.executeCommand(CommandId.ChooseDisplayMode, 'pos');
    const pos = await until(
      spanlight,
      document.uri,
      () => {
        const ids = Object.keys(spanlight.drawnLayers(document.uri));
        return ids.length > 0 && ids.every((id) => id.startsWith('pos:')) && ids;
      },
      'POS tags',
    );
    assert.ok(pos.includes('pos:PROPN') || pos.includes('pos:NOUN'));
    await vscode.commands.executeCommand(CommandId.ToggleEntities);
    await until(
      spanlight,
      document.uri,
      () => Object.keys(spanlight.drawnLayers(document.uri)).some((id) => id.startsWith('suggested:')),
      'both',
    );
    const hoverAt = async (offset: number) =>
      (
        await vscode.commands.executeCommand<vscode.Hover[]>(
          'vscode.executeHoverProvider',
          document.uri,
          document.positionAt(offset),
        )
      )
        .flatMap((h) => h.contents)
        .map((c) => (typeof c === 'string' ? c : c.value))
        .join('\n');
    const word = document.getText().indexOf('announced') + 1;
    assert.match(await hoverAt(word), /POS \*\*/, 'with POS shown, the hover has a POS line');
    await vscode.commands.executeCommand(CommandId.ChooseDisplayMode, 'entities');
    await until(
      spanlight,
      document.uri,
      () => !Object.keys(spanlight.drawnLayers(document.uri)).some((id) => id.startsWith('pos:')),
      'POS tags gone',
    );
    assert.doesNotMatch(await hoverAt(word), /POS/, 'with POS hidden, the hover has no POS line');
    // Display toggles are view state: they never write the user's settings files.
    const settingsFile = path.join(workspaceRoot(), '.vscode', 'settings.json');
    assert.ok(
      !fs.existsSync(settingsFile) || !fs.readFileSync(settingsFile, 'utf8').includes('display.mode'),
      'no display.mode written to .vscode/settings.json',
    );
    assert.equal(
      vscode.workspace.getConfiguration('spanlight').inspect('display.mode')?.workspaceValue,
      undefined,
    );
  });

  test('hovers show hostile text as plain text, with only our command links', async () => {
    const editor = await open('hostile.txt');
    const document = editor.document;
    select(editor, '<img src=x onerror=alert(1)>');
    await vscode.commands.executeCommand(CommandId.LabelSelection, 'MISC');
    const annotation = spanlight.annotations(document.uri)[0];
    assert.ok(annotation, 'the hostile span was labelled');
    assert.ok(annotation.text.includes('<img'));
    select(editor, '\u202Eevil');
    await vscode.commands.executeCommand(CommandId.LabelSelection, 'ORG');
    for (const a of spanlight.annotations(document.uri)) {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        document.uri,
        document.positionAt(a.start + 1),
      );
      const markdown = hovers
        .flatMap((h) => h.contents)
        .map((c) => (typeof c === 'string' ? c : c.value))
        .join('\n');
      assert.ok(markdown.includes(a.label), 'the label is shown');
      // The Markdown source may hold `<` only escaped (`\<`), so no tag can form when it renders.
      assert.ok(!/(^|[^\\])</.test(markdown), `no unescaped < in ${markdown}`);
      if (a.text.includes('<img'))
        assert.ok(markdown.includes('\\<img'), 'the text itself is shown, escaped');
      assert.ok(!/[\u202A-\u202E\u200B]/.test(markdown), 'no raw bidi or zero-width characters');
      const links = [...markdown.matchAll(/\]\((command:[^?)]+)/g)].map((m) => m[1]);
      assert.ok(links.length > 0);
      for (const link of links)
        assert.ok([`command:${CommandId.ChangeLabel}`, `command:${CommandId.RemoveLabel}`].includes(link!));
    }
  });

  test('accepting a sentence reviews it, turns its suggestions into annotations, and moves on', async () => {
    const editor = await open('news.md');
    const document = editor.document;
    await until(spanlight, document.uri, () => spanlight.suggestions(document.uri).length > 0, 'suggestions');
    await spanlight.whenIdle(document.uri);
    const sentenceStart = document.getText().indexOf('Microsoft');
    const sentenceEnd = document.getText().indexOf('Toronto.') + 'Toronto.'.length;
    const inSentence = (s: { start: number; end: number }) =>
      s.start >= sentenceStart && s.end <= sentenceEnd;
    const offered = spanlight.suggestions(document.uri).filter(inSentence);
    assert.ok(offered.length > 0, 'the model suggests something in the Microsoft sentence');
    select(editor, 'Google', 0, 0);
    const result = await vscode.commands.executeCommand<{
      accepted: number;
      reviewed: number;
      total: number;
    }>(CommandId.AcceptSentence);
    assert.ok(result && result.reviewed >= 1 && result.total === 4, JSON.stringify(result));
    assert.ok(
      spanlight
        .reviews(document.uri)
        .some((r) => r.task === 'entities' && r.start === sentenceStart && r.end === sentenceEnd),
      'the sentence is reviewed for the entities task',
    );
    const accepted = spanlight
      .annotations(document.uri)
      .filter((a) => inSentence(a) && a.origin === 'accepted')
      .map((a) => a.text);
    for (const s of offered) assert.ok(accepted.includes(s.text), `${s.text} accepted`);
    await vscode.commands.executeCommand(CommandId.UndoAnnotation);
    assert.equal(
      spanlight.reviews(document.uri).filter((r) => r.start === sentenceStart).length,
      0,
      'undo reopens it',
    );
    await vscode.commands.executeCommand(CommandId.RedoAnnotation);
    assert.equal(spanlight.reviews(document.uri).filter((r) => r.start === sentenceStart).length, 1);
  });

  test('a French listing gets no English entity suggestions; as a listing it gets listing fields', async () => {
    const editor = await open('listings/villa-cannes.txt');
    const document = editor.document;
    assert.equal(spanlight.taskOf(document.uri), 'entities');
    await spanlight.whenIdle(document.uri);
    assert.deepEqual(spanlight.suggestions(document.uri), [], 'no English NER model tags French text');
    await vscode.commands.executeCommand(CommandId.ChooseTask, 'listings');
    assert.equal(spanlight.taskOf(document.uri), 'listings');
    const fields = await until(
      spanlight,
      document.uri,
      () => spanlight.suggestions(document.uri).length > 0 && spanlight.suggestions(document.uri),
      'listing suggestions',
      90_000,
    );
    const listingFields = ['REF', 'PRICE', 'SURFACE', 'YEAR', 'ROOMS', 'OWNER', 'PHONE'];
    for (const f of fields) assert.ok(listingFields.includes(f.label), `${f.label} is a listing field`);
    assert.deepEqual(spanlight.labelsOf(document.uri), listingFields, 'the picker offers the listing schema');
  });

  test('exports only reviewed sentences, complete, one task per file', async () => {
    // A listing field in a reviewed listings sentence, and the notes' Sarah Johnson sentence reviewed for entities.
    const listing = await open('listings/flat-london.txt');
    await vscode.commands.executeCommand(CommandId.ChooseTask, 'listings');
    select(listing, '3 rooms');
    await vscode.commands.executeCommand(CommandId.LabelSelection, 'ROOMS');
    await vscode.commands.executeCommand(CommandId.AcceptSentence);
    const notes = await open('notes.txt');
    await until(
      spanlight,
      notes.document.uri,
      () => spanlight.annotations(notes.document.uri).length > 0 || undefined,
      'notes annotations',
    );
    select(notes, 'Sarah Johnson', 0, 0);
    await vscode.commands.executeCommand(CommandId.AcceptSentence);
    await spanlight.flushAnnotations();

    const target = path.join(workspaceRoot(), 'export', 'annotations.conll');
    const result = await vscode.commands.executeCommand<{
      sentences: number;
      entities: number;
      unreviewed: number;
      unreviewedAnnotated: number;
      otherTasks: Record<string, number>;
    }>(CommandId.ExportAnnotations, { format: 'conll', target, task: 'entities' });
    assert.ok(result && result.sentences > 0);
    const content = fs.readFileSync(target, 'utf8');
    assert.match(content, /^Sarah\tB-PER\nJohnson\tI-PER$/m);
    assert.equal((content.match(/\tB-/g) ?? []).length, result.entities);
    assert.doesNotMatch(content, /ROOMS|PRICE|\tB-O\b/, 'no listing field, no rejection as a label');
    assert.doesNotMatch(
      content,
      /^Geneva\t/m,
      'the unreviewed Geneva sentence is left out, not written as O',
    );
    assert.ok(result.unreviewed > 0, 'and counted');
    assert.ok((result.otherTasks.listings ?? 0) >= 1, 'the listings task is exported separately');

    const listingTarget = path.join(workspaceRoot(), 'export', 'listings.conll');
    await vscode.commands.executeCommand(CommandId.ExportAnnotations, {
      format: 'conll',
      target: listingTarget,
      task: 'listings',
    });
    const listingContent = fs.readFileSync(listingTarget, 'utf8');
    assert.match(listingContent, /^3\tB-ROOMS\nrooms\tI-ROOMS$/m);
    assert.doesNotMatch(listingContent, /-(PER|ORG|LOC)$/m);
  });

  test('boundary editing: grow, shrink, merge and split one token at a time', async () => {
    const editor = await open('notes.txt');
    const document = editor.document;
    const spanAt = (text: string) => {
      const at = document.getText().indexOf(text);
      return spanlight.annotations(document.uri).find((a) => a.start <= at && at < a.end)?.text;
    };
    select(editor, 'United');
    await vscode.commands.executeCommand(CommandId.LabelSelection, 'ORG');
    await vscode.commands.executeCommand(CommandId.GrowSpanEnd);
    assert.equal(spanAt('United'), 'United Nations');
    await vscode.commands.executeCommand(CommandId.GrowSpanEnd);
    assert.equal(spanAt('United'), 'United Nations headquarters');
    await vscode.commands.executeCommand(CommandId.ShrinkSpanEnd);
    assert.equal(spanAt('United'), 'United Nations');
    await vscode.commands.executeCommand(CommandId.GrowSpanStart);
    assert.equal(spanAt('United'), 'the United Nations');
    await vscode.commands.executeCommand(CommandId.ShrinkSpanStart);
    assert.equal(spanAt('United'), 'United Nations');

    select(editor, 'New');
    await vscode.commands.executeCommand(CommandId.LabelSelection, 'LOC');
    select(editor, 'York');
    await vscode.commands.executeCommand(CommandId.LabelSelection, 'LOC');
    select(editor, 'New', 0, 0);
    await vscode.commands.executeCommand(CommandId.MergeSpans);
    assert.equal(spanAt('New York'), 'New York');
    select(editor, 'York', 1, 1);
    await vscode.commands.executeCommand(CommandId.SplitSpan);
    assert.equal(spanAt('New'), 'New');
    assert.equal(spanAt('York'), 'York');
    await vscode.commands.executeCommand(CommandId.UndoAnnotation);
    assert.equal(spanAt('New'), 'New York', 'each edit is one undo step');
  });

  test('the Review queue goes least certain first; review keys reject, relabel and accept', async () => {
    const queue = await spanlight.reviewQueue();
    assert.ok(queue.length > 3, 'unreviewed sentences across the workspace');
    for (let i = 1; i < queue.length; i++)
      assert.ok(queue[i - 1]!.score >= queue[i]!.score, 'ordered by uncertainty');
    assert.ok(new Set(queue.map((q) => q.uri)).size > 1, 'from more than one document');
    const before = await spanlight.reviewProgress();
    await vscode.commands.executeCommand(CommandId.StartReview);
    const first = vscode.window.activeTextEditor!;
    assert.equal(first.document.uri.toString(), queue[0]!.uri, 'the least certain sentence opens first');
    const selected = first.document.offsetAt(first.selection.start);
    assert.ok(selected >= queue[0]!.start && selected <= queue[0]!.end, 'inside the sentence');
    // Its least certain suggestion is selected: 2 relabels it with the second label, x rejects it.
    const selectedStart = first.document.offsetAt(first.selection.start);
    const suggestion = spanlight.suggestions(first.document.uri).find((s) => s.start === selectedStart);
    console.log(
      `review: first "${queue[0]!.text.slice(0, 50)}" (score ${queue[0]!.score.toFixed(2)}), selected ${first.selection.isEmpty ? 'nothing' : `"${first.document.getText(first.selection)}"`}`,
    );
    if (!first.selection.isEmpty) {
      assert.ok(suggestion, 'the selection is a suggestion');
      await vscode.commands.executeCommand(CommandId.RelabelSpan, { index: 2 });
      const relabelled = spanlight.annotations(first.document.uri).find((a) => a.start === selectedStart);
      assert.equal(relabelled?.label, spanlight.labelsOf(first.document.uri)[1]);
      await vscode.commands.executeCommand(CommandId.RejectSpan);
      assert.equal(
        spanlight.annotations(first.document.uri).find((a) => a.start === selectedStart)?.label,
        'O',
      );
    }
    await vscode.commands.executeCommand(CommandId.AcceptSentence);
    const after = await spanlight.reviewProgress();
    assert.equal(after.reviewed, before.reviewed + 1, 'one more sentence reviewed');
    const next = vscode.window.activeTextEditor!;
    const nextOffset = next.document.offsetAt(next.selection.start);
    assert.ok(
      next.document.uri.toString() !== queue[0]!.uri ||
        nextOffset < queue[0]!.start ||
        nextOffset > queue[0]!.end,
      'Enter opened the next sentence',
    );
    await vscode.commands.executeCommand(CommandId.StopReview);
  });

  test('the Entities view covers the workspace, and accepts all occurrences at once', async () => {
    await open('news.md');
    const occurrences = await spanlight.entityOccurrences('entities');
    const files = new Set(occurrences.map((o) => path.basename(vscode.Uri.parse(o.uri).fsPath)));
    assert.ok(files.has('news.md') && files.has('notes.txt'), [...files].join(', '));
    assert.ok(
      occurrences.every((o) => ['PER', 'ORG', 'LOC', 'MISC'].includes(o.label)),
      'entities only',
    );
    const suggested = occurrences.find((o) => o.source === 'suggested');
    assert.ok(suggested, 'a suggestion to accept');
    const same = occurrences.filter((o) => o.text === suggested.text && o.label === suggested.label);
    await vscode.commands.executeCommand(CommandId.AcceptAllOccurrences, {
      label: suggested.label,
      text: suggested.text,
      task: 'entities',
    });
    const now = await spanlight.entityOccurrences('entities');
    const stillSuggested = now.filter(
      (o) => o.text === suggested.text && o.label === suggested.label && o.source === 'suggested',
    );
    assert.deepEqual(stillSuggested, [], `every ${suggested.text} accepted (${same.length})`);

    // Relabel, then reject, every occurrence at once: none keeps the old label, and a rejected
    // one is no entity any more (gone from the view, kept in the annotations as a rejection).
    const other = ['PER', 'ORG', 'LOC', 'MISC'].find((l) => l !== suggested.label)!;
    await vscode.commands.executeCommand(
      CommandId.RelabelAllOccurrences,
      { label: suggested.label, text: suggested.text, task: 'entities' },
      other,
    );
    const relabelled = (await spanlight.entityOccurrences('entities')).filter(
      (o) => o.text === suggested.text,
    );
    assert.ok(relabelled.length >= same.length, `${suggested.text} still listed`);
    assert.ok(
      relabelled.every((o) => o.label === other),
      relabelled.map((o) => o.label).join(' '),
    );
    await vscode.commands.executeCommand(CommandId.RejectAllOccurrences, {
      label: other,
      text: suggested.text,
      task: 'entities',
    });
    const afterReject = await spanlight.entityOccurrences('entities');
    assert.ok(
      !afterReject.some((o) => o.text === suggested.text && o.label === other),
      'rejected everywhere',
    );
    const rejections = (uri: string) =>
      spanlight
        .annotations(vscode.Uri.parse(uri))
        .filter((a) => a.text === suggested.text && a.label === 'O');
    assert.ok(rejections(suggested.uri).length > 0, 'kept as a rejection');
  });

  test('old version 1 annotation files still load, and labels.json sets the labels', async () => {
    const root = workspaceRoot();
    fs.writeFileSync(path.join(root, 'legacy.txt'), 'Alice Martin sold the flat for 250000 euros.\n');
    fs.mkdirSync(path.join(root, '.spanlight/annotations'), { recursive: true });
    fs.writeFileSync(
      path.join(root, '.spanlight/annotations/legacy.txt.jsonl'),
      [
        '{"format":"spanlight-annotations","version":1,"document":"legacy.txt"}',
        '{"start":0,"end":12,"label":"PER","text":"Alice Martin","origin":"human"}',
        '{"start":31,"end":43,"label":"PRICE","text":"250000 euros","origin":"human"}',
      ].join('\n'),
    );
    const editor = await open('legacy.txt');
    const loaded = await until(
      spanlight,
      editor.document.uri,
      () =>
        spanlight.annotations(editor.document.uri).length === 2 && spanlight.annotations(editor.document.uri),
      'the version 1 annotations',
    );
    assert.deepEqual(
      loaded.map((a) => `${a.text}/${a.label}/${a.task}`),
      ['Alice Martin/PER/entities', '250000 euros/PRICE/listings'],
    );
    fs.writeFileSync(
      path.join(root, '.spanlight/labels.json'),
      JSON.stringify({
        tasks: { entities: { labels: { PER: {}, ORG: {}, LOC: {}, BUYER: { description: 'x' } } } },
      }),
    );
    const deadline = Date.now() + 20_000;
    while (!spanlight.labelsOf(editor.document.uri).includes('BUYER') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(spanlight.labelsOf(editor.document.uri), ['PER', 'ORG', 'LOC', 'BUYER']);
    select(editor, 'Alice', 0, 0);
    await vscode.commands.executeCommand(CommandId.RelabelSpan, { index: 4 });
    assert.equal(spanlight.annotations(editor.document.uri)[0]?.label, 'BUYER', 'key 4 is the fourth label');
    fs.rmSync(path.join(root, '.spanlight/labels.json'));
  });

  test('Update Model from Annotations: fine-tunes on reviewed sentences, records the version, goes back', async function () {
    this.timeout(240_000);
    const root = workspaceRoot();
    const taskFolder = path.join(root, '.spanlight/models/entities');
    const file = path.join(root, 'loop-news.md');
    fs.writeFileSync(
      file,
      [
        'Angela Merkel met Emmanuel Macron in Paris on Tuesday.',
        'Apple opened new offices in London and Berlin.',
        'Tim Cook visited Toronto with Sundar Pichai.',
        'Microsoft hired engineers in Dublin last year.',
        'Barack Obama spoke at the United Nations in New York.',
        'Siemens and Airbus signed a deal in Munich.',
        'Elena Petrova flew from Madrid to Rome on Friday.',
        'Google bought a startup based in Zurich.',
      ].join('\n') + '\n',
    );
    try {
      const editor = await open('loop-news.md');
      await until(
        spanlight,
        editor.document.uri,
        () => spanlight.suggestions(editor.document.uri).length > 0,
        'suggestions',
      );
      await vscode.commands.executeCommand(CommandId.AcceptDocument);
      assert.equal(spanlight.reviews(editor.document.uri).length, 8, 'the 8 sentences are reviewed');
      // Cancelled while it trains: nothing changes, nothing is left behind.
      const training = new Promise<void>((resolve) => {
        const listener = spanlight.onDidStartModelUpdate(() => {
          listener.dispose();
          resolve();
        });
      });
      const pending = vscode.commands.executeCommand<{ status: string }>(CommandId.UpdateModel, {
        task: 'entities',
      });
      await training;
      await vscode.commands.executeCommand(CommandId.CancelModelUpdate);
      assert.equal((await pending)?.status, 'cancelled');
      assert.ok(!fs.existsSync(path.join(taskFolder, 'candidate')), 'no candidate left behind');
      assert.equal(
        JSON.parse(fs.readFileSync(path.join(taskFolder, 'versions.json'), 'utf8')).versions.length,
        1,
        'only the start version',
      );
      const outcome = await vscode.commands.executeCommand<{ status: string; decision?: { reason: string } }>(
        CommandId.UpdateModel,
        { task: 'entities' },
      );
      assert.ok(
        outcome && (outcome.status === 'kept' || outcome.status === 'rejected'),
        JSON.stringify(outcome),
      );
      const history = JSON.parse(fs.readFileSync(path.join(taskFolder, 'versions.json'), 'utf8'));
      assert.deepEqual(
        history.versions[0].origin,
        { kind: 'start', model: 'fixture-ner', folder: path.join(root, '.spanlight/models/fixture-ner') },
        'v1 is the model in use',
      );
      assert.ok(fs.existsSync(path.join(taskFolder, 'v1', 'model.json')), 'a copy of it');
      assert.ok(!fs.existsSync(path.join(taskFolder, 'candidate')), 'no candidate left behind');
      if (outcome.status === 'kept') {
        assert.equal(history.current, 2);
        assert.ok(history.versions[1].heldOut.sentences >= 1, 'judged on held-out reviewed sentences');
        assert.ok(fs.existsSync(path.join(taskFolder, 'v2', 'MODEL.md')), 'with its card');
        const back = await vscode.commands.executeCommand<{ version: { version: number } }>(
          CommandId.ChooseModelVersion,
          { task: 'entities', version: 1 },
        );
        assert.equal(back?.version.version, 1);
        assert.equal(JSON.parse(fs.readFileSync(path.join(taskFolder, 'versions.json'), 'utf8')).current, 1);
      } else {
        assert.equal(history.current, 1, 'a model not kept leaves the one in use');
        assert.equal(history.rejected.length, 1);
        assert.equal(history.rejected[0].reason, outcome.decision?.reason);
      }
      // A dev file the user names judges instead of held-out sentences (every reviewed one trains).
      const judged = await vscode.commands.executeCommand<{ status: string }>(CommandId.UpdateModel, {
        task: 'entities',
        devFiles: ['corpus/tiny-ner.conll'],
      });
      assert.ok(judged && (judged.status === 'kept' || judged.status === 'rejected'), JSON.stringify(judged));
      const after = JSON.parse(fs.readFileSync(path.join(taskFolder, 'versions.json'), 'utf8'));
      assert.equal(
        after.versions.filter((v: { origin: { kind: string } }) => v.origin.kind === 'start').length,
        1,
        'the model in use is copied in once, not at every update',
      );
      const last = judged.status === 'kept' ? after.versions.at(-1) : after.rejected.at(-1);
      // The workspace's other reviewed sentences (earlier tests) count too.
      assert.ok(last.reviewedSentences >= 8, `${last.reviewedSentences} reviewed`);
      if (judged.status === 'kept')
        assert.equal(last.trainSentences, last.reviewedSentences, 'all reviewed sentences trained');
    } finally {
      await vscode.commands.executeCommand(
        CommandId.SelectModel,
        path.join(root, '.spanlight/models/fixture-ner'),
      );
      fs.rmSync(taskFolder, { recursive: true, force: true });
      fs.rmSync(file, { force: true });
      fs.rmSync(path.join(root, '.spanlight/annotations/loop-news.md.jsonl'), { force: true });
    }
  });
});
