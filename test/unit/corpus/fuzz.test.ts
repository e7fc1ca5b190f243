/**
 * Fuzzing the readers with seeded random and mutated inputs (windows of the real corpora with
 * columns dropped or duplicated, garbage and broken UTF-8 inserted, lines shuffled, numbers blown
 * up…). Whatever the input, a reader returns well-formed sentences and problems, or (strict) a
 * CorpusError; any other exception is a bug. Sentences read from a fuzzed file must also survive
 * a write → read cycle unchanged (or be refused by the writer with a CorpusError).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  CorpusError,
  type CorpusFormat,
  type CorpusReadOptions,
  type CorpusReadResult,
  parseCorpus,
  readCorpus,
  writeCorpus,
} from '../../../src/core/corpus';
import type { TaggedSentence } from '../../../src/core/types';
import { CORPORA, makeTempDir, withoutLine } from './helpers';

const SEED = Number(process.env.CORPUS_FUZZ_SEED ?? 20_251_127);
const IN_MEMORY_CASES_PER_FORMAT = 2_000;
const FILE_CASES_PER_FORMAT = 60;
const FORMATS: readonly CorpusFormat[] = ['conll', 'conllu', 'uner', 'jsonl', 'brat'];

/** mulberry32: small, fast, good enough to drive a fuzzer reproducibly. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
type Random = ReturnType<typeof randomSource>;

const GARBAGE = [
  '\t',
  '\n',
  '\n\n',
  ' ',
  '\r',
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  '#',
  '# text = ',
  '# sent_id = ',
  '-',
  '_',
  '0',
  '1',
  '1-2',
  '3.1',
  ';',
  '=',
  'B-',
  'I-',
  'Q-',
  'O',
  'T1\t',
  'SpaceAfter=No',
  '-DOCSTART-',
  '\u0000',
  '\uFFFD',
  '😀',
  '\uD800',
  '\uDC00',
  '\uFEFF',
  '\u00A0',
  'é',
  '"spans": ',
  '"start": ',
  'null',
  'true',
];
const HUGE_NUMBERS = [
  '99999999999999999999999',
  '1e308',
  '-1',
  '0',
  '4294967296',
  '9007199254740993',
  'NaN',
  '1.5',
];
const BROKEN_UTF8 = [
  [0xc3],
  [0xff],
  [0xed, 0xa0, 0x80],
  [0xf0, 0x9f],
  [0xe2, 0x82],
  [0x80, 0x80],
  [0xfe, 0xfe],
];

type Input = string | Uint8Array;

const mutations: Array<(input: string, random: Random) => Input> = [
  function dropColumn(input, random) {
    return mapRandomLine(input, random, (line) => {
      const columns = line.split(line.includes('\t') ? '\t' : ' ');
      columns.splice(random.int(columns.length), 1);
      return columns.join(line.includes('\t') ? '\t' : ' ');
    });
  },
  function duplicateColumn(input, random) {
    return mapRandomLine(input, random, (line) => {
      const columns = line.split('\t');
      const i = random.int(columns.length);
      columns.splice(i, 0, columns[i]!);
      return columns.join('\t');
    });
  },
  function insertGarbage(input, random) {
    const at = random.int(input.length + 1);
    const garbage = Array.from({ length: 1 + random.int(4) }, () => random.pick(GARBAGE)).join('');
    return input.slice(0, at) + garbage + input.slice(at);
  },
  function truncate(input, random) {
    return input.slice(0, random.int(input.length + 1));
  },
  function shuffleLines(input, random) {
    const lines = input.split('\n');
    for (let i = lines.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    }
    return lines.join('\n');
  },
  function deleteOrDuplicateLine(input, random) {
    const lines = input.split('\n');
    const i = random.int(lines.length);
    if (random.next() < 0.5) lines.splice(i, 1);
    else lines.splice(i, 0, lines[i]!);
    return lines.join('\n');
  },
  function hugeNumbers(input, random) {
    return input.replace(/\d+/g, (digits) => (random.next() < 0.3 ? random.pick(HUGE_NUMBERS) : digits));
  },
  function brokenUtf8(input, random) {
    const bytes = Buffer.from(input, 'utf8');
    const at = random.int(bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, at), Buffer.from(random.pick(BROKEN_UTF8)), bytes.subarray(at)]);
  },
  function cutInsideCharacter(input, random) {
    const bytes = Buffer.from(input, 'utf8');
    return bytes.subarray(0, random.int(bytes.length + 1));
  },
];

function mapRandomLine(input: string, random: Random, change: (line: string) => string): string {
  const lines = input.split('\n');
  const i = random.int(lines.length);
  lines[i] = change(lines[i]!);
  return lines.join('\n');
}

function mutate(seedText: string, random: Random): Input {
  let current: Input = seedText;
  const rounds = 1 + random.int(4);
  for (let round = 0; round < rounds; round++) {
    const text = typeof current === 'string' ? current : new TextDecoder().decode(current);
    current = random.pick(mutations)(text, random);
  }
  return current;
}

function randomInput(random: Random): Input {
  if (random.next() < 0.5) {
    return Uint8Array.from({ length: random.int(200) }, () => random.int(256));
  }
  return Array.from({ length: random.int(60) }, () => random.pick(GARBAGE)).join('');
}

function window(lines: readonly string[], random: Random): string {
  const start = random.int(lines.length);
  return `${lines.slice(start, start + 1 + random.int(60)).join('\n')}\n`;
}

/** Sentences and problems must be well formed whatever came in. */
function assertWellFormed(result: CorpusReadResult, options: CorpusReadOptions, label: string): void {
  for (const problem of result.problems) {
    assert.equal(typeof problem.path, 'string', label);
    assert.ok(Number.isInteger(problem.line) && problem.line >= 0, label);
    assert.ok(problem.message.length > 0, label);
  }
  for (const sentence of result.sentences) assertSentence(sentence, result.format, options, label);
}

function assertSentence(
  sentence: TaggedSentence,
  format: CorpusFormat,
  options: CorpusReadOptions,
  label: string,
) {
  const { tokens, tags, text, offsets } = sentence;
  assert.ok(tokens.length > 0 && tokens.length === tags.length, label);
  assert.ok(
    tokens.every((t) => typeof t === 'string' && t.length > 0),
    label,
  );
  assert.ok(
    tags.every((t) => typeof t === 'string' && t.length > 0),
    label,
  );
  if (options.chunkTags)
    assert.ok(
      tags.every((t) => /^(O|[BIESLU]-.+)$/s.test(t)),
      `${label}: ${tags}`,
    );
  if (text === undefined) return;
  assert.ok(offsets !== undefined && offsets.length === tokens.length, label);
  offsets.forEach(([start, end], i) => {
    assert.ok(
      Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= text.length,
      label,
    );
    // Only CoNLL-U multiword tokens may point at a surface form other than their own.
    if (format !== 'conllu') assert.equal(text.slice(start, end), tokens[i], label);
  });
}

function keepFieldsOf(original: TaggedSentence | undefined, sentence: TaggedSentence): TaggedSentence {
  const { id, text, offsets, ...rest } = sentence;
  return {
    ...rest,
    ...(original?.id !== undefined ? { id } : {}),
    ...(original?.text !== undefined ? { text, offsets } : {}),
  };
}

interface Seeds {
  lines: Record<Exclude<CorpusFormat, 'brat'>, string[]>;
  brat: { txt: string[]; ann: string[] };
}

let dir: string;
let seeds: Seeds;

before(async () => {
  dir = await makeTempDir();
  const linesOf = async (file: string) => (await fs.readFile(file, 'utf8')).split('\n').slice(0, 4000);
  const uner = await readCorpus(CORPORA.unerDev);
  const wnut = await readCorpus(CORPORA.wnutDev);
  const jsonlFile = path.join(dir, 'seed.jsonl');
  await writeCorpus(jsonlFile, uner.sentences.slice(0, 300), 'jsonl');
  const doccano = [
    '{"text": "Alice moved to New York.", "label": [[15, 23, "LOC"]]}',
    '{"id": 3, "text": "Bob, of Acme.", "entities": [{"label": "ORG", "start_offset": 8, "end_offset": 12}]}',
    '{"tokens": ["a", "b"], "tags": ["B-X", "I-X"]}',
  ];
  const { paths } = await writeCorpus(path.join(dir, 'seed'), wnut.sentences.slice(0, 300), 'brat');
  seeds = {
    lines: {
      conll: [
        ...(await linesOf(CORPORA.wnutTrain)),
        '-DOCSTART- -X- -X- O',
        '',
        'EU NNP B-NP B-ORG',
        'rejects VBZ B-VP O',
        '',
      ],
      conllu: [...(await linesOf(CORPORA.ewtDev)), ...(await linesOf(CORPORA.frDev)).slice(0, 500)],
      uner: await linesOf(CORPORA.unerDev),
      jsonl: [...(await linesOf(jsonlFile)), ...doccano],
    },
    brat: { txt: await linesOf(paths[0]!), ann: await linesOf(paths[1]!) },
  };
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function fuzzOptions(random: Random, format: CorpusFormat): CorpusReadOptions {
  const roll = random.next();
  return {
    ...(roll < 0.7 ? { format } : roll < 0.85 ? { format: random.pick(FORMATS) } : {}),
    chunkTags: random.next() < 0.5,
    strict: random.next() < 0.2,
    maxProblems: 1 + random.int(150),
    ...(random.next() < 0.3 ? { posColumn: 'xpos' as const } : {}),
  };
}

function fuzzContent(format: CorpusFormat, random: Random): Input | { txt: string; ann: string } {
  if (random.next() < 0.1) return randomInput(random);
  if (format === 'brat') {
    const txt = window(seeds.brat.txt, random);
    const ann = window(seeds.brat.ann, random);
    const toText = (input: Input) => (typeof input === 'string' ? input : new TextDecoder().decode(input));
    return random.next() < 0.5
      ? { txt: toText(mutate(txt, random)), ann }
      : { txt, ann: toText(mutate(ann, random)) };
  }
  const text = window(seeds.lines[format], random);
  return random.next() < 0.1 ? text : mutate(text, random);
}

/** Runs a reader; only a strict-mode CorpusError may escape. */
function expectResultOrCorpusError<T>(options: CorpusReadOptions, run: () => T): T | undefined {
  try {
    return run();
  } catch (error) {
    assert.ok(error instanceof CorpusError, `unexpected ${(error as Error)?.stack ?? String(error)}`);
    assert.ok(options.strict, 'CorpusError without strict');
    assert.ok(error.problems.length > 0);
    return undefined;
  }
}

test(`in memory: ${IN_MEMORY_CASES_PER_FORMAT * FORMATS.length} random and mutated inputs yield sentences or problems`, () => {
  const random = randomSource(SEED);
  let sentences = 0;
  let problems = 0;
  for (const format of FORMATS) {
    for (let i = 0; i < IN_MEMORY_CASES_PER_FORMAT; i++) {
      const options = { ...fuzzOptions(random, format), path: `fuzz-${format}-${i}` };
      const content = fuzzContent(format, random);
      const label = `${format} case ${i}`;
      const result = expectResultOrCorpusError(options, () => parseCorpus(content, options));
      if (!result) continue;
      assertWellFormed(result, options, label);
      sentences += result.sentences.length;
      problems += result.problems.length;
    }
  }
  // The inputs must exercise both paths, not only one.
  assert.ok(sentences > 1000 && problems > 1000, `${sentences} sentences, ${problems} problems`);
});

test(`through files: ${FILE_CASES_PER_FORMAT * FORMATS.length} mutated files read, rewritten and read again`, async () => {
  const random = randomSource(SEED + 1);
  const extension: Record<CorpusFormat, string> = {
    conll: '.conll',
    conllu: '.conllu',
    uner: '.iob2',
    jsonl: '.jsonl',
    brat: '.ann',
  };
  let rewritten = 0;
  for (const format of FORMATS) {
    for (let i = 0; i < FILE_CASES_PER_FORMAT; i++) {
      const file = path.join(dir, `case-${format}-${i}${extension[format]}`);
      const content = fuzzContent(format, random);
      if (typeof content === 'object' && 'txt' in content) {
        await fs.writeFile(file.replace(/\.ann$/, '.txt'), content.txt);
        await fs.writeFile(file, content.ann);
      } else {
        await fs.writeFile(file, content);
      }
      const options = { ...fuzzOptions(random, format), strict: false };
      const label = `${format} file ${i}`;
      const result = await readCorpus(file, options);
      assertWellFormed(result, options, label);
      if (result.sentences.length === 0) continue;
      const copy = path.join(dir, `copy-${format}-${i}${extension[result.format]}`);
      try {
        await writeCorpus(copy, result.sentences, result.format, { posColumn: options.posColumn ?? 'upos' });
      } catch (error) {
        assert.ok(error instanceof CorpusError, `unexpected ${(error as Error)?.stack ?? String(error)}`);
        continue;
      }
      const again = await readCorpus(copy, { ...options, format: result.format });
      assert.deepEqual(again.problems, [], label);
      // Writers add what a format requires (CoNLL-U numbers sentences without id, spans need a text):
      // compare only what the original sentence had.
      const reread = again.sentences.map((sentence, k) => keepFieldsOf(result.sentences[k], sentence));
      assert.deepEqual(reread.map(withoutLine), result.sentences.map(withoutLine), label);
      rewritten++;
    }
  }
  assert.ok(rewritten > 100, `${rewritten} files rewritten`);
});
