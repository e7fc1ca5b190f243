/**
 * A single-pass tokenizer with character offsets. It produces wink-tokenizer's token kinds but
 * decides the boundaries itself, so that:
 *  - every token is a verbatim slice of the input (`text.slice(start, end) === value`);
 *  - words are Unicode-aware (letters, combining marks, digits of any script), where wink only
 *    knows Latin-1 and Devanagari and breaks `cœur`, `Łódź` or `e` + U+0301 apart;
 *  - the result follows UD English-EWT conventions (`do`+`n't`, `Dr.`, `U.S.`, `well`+`-`+`known`)
 *    and UD French-GSD ones (`l'`+`appartement`, `2 001`);
 *  - runtime is linear in the input: every pattern either consumes what it scans or is bounded.
 * See ./wink.ts for the wink-based reference tokenizer this one is compared against.
 */

import {
  ABBREVIATIONS,
  ABBREVIATIONS_BEFORE_NUMBER,
  ELISION_EXCEPTIONS,
  ELISION_PREFIXES,
  ENGLISH_CLITICS,
  HYPHEN_PREFIXES,
  NUMBER_UNITS,
  SENTENCE_FINAL_ABBREVIATIONS,
  SPLIT_WITHOUT_APOSTROPHE,
} from './lexicon';
import { hasBlankLine, SEPARATOR_CLASS, skipSeparators, type Token, type TokenKind } from './token';

const WORD_START = '[\\p{L}\\p{N}_]';
// Soft hyphen and ZWNJ/ZWJ occur inside words (hyphenation points, Persian and Indic scripts).
const WORD_CHAR = '[\\p{L}\\p{M}\\p{N}_\\u00AD\\u200C\\u200D]';
const APOSTROPHE = "['’]";
// Characters that extend the preceding grapheme; a token boundary never falls before one.
const EXTENDER = '[\\p{M}\\u200D\\uFE0E\\uFE0F\\u{E0020}-\\u{E007F}]';
const GROUP_SPACE = '[ \\u00A0\\u202F]';
const ALNUM = '[\\p{L}\\p{N}]';
const DOMAIN_LABEL = `${ALNUM}(?:[\\p{L}\\p{N}-]{0,62}${ALNUM})?`;

const PATTERNS = {
  separator: `[${SEPARATOR_CLASS}]+`,
  url: `(?:(?:[hH][tT]{2}[pP][sS]?|[fF][tT][pP]):\\/\\/|[wW]{3}\\.)[^${SEPARATOR_CLASS}<>"]+`,
  // The local part is bounded so that a long run without `@` costs little at each token start.
  email: `[\\p{L}\\p{N}_][\\p{L}\\p{N}._%+'-]{0,63}@${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})+`,
  mention: '@[\\p{L}\\p{N}_]+',
  hashtag: '#[\\p{L}_][\\p{L}\\p{M}\\p{N}_]*',
  emoji:
    '(?:\\p{Regional_Indicator}{2}' +
    '|[#*0-9]\\uFE0F?\\u20E3' +
    // ©, ® and ™ are pictographic but read as symbols unless given emoji presentation.
    '|(?:[©®™]\\uFE0F|(?![©®™])\\p{Extended_Pictographic})' +
    '(?:\\uFE0F|\\p{Emoji_Modifier}|[\\u{E0020}-\\u{E007F}])*' +
    '(?:\\u200D\\p{Extended_Pictographic}(?:\\uFE0F|\\p{Emoji_Modifier})*)*)',
  // Not glued to letters or digits, so `Note:Do` or `C:/dir` are not faces.
  emoticon: `(?<!${ALNUM})(?:[:;=][-o^']?[()\\[\\]{}DPpSs*/\\\\|]|<3|[:;]['’]-?\\()(?!${ALNUM})`,
  // U.S., e.g., p.m.: single letters joined by periods, keeping the last period.
  acronym: `\\p{L}\\p{M}*(?:\\.\\p{L}\\p{M}*)+\\.?(?![\\p{L}\\p{M}\\p{N}])`,
  number:
    // 1 270 000 and 2 001 (French digit grouping, one token in UD French-GSD); at most six
    // groups so that a hostile run of them cannot make the scan quadratic.
    `\\p{Nd}{1,3}(?:${GROUP_SPACE}\\p{Nd}{3}){1,6}(?:[.,]\\p{Nd}+)?(?!\\p{Nd}|${GROUP_SPACE}\\p{Nd})` +
    // 3.14, 5,000, 06.43.43.43.43, 11/28/2000, 713-853-3989, 5:30
    '|\\p{Nd}+(?:[.,:/-]\\p{Nd}+)*',
  // Inner apostrophes (`don't`, `O'Brien`) and inner periods before a lower-case letter or a
  // digit (`Space.com`, `v1.2`) stay inside a word; `end.The` is two words.
  word: `${WORD_START}${WORD_CHAR}*(?:${APOSTROPHE}${WORD_CHAR}+|\\.(?=[\\p{Ll}\\p{Nd}])${WORD_CHAR}+)*`,
  punctuationRun: "[.!?…‽]+|-{2,}|={2,}|\\*{2,}|_{2,}|~{2,}|\\+{2,}|#{2,}|<{2,}|>{2,}|''|``|[‘’]{2}",
  anything: '[^]',
} as const;

type PatternName = keyof typeof PATTERNS;
const PATTERN_NAMES = Object.keys(PATTERNS) as PatternName[];

// One sticky regex with a capture group per pattern, tried in the order above at each position.
const SCANNER = new RegExp(PATTERN_NAMES.map((name) => `(${PATTERNS[name]})`).join('|'), 'uy');

const WORD_AT = new RegExp(PATTERNS.word, 'uy');
const EXTENDERS_AT = new RegExp(`${EXTENDER}+`, 'uy');
const WORD_CHARS_AT = new RegExp(`${WORD_CHAR}+`, 'uy');
const ORDINAL_SUFFIX_AT =
  /(?:st|nd|rd|th|ST|ND|RD|TH|er|re|ère|ème|eme|e|è|ᵉ|ᵉʳ|ᵉʳᵉ)(?![\p{L}\p{M}\p{N}_])/uy;
const AM_PM_AT = /[ \t]?[aApP]\.?[mM](?![\p{L}\p{N}])/uy;
const FRENCH_HOURS_AT = /h(?:[0-5]\d)?(?![\p{L}\p{M}\p{N}_])/uy;
const DECADE_AT = new RegExp(`${APOSTROPHE}s(?![\\p{L}\\p{M}\\p{N}_])`, 'uy');
const DIGIT_AFTER_SPACES_AT = /[ \t\u00A0\u202F]*\d/y;
const CLOCK_TIME = /^(?:[01]?\d|2[0-4]):[0-5]\d(?::[0-5]\d)?$/;
const ALL_DIGITS = /^\d+$/;
const NUMBER_RANGE = /^(\d{1,2}|\d{4})-\d+$/;
const HOUR = /^(?:[01]?\d|2[0-4])$/;
const ONLY_NUMBER_CHARS = /^[\p{N}\p{M}]+$/u;
const UPPERCASE_LETTER = /^\p{Lu}$/u;
const LEADING_ELISION = /^(\p{L}+)['’](?=\p{L})/u;
const TRAILING_URL_PUNCTUATION = /[.,;:!?'"’”»)\]}>*]/;

// wink-tokenizer calls these ASCII characters symbols; Unicode calls several punctuation.
const ASCII_SYMBOLS = new Set('~@#%^+=*|/<>&');
const IS_CURRENCY = /^\p{Sc}/u;
const IS_PUNCTUATION = /^\p{P}/u;
const IS_SYMBOL = /^\p{S}/u;
const IS_NUMBER = /^\p{N}/u;
const IS_LETTER = /^[\p{L}\p{M}]/u;
const kindCache = new Map<number, TokenKind>();

/** Kind of a token that is a single character (plus extenders) or a run of one. */
function kindOfCharacter(value: string): TokenKind {
  const codePoint = value.codePointAt(0) ?? 0;
  const cached = kindCache.get(codePoint);
  if (cached !== undefined) return cached;
  const first = String.fromCodePoint(codePoint);
  let kind: TokenKind;
  if (ASCII_SYMBOLS.has(first)) kind = 'symbol';
  else if (IS_CURRENCY.test(first)) kind = 'currency';
  else if (IS_PUNCTUATION.test(first)) kind = 'punctuation';
  else if (IS_SYMBOL.test(first)) kind = 'symbol';
  else if (IS_NUMBER.test(first)) kind = 'number';
  // An orphan combining mark (after a space) is not a word of its own.
  else if (IS_LETTER.test(first) && !/^\p{M}/u.test(first)) kind = 'word';
  else kind = 'alien';
  if (kindCache.size < 4096) kindCache.set(codePoint, kind);
  return kind;
}

/** Position after the pattern when it matches at `at`, otherwise -1. */
function matchEnd(pattern: RegExp, text: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : -1;
}

/** Extends `end` over grapheme extenders (combining marks, variation selectors, ZWJ). */
function extendGrapheme(text: string, end: number): number {
  if (end >= text.length || text.charCodeAt(end) < 0x300) return end;
  const extended = matchEnd(EXTENDERS_AT, text, end);
  return extended === -1 ? end : extended;
}

function trimUrl(text: string, start: number, end: number): number {
  let trimmedEnd = end;
  while (trimmedEnd > start + 1 && TRAILING_URL_PUNCTUATION.test(text[trimmedEnd - 1] ?? '')) {
    if (text[trimmedEnd - 1] === ')') {
      // Keep a closing parenthesis that the URL itself opened (Wikipedia-style links).
      const url = text.slice(start, trimmedEnd);
      if (url.split('(').length >= url.split(')').length) break;
    }
    trimmedEnd -= 1;
  }
  return trimmedEnd;
}

/** Whether a word keeps the period that follows it (`Dr.`, `J.`, `No. 5`). */
function keepsPeriod(text: string, word: string, periodAt: number): boolean {
  if (text.charCodeAt(periodAt + 1) === 0x2e) return false; // `etc...`: an ellipsis follows
  const next = skipSeparators(text, periodAt + 1);
  // Whatever follows a paragraph's end has no say, so each paragraph tokenizes on its own.
  const atParagraphEnd = next >= text.length || hasBlankLine(text, periodAt + 1, next);
  // An initial: J. K. Rowling, but "because of X." ends the paragraph with a period of its own.
  if (UPPERCASE_LETTER.test(word)) return !atParagraphEnd;
  const lower = word.toLowerCase();
  // `PR.` or `CO.` are acronyms ending a sentence, not the abbreviations `Pr.` or `Co.`.
  if (word.length > 1 && word === word.toUpperCase()) return false;
  // `… and so on, etc.` at the very end: the period is the sentence's, as in EWT.
  if (SENTENCE_FINAL_ABBREVIATIONS.has(lower)) return !atParagraphEnd;
  if (ABBREVIATIONS.has(lower)) return true;
  return ABBREVIATIONS_BEFORE_NUMBER.has(lower) && matchEnd(DIGIT_AFTER_SPACES_AT, text, periodAt + 1) !== -1;
}

/**
 * Offsets (relative to the word) where a word splits into syntactic words: French elision
 * (`l'`|`appartement`), English clitics (`do`|`n't`, `I`|`'ll`), and unwritten apostrophes
 * (`can`|`not`, `gon`|`na`).
 */
function wordSplits(word: string): number[] {
  const hasApostrophe = word.includes("'") || word.includes('’');
  if (!hasApostrophe) {
    const lower = word.toLowerCase();
    const at = SPLIT_WITHOUT_APOSTROPHE.get(lower);
    const casedLikeAWord = word === lower || word.slice(1) === lower.slice(1);
    return at !== undefined && casedLikeAWord ? [at] : [];
  }
  const splits: number[] = [];
  const normalized = word.toLowerCase().replaceAll('’', "'");
  let restStart = 0;
  const elision = LEADING_ELISION.exec(word);
  if (
    elision?.[1] !== undefined &&
    ELISION_PREFIXES.has(elision[1].toLowerCase()) &&
    !ELISION_EXCEPTIONS.has(normalized)
  ) {
    restStart = elision[0].length;
    splits.push(restStart);
  }
  const rest = normalized.slice(restStart);
  if (rest.length > 3 && rest.endsWith("n't")) {
    splits.push(word.length - 3);
  } else {
    const clitic = ENGLISH_CLITICS.find((c) => rest.length > c.length && rest.endsWith(c));
    if (clitic !== undefined) splits.push(word.length - clitic.length);
  }
  return splits;
}

function pushWord(tokens: Token[], text: string, start: number, end: number, splitEnd: number): void {
  const value = text.slice(start, splitEnd);
  let from = start;
  for (const split of wordSplits(value)) {
    tokens.push({ value: text.slice(from, start + split), start: from, end: start + split, kind: 'word' });
    from = start + split;
  }
  const last = text.slice(from, end);
  tokens.push({ value: last, start: from, end, kind: ONLY_NUMBER_CHARS.test(last) ? 'number' : 'word' });
}

/** Scans a word from `start` (already matched up to `end`) and pushes it; returns its end. */
function scanWord(tokens: Token[], text: string, start: number, matchedEnd: number): number {
  let end = matchedEnd;
  let segmentStart = start;
  // e-mail, non-profit, co-workers: known prefixes keep their hyphen.
  while (
    text.charCodeAt(end) === 0x2d &&
    HYPHEN_PREFIXES.has(text.slice(segmentStart, end).toLowerCase()) &&
    IS_LETTER.test(text[end + 1] ?? '')
  ) {
    const next = matchEnd(WORD_AT, text, end + 1);
    if (next === -1) break;
    segmentStart = end + 1;
    end = next;
  }
  end = extendGrapheme(text, end);
  const segment = text.slice(segmentStart, end);
  const nextChar = text[end];
  if ((nextChar === "'" || nextChar === '’') && ELISION_PREFIXES.has(segment.toLowerCase())) {
    end += 1; // `L'« oasis »`: an elided word keeps its apostrophe even before a non-letter
  } else if (nextChar === '°' && (segment === 'n' || segment === 'N')) {
    end += 1; // n° 1107
  }
  const wordEnd = end;
  if (text.charCodeAt(end) === 0x2e && keepsPeriod(text, segment, end)) {
    end += 1;
  }
  pushWord(tokens, text, start, end, wordEnd);
  return end;
}

/** Pushes a number (or a time, ordinal, or alphanumeric word that starts with digits). */
function scanNumber(tokens: Token[], text: string, start: number, matchedEnd: number): number {
  let value = text.slice(start, matchedEnd);
  // 13-17, 1998-2001: a range is number, hyphen, number (EWT); 713-853-3989 or 646-8420 stay.
  const range = NUMBER_RANGE.exec(value);
  const numberEnd = range?.[1] === undefined ? matchedEnd : start + range[1].length;
  if (numberEnd !== matchedEnd) value = text.slice(start, numberEnd);
  let end = numberEnd;
  let kind: TokenKind = CLOCK_TIME.test(value) ? 'time' : 'number';
  if (ALL_DIGITS.test(value)) {
    const ordinalEnd = matchEnd(ORDINAL_SUFFIX_AT, text, end);
    const hoursEnd = HOUR.test(value) ? matchEnd(FRENCH_HOURS_AT, text, end) : -1;
    const decadeEnd = matchEnd(DECADE_AT, text, end);
    if (ordinalEnd !== -1) {
      end = ordinalEnd;
      kind = 'ordinal';
    } else if (hoursEnd !== -1) {
      end = hoursEnd; // 10h30, 18h
      kind = 'time';
    } else if (decadeEnd !== -1) {
      end = decadeEnd; // the 80's
    }
  }
  if (end === numberEnd) {
    if (matchEnd(AM_PM_AT, text, end) !== -1) {
      kind = 'time'; // `5pm`: the number is the time; `pm` stays its own word, as in EWT
    } else {
      // 1970s, 3D, 4x4: digits glued to letters make one word, except units (`65k`, `35mm`).
      const glued = matchEnd(WORD_CHARS_AT, text, end);
      if (glued !== -1 && !NUMBER_UNITS.has(text.slice(end, glued))) {
        end = glued;
        kind = 'word';
      }
    }
  }
  end = extendGrapheme(text, end);
  tokens.push({ value: text.slice(start, end), start, end, kind });
  return end;
}

/**
 * Splits `text` into tokens with `[start, end)` UTF-16 offsets. Tokens are in order, do not
 * overlap, never start or end with whitespace or an invisible separator, and their `value` is
 * exactly `text.slice(start, end)`. Only a number written with digit-group spaces (`1 270 000`)
 * contains whitespace.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const length = text.length;
  let pos = 0;
  while (pos < length) {
    SCANNER.lastIndex = pos;
    const match = SCANNER.exec(text);
    // The last alternative matches any character, so this cannot happen; stay safe anyway.
    if (match === null) break;
    const start = pos;
    let end = SCANNER.lastIndex;
    let group = 1;
    while (match[group] === undefined) group += 1;
    const name = PATTERN_NAMES[group - 1];
    switch (name) {
      case 'separator':
        pos = end;
        continue;
      case 'word':
        pos = scanWord(tokens, text, start, end);
        continue;
      case 'number':
        pos = scanNumber(tokens, text, start, end);
        continue;
      case 'url':
        end = trimUrl(text, start, end);
        break;
      case 'acronym':
      case 'email':
      case 'mention':
      case 'hashtag':
      case 'emoji':
      case 'emoticon':
      case 'punctuationRun':
      case 'anything':
      case undefined:
        break;
      default: {
        const unreachable: never = name;
        throw new Error(`unknown token pattern ${String(unreachable)}`);
      }
    }
    end = extendGrapheme(text, end);
    const value = text.slice(start, end);
    tokens.push({ value, start, end, kind: kindOfMatch(name, value) });
    pos = end;
  }
  return tokens;
}

function kindOfMatch(name: PatternName | undefined, value: string): TokenKind {
  switch (name) {
    case 'url':
    case 'email':
    case 'mention':
    case 'hashtag':
    case 'emoji':
    case 'emoticon':
      return name;
    case 'acronym':
      return 'word';
    default:
      return kindOfCharacter(value);
  }
}
