/**
 * Data shapes shared across the core. Offsets are UTF-16 code-unit indices into a JavaScript
 * string, half-open `[start, end)`, so `text.slice(start, end)` is always the covered text.
 */

/** A labelled region of a text, by character offsets. */
export interface Span {
  start: number;
  end: number;
  label: string;
}

/** A labelled run of tokens, by token indices `[start, end)`. */
export interface TokenSpan {
  start: number;
  end: number;
  label: string;
}

/** A tokenized sentence with one tag per token, as read from or written to a corpus. */
export interface TaggedSentence {
  tokens: string[];
  /** One tag per token: BIO-style chunk tags for entities, plain tags (UPOS…) for POS. */
  tags: string[];
  /** The sentence text when the format gives it (CoNLL-U `# text`, JSONL `text`, brat). */
  text?: string;
  /** `[start, end)` of each token in `text`; present whenever `text` is. */
  offsets?: Array<[number, number]>;
  /** Sentence id when the format gives one (CoNLL-U `# sent_id`). */
  id?: string;
  /** 1-based line (or JSONL record line) where the sentence starts in its file. */
  line?: number;
}

/** Chunk tag schemes. BILOU is accepted as an alias of BIOES (L = E, U = S). */
export type TagScheme = 'IOB1' | 'IOB2' | 'BIOES';
