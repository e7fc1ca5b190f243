/**
 * The one adapter between core character offsets and VS Code positions/ranges/changes.
 */
import * as vscode from 'vscode';
import type { OffsetRange, TextChange } from '../core/annotations/edits';

export function toRange(document: vscode.TextDocument, span: OffsetRange): vscode.Range {
  return new vscode.Range(document.positionAt(span.start), document.positionAt(span.end));
}

export function toOffsets(document: vscode.TextDocument, range: vscode.Range): OffsetRange {
  return { start: document.offsetAt(range.start), end: document.offsetAt(range.end) };
}

export function offsetAt(document: vscode.TextDocument, position: vscode.Position): number {
  return document.offsetAt(position);
}

export function toTextChanges(event: vscode.TextDocumentChangeEvent): TextChange[] {
  return event.contentChanges.map((c) => ({
    rangeOffset: c.rangeOffset,
    rangeLength: c.rangeLength,
    text: c.text,
  }));
}

/** The visible ranges of an editor widened by `marginLines`, as offsets. */
export function visibleOffsets(editor: vscode.TextEditor, marginLines: number): OffsetRange[] {
  const document = editor.document;
  return editor.visibleRanges.map((range) => {
    const first = Math.max(0, range.start.line - marginLines);
    const last = Math.min(document.lineCount - 1, range.end.line + marginLines);
    return {
      start: document.offsetAt(new vscode.Position(first, 0)),
      end: document.offsetAt(document.lineAt(last).range.end),
    };
  });
}
