/**
 * Label names (PER, ORG, PROPN …) after the spans, as inlay hints. An inlay hint is text the
 * editor injects into its own layout, so word wrapping counts it and the line height and the
 * glyphs' baseline never change; CSS `after` badges (what decorations can attach) are drawn
 * outside that layout: they pushed text past the right edge of wrapped lines and, set smaller or
 * raised, moved every glyph of their line down (issue 15 §4). The hints follow what the
 * decorations drew last, so both always agree; Ctrl+click (Cmd+click) on an entity's label changes it.
 * Entity labels and POS tags are told apart by their form: "PER" after a space, "_PROPN" joined.
 */
import * as vscode from 'vscode';
import { type LayerKind, parseLayerId } from '../core/annotations/layers';
import type { Ctx } from './ctx';
import { Disposable } from './dispose';
import type { LabelTarget } from './hover';
import { CommandId } from './ids';

/** Layers whose spans get a label hint: gold labels are already written on a CoNLL line. */
const HINTED: Partial<Record<LayerKind, 'entity' | 'pos'>> = {
  suggested: 'entity',
  annotated: 'entity',
  pos: 'pos',
};

export class LabelHints extends Disposable implements vscode.InlayHintsProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeInlayHints = this.changed.event;

  constructor(private readonly ctx: Pick<Ctx, 'decorations' | 'config'>) {
    super();
    this._register(ctx.decorations.onDidRender(() => this.changed.fire()));
    this._register(ctx.config.onDidChange(() => this.changed.fire()));
  }

  provideInlayHints(document: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    const from = document.offsetAt(range.start);
    const to = document.offsetAt(range.end);
    const entityNames = this.ctx.config.get('display.showLabelNames');
    const hints: Array<{ at: number; order: number; hint: vscode.InlayHint }> = [];
    for (const [id, spans] of this.ctx.decorations.lastDrawn(document.uri)) {
      const { kind } = parseLayerId(id);
      const role = HINTED[kind];
      // POS tags have no highlight: their names are the only way they show.
      if (!role || (role === 'entity' && !entityNames)) continue;
      for (const span of spans) {
        if (span.end < from || span.end > to) continue;
        const hint = new vscode.InlayHint(
          document.positionAt(span.end),
          role === 'entity' ? [entityPart(document, span.start, span.label, kind)] : posHintText(span.label),
          role === 'entity' ? vscode.InlayHintKind.Type : vscode.InlayHintKind.Parameter,
        );
        // An entity's label stands apart from its last word; a POS tag joins its word ("Paris_PROPN").
        hint.paddingLeft = role === 'entity';
        if (role === 'pos') hint.tooltip = `Part of speech: ${span.label}`;
        // A word's POS tag comes before the label of the entity it ends.
        hints.push({ at: span.end, order: role === 'pos' ? 0 : 1, hint });
      }
    }
    hints.sort((a, b) => a.at - b.at || a.order - b.order);
    // The last hint at a position keeps its distance from text that follows at once: "(_PUNCT Reuters".
    hints.forEach(({ at, hint }, i) => {
      if (hints[i + 1]?.at === at) return;
      const next = document.lineAt(hint.position.line).text[hint.position.character];
      if (next !== undefined && !/\s/.test(next)) hint.paddingRight = true;
    });
    return hints.map((h) => h.hint);
  }
}

/**
 * A POS tag joined to its word as the Stanford tagger and CLAWS write it: "Paris_PROPN". Entity
 * labels ("LOC") stand apart after a space, so when both show, which is which is clear at a glance
 * ("Paris_PROPN LOC"); an inlay hint's colour comes from the theme alone, so the form must say it.
 * Not "/": word wrap may break after a slash, leaving "Paris/" on one row and its tag on the next.
 */
function posHintText(tag: string): string {
  return `_${tag}`;
}

function entityPart(
  document: vscode.TextDocument,
  start: number,
  label: string,
  kind: LayerKind,
): vscode.InlayHintLabelPart {
  const part = new vscode.InlayHintLabelPart(label);
  const target: LabelTarget = { uri: document.uri.toString(), offset: start };
  part.command = { title: 'Change label…', command: CommandId.ChangeLabel, arguments: [target] };
  part.tooltip = `${label} (${kind === 'annotated' ? 'your annotation' : 'model suggestion'}): Ctrl+click (Cmd+click on macOS) to change the label`;
  return part;
}
