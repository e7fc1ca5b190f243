import fs from 'node:fs';
import path from 'node:path';
import { writeCorpus } from '../../core/corpus';
import { formatConllSentence } from '../../core/corpus/conll';
import { formatJsonlSentence } from '../../core/corpus/jsonl';
import { tagsToSpans } from '../../core/corpus/schemes';
import type { TagTextResult } from '../../core/model/tagger';
import type { TaggerBase } from '../../core/model/tagger-base';
import { tokenizeSentences } from '../../core/tokens';
import type { TaggedSentence } from '../../core/types';
import type { CommandSpec } from '../command';
import { printProblems, readCorpusWithProgress } from '../corpus-input';
import { loadTaggerForCli } from '../model-input';
import { UsageError, UserError } from '../usage';

type OutputFormat = 'inline' | 'conll' | 'jsonl';

/** Files read as tokenized corpora (their tokens kept) rather than as text to tokenize. */
const CORPUS_EXTENSIONS = new Set(['.conll', '.conllu', '.iob', '.iob2', '.bio', '.jsonl', '.ndjson']);

/** Tokens with their tags inline: `[Angela Merkel]PER visited …`, or `word/TAG` for POS. */
function inlineTokens(sentence: TaggedSentence, tagger: TaggerBase): string {
  if (tagger.scheme === 'none') return sentence.tokens.map((t, i) => `${t}/${sentence.tags[i]}`).join(' ');
  const words = [...sentence.tokens];
  for (const chunk of tagsToSpans(sentence.tags, tagger.scheme)) {
    words[chunk.start] = `[${words[chunk.start]}`;
    words[chunk.end - 1] = `${words[chunk.end - 1]}]${chunk.label}`;
  }
  return words.join(' ');
}

/**
 * A corpus file tagged as it is tokenized: its sentences with the model's tags in place of the
 * gold ones (in the model's scheme), so the output lines up token for token with the input.
 */
async function tagCorpusFile(
  file: string,
  tagger: TaggerBase,
  err: NodeJS.WritableStream,
): Promise<TaggedSentence[]> {
  const result = await readCorpusWithProgress(file);
  if (result.problems.length > 0) printProblems(err, result);
  const tagged = tagger.tag(
    result.sentences.map((s) => s.tokens),
    { alternatives: 0 },
  );
  return result.sentences.map((s, i) => ({ ...s, tags: tagged[i]!.map((t) => t.tag) }));
}

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
    model: { type: 'string', value: 'DIR', help: 'the model folder' },
    text: { type: 'string', value: 'TEXT', help: 'text to tag (instead of or besides files)' },
    to: {
      type: 'string',
      value: 'inline|conll|jsonl',
      help: 'output: [Angela Merkel]PER inline, CoNLL columns, or JSONL spans',
      defaultText: 'inline for text; for a corpus file, its own kind (conll, jsonl)',
    },
    out: {
      type: 'string',
      value: 'FILE',
      help: 'write CoNLL or JSONL to FILE',
      defaultText: 'standard output',
    },
    input: {
      type: 'string',
      value: 'text|corpus',
      help: 'how to read files: as text to tokenize, or as a tokenized corpus whose tokens are kept (CoNLL, CoNLL-U, JSONL)',
      defaultText: 'corpus for .conll .conllu .iob .iob2 .bio .jsonl, text otherwise',
    },
  },
  async run({ values, positionals, out, err }) {
    if (typeof values.model !== 'string') throw new UsageError('--model DIR is required');
    const inputKind = values.input;
    if (inputKind !== undefined && inputKind !== 'text' && inputKind !== 'corpus')
      throw new UsageError('--input must be text or corpus');
    const isCorpus = (file: string) =>
      file !== '-' &&
      (inputKind === 'corpus' ||
        (inputKind === undefined && CORPUS_EXTENSIONS.has(path.extname(file).toLowerCase())));
    const corpusFiles = positionals.filter(isCorpus);
    const firstCorpus = corpusFiles[0] ? path.extname(corpusFiles[0]).toLowerCase() : undefined;
    const to = (values.to ??
      (firstCorpus === undefined || typeof values.text === 'string' || corpusFiles.length < positionals.length
        ? 'inline'
        : firstCorpus === '.jsonl' || firstCorpus === '.ndjson'
          ? 'jsonl'
          : 'conll')) as OutputFormat;
    if (!['inline', 'conll', 'jsonl'].includes(to))
      throw new UsageError('--to must be inline, conll or jsonl');
    const inputs: Array<{ name: string; text: string }> = [];
    if (typeof values.text === 'string') inputs.push({ name: '--text', text: values.text });
    for (const file of positionals.filter((f) => !isCorpus(f))) {
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
    if (inputs.length === 0 && corpusFiles.length === 0)
      throw new UsageError('give --text, one or more files, or - for stdin');
    const tagger = await loadTaggerForCli(values.model);
    try {
      const pos = tagger.card.config.task === 'pos';
      const sentences: TaggedSentence[] = [];
      /** Where each sentence came from, `file:line`, for messages. */
      const where: string[] = [];
      for (const input of inputs) {
        const result = tagger.tagText(input.text, tokenizeSentences, { alternatives: 0 }); // no output shows them
        if (to === 'inline') {
          out.write(`${inlineView(input.text, result, pos)}\n`);
          continue;
        }
        let t = 0;
        let line = 1;
        let counted = 0;
        for (const [start, end] of result.sentences) {
          const tokens = [];
          while (t < result.tokens.length && result.tokens[t]!.end <= end) tokens.push(result.tokens[t++]!);
          for (
            let at = input.text.indexOf('\n', counted);
            at >= 0 && at < start;
            at = input.text.indexOf('\n', at + 1)
          )
            line++;
          counted = start;
          where.push(`${input.name}:${line}`);
          sentences.push({
            tokens: tokens.map((x) => x.text),
            tags: tokens.map((x) => x.tag),
            text: input.text.slice(start, end),
            offsets: tokens.map((x): [number, number] => [x.start - start, x.end - start]),
          });
        }
      }
      for (const file of corpusFiles) {
        const tagged = await tagCorpusFile(file, tagger, err);
        if (to === 'inline') for (const sentence of tagged) out.write(`${inlineTokens(sentence, tagger)}\n`);
        else
          for (const sentence of tagged) {
            where.push(`${file}:${sentence.line ?? 0}`);
            sentences.push(sentence);
          }
      }
      if (to !== 'inline') {
        const options = to === 'jsonl' && pos ? { jsonlShape: 'tokens' as const } : {};
        if (typeof values.out === 'string') {
          await writeCorpus(values.out, sentences, to, options);
        } else {
          // Everything is formatted before anything is printed: a sentence that cannot be
          // written stops the command with its location, never after half the output.
          const format = to === 'conll' ? formatConllSentence : formatJsonlSentence;
          const texts = sentences.map((sentence, i) => {
            const formatted = format(sentence, options);
            if ('errors' in formatted) throw new UserError(`${where[i]}: ${formatted.errors.join('; ')}`);
            return formatted.text;
          });
          for (const text of texts) out.write(text);
        }
      }
    } finally {
      tagger.dispose();
    }
    return 0;
  },
};
