// Minimal ambient declaration for wink-tokenizer 5.x, which ships no types. Only what
// src/core/tokens uses is declared; the module is CommonJS (`module.exports = tokenizer`).
declare module 'wink-tokenizer' {
  namespace winkTokenizer {
    /** Wink's own token tags; addRegex() can add others, hence the open `string`. */
    type WinkTag =
      | 'word'
      | 'number'
      | 'punctuation'
      | 'symbol'
      | 'currency'
      | 'email'
      | 'url'
      | 'hashtag'
      | 'mention'
      | 'emoji'
      | 'emoticon'
      | 'time'
      | 'ordinal'
      | 'quoted_phrase'
      | 'alien'
      | (string & {});

    interface WinkToken {
      value: string;
      tag: WinkTag;
    }

    interface WinkTokenizer {
      tokenize(sentence: string): WinkToken[];
      defineConfig(config: Partial<Record<string, boolean>>): number;
      getTokensFP(): string;
      addTag(name: string, fingerprintCode: string): void;
      addRegex(regex: RegExp, tag: string, fingerprintCode?: string): void;
    }
  }

  function winkTokenizer(): winkTokenizer.WinkTokenizer;
  export = winkTokenizer;
}
