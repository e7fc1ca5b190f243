/**
 * One decoration type per layer (suggested/annotated/gold entity label, POS tag), created on first
 * use, kept in a map, and disposed on deactivate or when display settings change. Every redraw
 * passes each known type (with `[]` when it has nothing), so stale highlights disappear.
 */
import * as vscode from 'vscode';
import type { LayerKind } from '../core/annotations/layers';
import { labelSlot } from '../core/annotations/palette';
import type { Span } from '../core/types';
import { Disposable } from './dispose';
import { toRange } from './spans';

const color = (id: string) => new vscode.ThemeColor(id);

/** A small, dimmed label after the text; `textDecoration` carries the extra CSS VS Code lacks options for. */
function labelBadge(text: string, colorId: string): vscode.ThemableDecorationAttachmentRenderOptions {
  return {
    contentText: text,
    color: color(colorId),
    margin: '0 0 0 0.2em',
    fontStyle: 'normal',
    textDecoration: 'none; font-size: 0.72em; vertical-align: super; opacity: 0.9',
  };
}

export function decorationOptions(
  kind: LayerKind,
  label: string,
  showLabelNames: boolean,
): vscode.DecorationRenderOptions {
  const slot = labelSlot(label);
  const background = color(`spanlight.label${slot}Background`);
  const border = color(`spanlight.label${slot}Border`);
  switch (kind) {
    case 'suggested':
      return {
        backgroundColor: background,
        border: '1px dashed',
        borderColor: border,
        borderRadius: '3px',
        ...(showLabelNames ? { after: labelBadge(label, 'spanlight.labelNameForeground') } : {}),
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      };
    case 'annotated':
      return {
        backgroundColor: background,
        border: '1px solid',
        borderColor: color('spanlight.annotatedBorder'),
        borderRadius: '3px',
        fontWeight: '600',
        ...(showLabelNames ? { after: labelBadge(label, 'spanlight.labelNameForeground') } : {}),
        overviewRulerColor: border,
        overviewRulerLane: vscode.OverviewRulerLane.Center,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      };
    case 'gold':
      // The tag is already on the line in a CoNLL file, so no badge.
      return {
        backgroundColor: background,
        border: '1px solid',
        borderColor: border,
        borderRadius: '3px',
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      };
    case 'pos':
      return {
        after: labelBadge(label, 'spanlight.posTagForeground'),
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      };
  }
}

export class LabelDecorations extends Disposable {
  private readonly types = new Map<string, vscode.TextEditorDecorationType>();
  /** What was last drawn per document, by layer id (read by the integration tests through the API). */
  private readonly drawn = new Map<string, Map<string, Span[]>>();
  private readonly rendered = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidRender = this.rendered.event;

  constructor(private showLabelNames: boolean) {
    super();
  }

  private typeFor(layerId: string): vscode.TextEditorDecorationType {
    let type = this.types.get(layerId);
    if (!type) {
      const [kind, ...rest] = layerId.split(':');
      type = vscode.window.createTextEditorDecorationType(
        decorationOptions(kind as LayerKind, rest.join(':'), this.showLabelNames),
      );
      this.types.set(layerId, type);
    }
    return type;
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

  /** Disposes every type (which clears them from all editors); they are recreated on the next draw. */
  reset(showLabelNames: boolean): void {
    this.showLabelNames = showLabelNames;
    for (const type of this.types.values()) type.dispose();
    this.types.clear();
    this.drawn.clear();
  }

  override dispose(): void {
    this.reset(this.showLabelNames);
    super.dispose();
  }
}
