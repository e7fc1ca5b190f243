import fs from 'node:fs';
import { writeCorpus } from '../../core/corpus';
import { formatConllSentence } from '../../core/corpus/conll';
import { formatJsonlSentence } from '../../core/corpus/jsonl';
import type { TagTextResult } from '../../core/model/tagger';
import { tokenizeSentences } from '../../core/tokens';
import type { TaggedSentence } from '../../core/types';
import type { CommandSpec } from '../command';
import { loadTaggerForCli } from '../model-input';
import { UsageError, UserError } from '../usage';

type OutputFormat = 'inline' | 'conll' | 'jsonl';

/** `Angela Merkel visited Paris` → `[Angela Merkel]PER visited [Paris]LOC`, or word/TAG for POS. */
function inlineView(text: string, result: TagTextResult, pos: boolean): string {
  if (pos) return result.tokens.map((t) => `${t.text}/${t.tag}`).join(' ');
  let out = '';
  let at = 0;
  for (const span of result.spans) {
    out += `${text.slice(at, span.start)}[${span.text}]${span.label}`;
    at = span.end;
  }
  return out + text.slice(at);
}

export const tagCommand: CommandSpec = {
  name: 'tag',
  summary: 'tag text or files with a model: a readable inline view, CoNLL, or JSONL spans',
  usage:
    'spanlight tag --model DIR [--to inline|conll|jsonl] [--out FILE] (--text "…" | FILE… | - for stdin)',
  options: {
    model: { type: 'string' },
    text: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string' },
  },
  async run({ values, positionals, out }) {
    if (typeof values.model !== 'string') throw new UsageError('--model DIR is required');
    const to = (values.to ?? 'inline') as OutputFormat;
    if (!['inline', 'conll', 'jsonl'].includes(to))
      throw new UsageError('--to must be inline, conll or jsonl');
    const inputs: Array<{ name: string; text: string }> = [];
    if (typeof values.text === 'string') inputs.push({ name: '--text', text: values.text });
    for (const file of positionals) {
      try {
        inputs.push({
          name: file,
          text: file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8'),
        });
      } catch (err) {
        throw new UserError(
          `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        );
      }
    }
    if (inputs.length === 0) throw new UsageError('give --text, one or more files, or - for stdin');
    const tagger = await loadTaggerForCli(values.model);
    try {
      const pos = tagger.card.config.task === 'pos';
      const sentences: TaggedSentence[] = [];
      for (const input of inputs) {
        const result = tagger.tagText(input.text, tokenizeSentences);
        if (to === 'inline') {
          out.write(`${inlineView(input.text, result, pos)}\n`);
          continue;
        }
        let t = 0;
        for (const [start, end] of result.sentences) {
          const tokens = [];
          while (t < result.tokens.length && result.tokens[t]!.end <= end) tokens.push(result.tokens[t++]!);
          sentences.push({
            tokens: tokens.map((x) => x.text),
            tags: tokens.map((x) => x.tag),
            text: input.text.slice(start, end),
            offsets: tokens.map((x): [number, number] => [x.start - start, x.end - start]),
          });
        }
      }
      if (to !== 'inline') {
        const options = to === 'jsonl' && pos ? { jsonlShape: 'tokens' as const } : {};
        if (typeof values.out === 'string') {
          await writeCorpus(values.out, sentences, to, options);
        } else {
          const format = to === 'conll' ? formatConllSentence : formatJsonlSentence;
          for (const sentence of sentences) {
            const formatted = format(sentence, options);
            if ('errors' in formatted) throw new UserError(formatted.errors.join('; '));
            out.write(formatted.text);
          }
        }
      }
    } finally {
      tagger.dispose();
    }
    return 0;
  },
};
