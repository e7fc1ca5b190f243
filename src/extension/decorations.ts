/**
 * One decoration type per highlighted layer (suggested/annotated/gold entity label), created on
 * first use, kept in a map, and disposed on deactivate. Every redraw passes each known type (with
 * `[]` when it has nothing), so stale highlights disappear.
 *
 * Highlights only paint behind the text (background and border are drawn by the editor as
 * overlays) and never style the glyphs themselves: no `after` badges, no font weight or size, so a
 * decoration never moves a glyph, changes the line height or breaks word wrapping. Label names are
 * inlay hints (label-hints.ts), which the editor's layout and wrapping count.
 */
import * as vscode from 'vscode';
import { type LayerKind, parseLayerId } from '../core/annotations/layers';
import { labelSlot } from '../core/annotations/palette';
import type { Span } from '../core/types';
import { Disposable } from './dispose';
import { toRange } from './spans';

const color = (id: string) => new vscode.ThemeColor(id);

/** How a layer is highlighted; undefined for POS tags, which are only named (in inlay hints). */
export function decorationOptions(
  kind: LayerKind,
  label: string,
  slot = labelSlot(label),
): vscode.DecorationRenderOptions | undefined {
  const background = color(`spanlight.label${slot}Background`);
  const border = color(`spanlight.label${slot}Border`);
  switch (kind) {
    case 'suggested':
      return {
        backgroundColor: background,
        border: '1px dashed',
        borderColor: border,
        borderRadius: '3px',
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      };
    case 'annotated':
      return {
        backgroundColor: background,
        border: '1px solid',
        borderColor: color('spanlight.annotatedBorder'),
        borderRadius: '3px',
        overviewRulerColor: border,
        overviewRulerLane: vscode.OverviewRulerLane.Center,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      };
    case 'rejected':
      // A rejected suggestion: struck through, so the decision stays visible.
      return {
        textDecoration: 'line-through var(--vscode-spanlight-rejectedForeground)',
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      };
    case 'gold':
      return {
        backgroundColor: background,
        border: '1px solid',
        borderColor: border,
        borderRadius: '3px',
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      };
    case 'pos':
      return undefined;
  }
}

export class LabelDecorations extends Disposable {
  private readonly types = new Map<string, vscode.TextEditorDecorationType>();
  /** What was last drawn per document, by layer id (read by the integration tests through the API). */
  private readonly drawn = new Map<string, Map<string, Span[]>>();
  private readonly rendered = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidRender = this.rendered.event;

  /** `slotOf` gives a label's colour slot (the label schema's colour, else the deterministic one). */
  constructor(private readonly slotOf: (label: string) => number = labelSlot) {
    super();
  }

  private typeFor(layerId: string): void {
    if (this.types.has(layerId)) return;
    const { kind, label } = parseLayerId(layerId);
    const options = decorationOptions(kind, label, this.slotOf(label));
    if (options) this.types.set(layerId, vscode.window.createTextEditorDecorationType(options));
  }

  /** Draws `layers` in `editor`, clearing every known layer it does not mention. */
  apply(editor: vscode.TextEditor, layers: Map<string, Span[]>): void {
    for (const id of layers.keys()) this.typeFor(id);
    for (const [id, type] of this.types) {
      const spans = layers.get(id) ?? [];
      editor.setDecorations(
        type,
        spans.map((s) => toRange(editor.document, s)),
      );
    }
    this.drawn.set(editor.document.uri.toString(), layers);
    this.rendered.fire(editor.document.uri);
  }

  /** Layers last drawn for a document. */
  lastDrawn(uri: vscode.Uri): Map<string, Span[]> {
    return this.drawn.get(uri.toString()) ?? new Map();
  }

  /** Disposes every type (clearing them from all editors); the next draw makes them anew (new colours). */
  reset(): void {
    // Disposing a type clears it from every editor.
    for (const type of this.types.values()) type.dispose();
    this.types.clear();
    this.drawn.clear();
  }

  override dispose(): void {
    this.reset();
    super.dispose();
  }
}
