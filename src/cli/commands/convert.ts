import { convertTags, detectScheme, isChunkTag, repairTags, writeCorpus } from '../../core/corpus';
import type { TaggedSentence, TagScheme } from '../../core/types';
import type { CommandSpec } from '../command';
import { parseFormat, printProblems, readCorpusWithProgress } from '../corpus-input';
import { UsageError, UserError } from '../usage';

const SCHEMES: Record<string, TagScheme> = {
  iob1: 'IOB1',
  iob2: 'IOB2',
  bio: 'IOB2',
  bioes: 'BIOES',
  bilou: 'BIOES',
};

export function parseScheme(value: unknown, option: string): TagScheme | undefined {
  if (value === undefined) return undefined;
  const scheme = typeof value === 'string' ? SCHEMES[value.toLowerCase()] : undefined;
  if (!scheme)
    throw new UsageError(
      `${option} must be one of IOB1, IOB2 (BIO), BIOES (BILOU); got ${JSON.stringify(value)}`,
    );
  return scheme;
}

export const convertCommand: CommandSpec = {
  name: 'convert',
  summary: 'convert a corpus between formats (conll, conllu, uner, jsonl, brat) and tag schemes',
  usage:
    'spanlight convert --to FORMAT [--from FORMAT] [--scheme IOB1|IOB2|BIOES] [--jsonl-shape spans|tokens] [--xpos] IN OUT',
  options: {
    to: { type: 'string', value: 'FORMAT', help: 'output format: conll, conllu, uner, jsonl or brat' },
    from: { type: 'string', value: 'FORMAT', help: 'input format', defaultText: 'detected' },
    scheme: {
      type: 'string',
      value: 'IOB1|IOB2|BIOES',
      help: 'convert entity tags to this scheme (invalid sequences are repaired and counted)',
      defaultText: 'the input’s scheme, unchanged',
    },
    'jsonl-shape': {
      type: 'string',
      value: 'spans|tokens',
      help: 'JSONL output: text with character spans, or tokens with tags',
      defaultText: 'spans',
    },
    xpos: { type: 'boolean', help: 'CoNLL-U: read and write the XPOS column instead of UPOS' },
    'allow-problems': { type: 'boolean', help: 'convert the valid sentences of an input with problems' },
  },
  async run({ values, positionals, out, err }) {
    if (positionals.length !== 2) throw new UsageError('give exactly one input and one output file');
    const [input, output] = positionals as [string, string];
    const to = parseFormat(values.to, '--to');
    if (!to) throw new UsageError('--to FORMAT is required');
    const from = parseFormat(values.from, '--from');
    const scheme = parseScheme(values.scheme, '--scheme');
    const shape = values['jsonl-shape'];
    if (shape !== undefined && shape !== 'spans' && shape !== 'tokens') {
      throw new UsageError('--jsonl-shape must be spans or tokens');
    }
    const posColumn = values.xpos ? ('xpos' as const) : undefined;
    const result = await readCorpusWithProgress(input, {
      ...(from ? { format: from } : {}),
      ...(posColumn ? { posColumn } : {}),
    });
    if (result.problems.length > 0) {
      printProblems(err, result);
      if (!values['allow-problems']) {
        throw new UserError(
          `${input} has problems; fix them, or pass --allow-problems to convert the valid sentences only`,
        );
      }
    }
    let sentences: TaggedSentence[] = result.sentences;
    let repairs = 0;
    if (scheme) {
      const source = detectScheme(sentences.map((s) => s.tags));
      if (source === 'none' || !sentences.every((s) => s.tags.every(isChunkTag))) {
        throw new UserError(`${input}: --scheme needs chunk tags (O, B-X, I-X…); these tags are not`);
      }
      sentences = sentences.map((s) => {
        const repaired = repairTags(s.tags, source);
        repairs += repaired.repairs;
        return { ...s, tags: convertTags(repaired.tags, source, scheme) };
      });
      err.write(`tags: ${source} → ${scheme}${repairs > 0 ? ` (${repairs} invalid tags repaired)` : ''}\n`);
    }
    const written = await writeCorpus(output, sentences, to, {
      ...(posColumn ? { posColumn } : {}),
      ...(shape ? { jsonlShape: shape as 'spans' | 'tokens' } : {}),
    });
    out.write(`wrote ${written.sentences} sentences to ${written.paths.join(' and ')} (${to})\n`);
    return 0;
  },
};
