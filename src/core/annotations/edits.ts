/**
 * Offset tracking through text edits. An edit replaces `[rangeOffset, rangeOffset + rangeLength)`
 * of the old text with `text` (the shape of VS Code's `TextDocumentContentChangeEvent`, without the
 * editor types). A span entirely before an edit keeps its offsets, one entirely after it shifts by
 * the edit's length delta, and one the edit touches is dropped: its text changed, and a span must
 * never point at text it was not made for.
 */

export interface TextChange {
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

export interface OffsetRange {
  start: number;
  end: number;
}

/** What happened to one span through one edit: the new range, or `undefined` when damaged. */
export function shiftRange(range: OffsetRange, change: TextChange): OffsetRange | undefined {
  const editStart = change.rangeOffset;
  const editEnd = change.rangeOffset + change.rangeLength;
  const delta = change.text.length - change.rangeLength;
  // Typing right after a span (editStart === end) leaves it alone, so entities do not grow.
  if (editStart >= range.end) return range;
  // Typing right before a span (an insertion at its start) moves it.
  if (editEnd <= range.start) {
    return { start: range.start + delta, end: range.end + delta };
  }
  return undefined;
}

/**
 * Changes of one editor event, in an order that can be applied one after another: VS Code reports
 * the changes of an event against the text before the event, non-overlapping, so applying them
 * from the last offset to the first keeps every earlier offset valid.
 */
function applicationOrder(changes: readonly TextChange[]): TextChange[] {
  return [...changes].sort((a, b) => b.rangeOffset - a.rangeOffset);
}

/**
 * Spans after a batch of changes (one editor event): shifted, or dropped when an edit touched them.
 * Returns a new array of new objects; the inputs are not changed.
 */
export function shiftSpans<T extends OffsetRange>(spans: readonly T[], changes: readonly TextChange[]): T[] {
  const ordered = applicationOrder(changes);
  const result: T[] = [];
  for (const span of spans) {
    let range: OffsetRange | undefined = span;
    for (const change of ordered) {
      range = shiftRange(range, change);
      if (range === undefined) break;
    }
    if (range !== undefined) result.push({ ...span, start: range.start, end: range.end });
  }
  return result;
}

/** Applies changes of one event to a string (the reference the editor keeps; used by tests and checks). */
export function applyChanges(text: string, changes: readonly TextChange[]): string {
  let result = text;
  for (const change of applicationOrder(changes)) {
    result =
      result.slice(0, change.rangeOffset) +
      change.text +
      result.slice(change.rangeOffset + change.rangeLength);
  }
  return result;
}

/** Spans that still cover the text they were made for; the others are dropped. */
export function keepMatchingSpans<T extends OffsetRange & { text: string }>(
  spans: readonly T[],
  text: string,
): T[] {
  return spans.filter((s) => s.end <= text.length && text.slice(s.start, s.end) === s.text);
}
