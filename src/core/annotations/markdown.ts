/**
 * Document text shown in hovers and views is data, never markup: Markdown syntax is escaped,
 * HTML cannot form, and invisible or direction-changing characters are shown as code points so
 * they can neither hide text nor reorder the hover.
 */

// Bidi embeddings/overrides/isolates and marks, zero-width characters, BOM, soft hyphen.
const INVISIBLE = /[\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;
// Other C0/C1 controls (line breaks are handled separately).
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Makes invisible and control characters visible as `⟨U+200B⟩`. */
export function revealInvisibles(text: string): string {
  return text.replace(INVISIBLE, (ch) => `⟨${codePoint(ch)}⟩`).replace(CONTROL, (ch) => `⟨${codePoint(ch)}⟩`);
}

/**
 * Text that renders literally inside Markdown: every ASCII punctuation character that Markdown
 * or HTML could read is backslash-escaped (CommonMark allows escaping any of them), and line
 * breaks become spaces so the text stays on one line.
 */
export function escapeMarkdown(text: string): string {
  return revealInvisibles(text)
    .replace(/\r\n|\r|\n|\u2028|\u2029/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!<>|~"'&:;=/$%@^,?]/g, (ch) => `\\${ch}`);
}

/** Plain text for places that render no Markdown (tree items, quick picks), one line, invisibles shown. */
export function plainLabel(text: string, maxLength = 80): string {
  const oneLine = revealInvisibles(text).replace(/\s+/g, ' ').trim();
  return oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1)}…` : oneLine;
}
