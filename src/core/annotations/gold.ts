/**
 * Gold labels of a CoNLL file open in the editor: one token per line, the tag in the last column.
 * Each tagged token becomes a span over the token column, labelled with its entity type (chunk
 * tags) or its tag (POS), so the file shows its own labels without a model.
 */
import { OUTSIDE_TAG, parseTag } from '../corpus/schemes';

export interface GoldToken {
  start: number;
  end: number;
  /** Entity type for chunk tags (`PER` for `B-PER`), the tag itself otherwise. */
  label: string;
  /** The tag as written. */
  tag: string;
  /** True on the first token of an entity (B-, S-, or a type change). */
  begins: boolean;
}

/** Tagged tokens of CoNLL text (`-DOCSTART-`, comments and `O` tokens excluded). */
export function conllGoldTokens(text: string): GoldToken[] {
  const tokens: GoldToken[] = [];
  let offset = 0;
  let previous = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const lineStart = offset;
    offset += rawLine.length + 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('-DOCSTART-')) {
      previous = '';
      continue;
    }
    const columns = trimmed.split(/\s+/);
    const tag = columns[columns.length - 1]!;
    if (columns.length < 2 || tag === OUTSIDE_TAG || tag === '_') {
      previous = '';
      continue;
    }
    const tokenStart = lineStart + line.indexOf(columns[0]!);
    const { prefix, label } = parseTag(tag);
    const begins = prefix === null || prefix === 'B' || prefix === 'S' || previous !== label;
    tokens.push({ start: tokenStart, end: tokenStart + columns[0]!.length, label, tag, begins });
    previous = label;
  }
  return tokens;
}
