/**
 * Test helper: reads the `# text = ` lines of CoNLL-U files and the character spans of their
 * gold tokens, to check our tokenizer against treebank tokenization. Not a test file itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from '../data';

export { DATA_DIR };

export function conlluFiles(corpusDir: string): string[] {
  const dir = path.join(DATA_DIR, corpusDir);
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.conllu'))
    .sort()
    .map((name) => path.join(dir, name));
}

export interface GoldSentence {
  text: string;
  /** `[start, end)` of each gold token in `text`, or null when the forms do not spell the text. */
  spans: Array<[number, number]> | null;
  /** `# newpar` / `# newdoc` opened a new paragraph at this sentence. */
  newParagraph: boolean;
}

/**
 * Gold tokens are syntactic words; a multi-word token (`don't` = `do` + `n't`) counts as its
 * words when they spell it, otherwise (`won't` = `will` + `not`) as one token.
 */
export function readGoldSentences(file: string): GoldSentence[] {
  const sentences: GoldSentence[] = [];
  let text: string | undefined;
  let units: string[] = [];
  let newParagraph = false;
  let pendingParagraph = false;
  let multiword: { surface: string; last: number; words: string[] } | undefined;
  const finish = (): void => {
    if (text !== undefined) {
      sentences.push({ text, spans: locate(text, units), newParagraph });
    }
    text = undefined;
    units = [];
    multiword = undefined;
  };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line === '') {
      finish();
    } else if (line.startsWith('# newpar') || line.startsWith('# newdoc')) {
      pendingParagraph = true;
    } else if (line.startsWith('# text = ')) {
      text = line.slice('# text = '.length);
      newParagraph = pendingParagraph;
      pendingParagraph = false;
    } else if (!line.startsWith('#')) {
      const [id = '', form = ''] = line.split('\t');
      const range = /^(\d+)-(\d+)$/.exec(id);
      if (range) {
        multiword = { surface: form, last: Number(range[2]), words: [] };
      } else if (/^\d+$/.test(id)) {
        if (multiword) {
          multiword.words.push(form);
          if (Number(id) === multiword.last) {
            const spelled = multiword.words.join('') === multiword.surface;
            units.push(...(spelled ? multiword.words : [multiword.surface]));
            multiword = undefined;
          }
        } else {
          units.push(form);
        }
      }
    }
  }
  finish();
  return sentences;
}

function locate(text: string, forms: string[]): Array<[number, number]> | null {
  const spans: Array<[number, number]> = [];
  let cursor = 0;
  for (const form of forms) {
    while (cursor < text.length && /\s/.test(text[cursor] ?? '')) cursor += 1;
    if (!text.startsWith(form, cursor)) return null;
    spans.push([cursor, cursor + form.length]);
    cursor += form.length;
  }
  return spans;
}

/** All `# text = ` lines of a corpus directory. */
export function textLines(corpusDir: string): string[] {
  return conlluFiles(corpusDir).flatMap((file) =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('# text = '))
      .map((line) => line.slice('# text = '.length)),
  );
}
