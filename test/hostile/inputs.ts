/**
 * Hostile inputs written to files, shared by the hostile suite and the benchmark's hostile
 * section (bench/hostile.ts). No node:test here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from '../unit/data';

/**
 * A brat document (`NAME.txt`, `NAME.ann` in `dir`) of `tokens` words, `perLine` to a line (all
 * on one line by default), an entity on every tenth.
 */
export function writeBratLine(
  dir: string,
  name: string,
  tokens: number,
  perLine = tokens,
): { txt: string; ann: string } {
  const words = Array.from({ length: tokens }, (_, i) => `w${i % 97}`);
  const entities: string[] = [];
  let offset = 0;
  words.forEach((word, i) => {
    if (i % 10 === 0)
      entities.push(`T${entities.length + 1}\tLOC ${offset} ${offset + word.length}\t${word}`);
    offset += word.length + 1;
  });
  const text = words.map((word, i) => `${word}${(i + 1) % perLine === 0 ? '\n' : ' '}`).join('');
  const txt = path.join(dir, `${name}.txt`);
  const ann = path.join(dir, `${name}.ann`);
  fs.writeFileSync(txt, `${text.trimEnd()}\n`);
  fs.writeFileSync(ann, `${entities.join('\n')}\n`);
  return { txt, ann };
}

/** `chars` characters of short words with spaces: one endless sentence. */
export function endlessText(chars: number): string {
  return Array.from({ length: Math.ceil(chars / 3) }, (_, i) => `w${i % 97}`)
    .join(' ')
    .slice(0, chars);
}

/**
 * About `chars` characters of real English (UD EWT's words, without those holding punctuation
 * that could end a sentence): one sentence. Past the corpus's ~1 MB its words start over.
 */
export function oneSentenceDocument(chars: number): string {
  const ending = /[.!?…;:"'“”‘’()[\]{}]/; // nothing that could end a sentence or close one
  const forms: string[] = [];
  for (const line of fs
    .readFileSync(path.join(DATA_DIR, 'ud-en-ewt/en_ewt-ud-train.conllu'), 'utf8')
    .split('\n')) {
    const [id, form] = line.split('\t');
    if (form && /^\d+$/.test(id!) && !ending.test(form)) forms.push(form);
  }
  const words: string[] = [];
  let length = 0;
  for (let i = 0; length < chars; i++) {
    const form = forms[i % forms.length]!;
    words.push(form);
    length += form.length + 1;
  }
  return words.join(' ');
}

/** A JSONL record whose first span's start is an array nested `depth` deep. */
export function deepJsonLine(depth: number): string {
  return `{"text":"a b","spans":[[${'['.repeat(depth)}${']'.repeat(depth)},1,"X"]]}\n`;
}
