import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LABEL_SLOTS, labelSlot } from '../../../src/core/annotations/palette';
import { CommandId, INTERNAL_COMMANDS, ViewId } from '../../../src/extension/ids';
import { DEFAULT_CONFIG, SETTINGS_SECTION } from '../../../src/extension/settings';

const repoRoot = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

describe('package.json manifest', () => {
  it('declares exactly the commands of CommandId, each in the Spanlight category', () => {
    const declared = contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(declared, Object.values(CommandId).sort());
    for (const c of contributes.commands) assert.equal(c.category, 'Spanlight', c.command);
  });

  it('hides internal commands from the Command Palette', () => {
    const hidden = contributes.menus.commandPalette
      .filter((m: { when: string }) => m.when === 'false')
      .map((m: { command: string }) => m.command);
    assert.deepEqual(hidden.sort(), [...INTERNAL_COMMANDS].sort());
  });

  it('binds keys only to declared commands, with a Label Selection default', () => {
    const ids = new Set(Object.values(CommandId) as string[]);
    for (const k of contributes.keybindings) assert.ok(ids.has(k.command), k.command);
    assert.ok(
      contributes.keybindings.some((k: { command: string }) => k.command === CommandId.LabelSelection),
    );
  });

  it('gives both ends of a span grow and shrink keys outside review mode too, each key used once', () => {
    const outside = contributes.keybindings.filter(
      (k: { when?: string }) => !k.when?.includes('spanlight.reviewMode'),
    );
    for (const id of [
      CommandId.GrowSpanEnd,
      CommandId.ShrinkSpanEnd,
      CommandId.GrowSpanStart,
      CommandId.ShrinkSpanStart,
    ]) {
      const bound = outside.filter((k: { command: string }) => k.command === id);
      assert.equal(bound.length, 1, `${id} has one key in normal annotation mode`);
      assert.ok(bound[0].mac, `${id} has a macOS key`);
    }
    const keys = outside.map((k: { key: string; when?: string }) => `${k.key} when ${k.when}`);
    assert.deepEqual(
      keys.filter((k: string, i: number) => keys.indexOf(k) !== i),
      [],
      'no key is bound twice in the same context',
    );
  });

  it('declares every setting the config module reads, with its default and a description', () => {
    const properties = contributes.configuration.properties as Record<
      string,
      { default: unknown; description?: string; markdownDescription?: string }
    >;
    const expected = Object.keys(DEFAULT_CONFIG).map((k) => `${SETTINGS_SECTION}.${k}`);
    assert.deepEqual(Object.keys(properties).sort(), expected.sort());
    for (const [key, value] of Object.entries(DEFAULT_CONFIG)) {
      const declared = properties[`${SETTINGS_SECTION}.${key}`]!;
      assert.deepEqual(declared.default, value, key);
      assert.ok(
        (declared.description ?? declared.markdownDescription ?? '').length > 10,
        `${key} has a description`,
      );
    }
  });

  it('declares every colour the decorations use (and no other), with light, dark and high-contrast defaults', () => {
    const colors = new Map(
      contributes.colors.map((c: { id: string; defaults: Record<string, string> }) => [c.id, c.defaults]),
    );
    const used = [
      ...Array.from({ length: LABEL_SLOTS }, (_, i) => [
        `spanlight.label${i + 1}Background`,
        `spanlight.label${i + 1}Border`,
      ]).flat(),
      'spanlight.annotatedBorder',
      // The line through a rejected suggestion, a CSS variable in the decoration's text-decoration.
      'spanlight.rejectedForeground',
    ];
    for (const id of used) {
      const defaults = colors.get(id) as Record<string, string> | undefined;
      assert.ok(defaults, `${id} is declared`);
      for (const theme of ['light', 'dark', 'highContrast'])
        assert.ok(defaults[theme], `${id} has a ${theme} default`);
    }
    assert.deepEqual([...colors.keys()].sort(), [...used].sort(), 'no colour is declared that nothing uses');
    // And the decorations module refers to nothing else.
    const source = fs.readFileSync(path.join(repoRoot, 'src/extension/decorations.ts'), 'utf8');
    for (const m of source.matchAll(/'(spanlight\.[A-Za-z]+)'/g))
      assert.ok(colors.has(m[1]!), `${m[1]} is declared`);
    for (const m of source.matchAll(/var\(--vscode-spanlight-([A-Za-z]+)\)/g))
      assert.ok(colors.has(`spanlight.${m[1]}`), `spanlight.${m[1]} is declared`);
  });

  it('maps labels to colour slots deterministically and within range', () => {
    assert.equal(labelSlot('PER'), 1);
    assert.equal(labelSlot('ORG'), 2);
    for (const label of ['NOUN', 'VERB', 'creative-work', 'PRODUCT', 'x']) {
      const slot = labelSlot(label);
      assert.ok(slot >= 1 && slot <= LABEL_SLOTS);
      assert.equal(labelSlot(label), slot);
    }
  });

  it('works in untrusted workspaces with limits, and contributes its views and the CoNLL language', () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    // The Review and Entities views live in Spanlight's own container, so their sizes apply.
    const container = contributes.viewsContainers.activitybar.find(
      (c: { id: string }) => c.id === 'spanlight',
    );
    assert.ok(container && fs.existsSync(path.join(repoRoot, container.icon)));
    const views = contributes.views.spanlight as Array<{ id: string; initialSize?: number; icon: string }>;
    assert.deepEqual(
      views.map((v) => v.id),
      [ViewId.Review, ViewId.Entities],
    );
    for (const v of views) {
      assert.ok((v.initialSize ?? 0) > 0, `${v.id} has an initial size`);
      assert.ok(fs.existsSync(path.join(repoRoot, v.icon)));
    }
    assert.ok(
      contributes.languages.some(
        (l: { id: string; extensions: string[] }) => l.id === 'conll' && l.extensions.includes('.conll'),
      ),
    );
  });

  it('binds the review keys only in review mode, and the digits to the labels 1 to 9', () => {
    const reviewKeys = contributes.keybindings.filter((k: { when?: string }) =>
      k.when?.includes('spanlight.reviewMode'),
    );
    for (const k of reviewKeys) assert.match(k.when, /editorTextFocus/, k.key);
    const single = contributes.keybindings.filter((k: { key: string }) =>
      /^[a-z0-9]$|^enter$|^tab$/.test(k.key),
    );
    assert.deepEqual(
      single.filter((k: { when?: string }) => !k.when?.includes('spanlight.reviewMode')),
      [],
      'a plain key is never taken from typing outside review mode',
    );
    // Every review key runs through one command, which names the command to run.
    const ids = new Set(Object.values(CommandId) as string[]);
    for (const k of reviewKeys) {
      assert.equal(k.command, CommandId.ReviewKey, k.key);
      assert.ok(ids.has(k.args.command), `${k.key} runs ${k.args.command}`);
    }
    const digits = reviewKeys.filter((k: { key: string }) => /^[1-9]$/.test(k.key));
    assert.deepEqual(
      digits.map((k: { key: string; args: { command: string; args: { index: number } } }) => [
        k.key,
        k.args.command,
        k.args.args.index,
      ]),
      Array.from({ length: 9 }, (_, i) => [String(i + 1), CommandId.RelabelSpan, i + 1]),
    );
  });
});
