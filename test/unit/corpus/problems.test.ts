import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CorpusProblem } from '../../../src/core/corpus';
import {
  CorpusError,
  type CorpusReadOptions,
  formatProblem,
  parseCorpus,
  readCorpus,
  readSentences,
  writeCorpus,
} from '../../../src/core/corpus';
import type { TaggedSentence } from '../../../src/core/types';
import { makeTempDir } from './helpers';

let dir: string;
before(async () => {
  dir = await makeTempDir();
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Writes `content` to `name`, reads it back, returns problems as `path:line: message` and the sentences. */
async function read(name: string, content: string, options: CorpusReadOptions = {}) {
  const file = path.join(dir, name);
  await fs.writeFile(file, content);
  const result = await readCorpus(file, options);
  return {
    file,
    result,
    problems: result.problems.map(formatProblem),
    tokens: result.sentences.map((s) => s.tokens),
  };
}

function assertProblems(problems: readonly string[], expected: ReadonlyArray<[string, RegExp]>): void {
  assert.equal(problems.length, expected.length, problems.join('\n'));
  expected.forEach(([where, what], i) => {
    assert.ok(problems[i]!.startsWith(`${where}: `), `${problems[i]} should start with ${where}`);
    assert.match(problems[i]!, what);
  });
}

describe('CoNLL problems', () => {
  test('wrong column count, missing tag, empty token: reported at their line, the sentence skipped, reading goes on', async () => {
    const content = ['a\tO', 'b\tX\tO', '', 'c\tO', '', 'd', '', '\tO', '', 'e\tB-PER', ''].join('\n');
    const { file, problems, tokens } = await read('columns.conll', content);
    assertProblems(problems, [
      [`${file}:2`, /wrong column count: expected 2 \(as on line 1\), found 3/],
      [`${file}:6`, /expected a token and a tag, found 1 column/],
      [`${file}:8`, /empty token/],
    ]);
    assert.deepEqual(tokens, [['c'], ['e']]);
  });

  test('chunkTags: unknown prefixes are problems only when the caller says tags are chunk tags', async () => {
    const content = 'Paris\tB-LOC\nis\tO\n\nBob\tQ-PER\n\nx\tNOUN\n\nok\tU-ORG\n';
    const lenient = await read('prefix.bio', content);
    assert.deepEqual(lenient.problems, []);
    assert.equal(lenient.tokens.length, 4);
    const strictTags = await read('prefix.bio', content, { chunkTags: true });
    assertProblems(strictTags.problems, [
      [`${strictTags.file}:4`, /unknown tag prefix "Q" in tag "Q-PER"/],
      [`${strictTags.file}:6`, /tag "NOUN" is not a chunk tag/],
    ]);
    assert.deepEqual(strictTags.tokens, [['Paris', 'is'], ['ok']]);
  });

  test('-DOCSTART- lines and whitespace-only lines end sentences; CRLF and space separators are read', async () => {
    const content =
      '-DOCSTART- -X- -X- O\r\n\r\nEU NNP B-NP B-ORG\r\nrejects VBZ B-VP O\r\n \t \r\nPeter NNP B-NP B-PER\r\n-DOCSTART- -X- -X- O\r\nX NN B-NP O\r\n';
    const { result, problems } = await read('docstart.iob', content);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      result.sentences.map((s) => [s.tokens, s.tags, s.line]),
      [
        [['EU', 'rejects'], ['B-ORG', 'O'], 3],
        [['Peter'], ['B-PER'], 6],
        [['X'], ['O'], 8],
      ],
    );
  });
});

describe('CoNLL-U and UNER problems', () => {
  const word = (id: string, form: string, upos = 'NOUN', misc = '_') =>
    `${id}\t${form}\t_\t${upos}\t_\t_\t_\t_\t_\t${misc}`;

  test('wrong column count, bad ids, missing UPOS, text misalignment: each at its line', async () => {
    const content = [
      '# sent_id = s1',
      '# text = Good one',
      word('1', 'Good', 'ADJ'),
      '2\tone\t_\tNUM',
      '',
      '# sent_id = s2',
      '# text = A cat',
      word('1', 'A', 'DET'),
      word('3', 'cat'),
      '',
      '# text = The dog',
      word('1', 'The', '_'),
      word('2', 'dog'),
      '',
      '# text = Hello world',
      word('1', 'Hello', 'INTJ'),
      word('2', 'word'),
      '',
      '# text = Hi there !',
      word('1', 'Hi', 'INTJ'),
      word('2', 'there', 'ADV'),
      '',
      '# just a comment',
      '',
      '# text = Fine .',
      word('1', 'Fine', 'ADJ'),
      word('2', '.', 'PUNCT'),
      '',
    ].join('\n');
    const { file, problems, result } = await read('bad.conllu', content);
    assertProblems(problems, [
      [`${file}:4`, /wrong column count for CoNLL-U: expected 10, found 4/],
      [`${file}:9`, /word id 3 out of sequence \(expected 2\)/],
      [`${file}:12`, /missing UPOS/],
      [`${file}:17`, /word "word" does not match the # text at character 6/],
      [`${file}:21`, /# text goes on after the last word: "!"/],
      [`${file}:23`, /sentence has no words/],
    ]);
    assert.deepEqual(
      result.sentences.map((s) => [s.tokens, s.line]),
      [[['Fine', '.'], 25]],
    );
  });

  test('multiword tokens and empty nodes are skipped; without # text the text is rebuilt from SpaceAfter=No', async () => {
    const content = [
      '# sent_id = a',
      word('1-2', "don't", '_'),
      word('1', 'do', 'AUX'),
      word('2', "n't", 'PART'),
      word('2.1', 'go', 'VERB'),
      word('3', 'go', 'VERB', 'SpaceAfter=No'),
      word('4', '!', 'PUNCT'),
      '',
    ].join('\n');
    const { result, problems } = await read('mwt.conllu', content);
    assert.deepEqual(problems, []);
    assert.deepEqual(result.sentences, [
      {
        id: 'a',
        tokens: ['do', "n't", 'go', '!'],
        tags: ['AUX', 'PART', 'VERB', 'PUNCT'],
        text: "don't go!",
        offsets: [
          [0, 2],
          [2, 5],
          [6, 8],
          [8, 9],
        ],
        line: 1,
      },
    ]);
  });

  test('UNER: tag from column 3, 3 to 5 columns, other counts reported', async () => {
    const content = '# text = Visit Paris\n1\tVisit\tO\n2\tParis\tB-LOC\t-\tann\n\n# text = Oops\n1\tOops\n';
    const { file, result, problems } = await read('ner.iob2', content);
    assert.equal(result.format, 'uner');
    assertProblems(problems, [[`${file}:6`, /wrong column count for UNER: expected 3 to 5, found 2/]]);
    assert.deepEqual(result.sentences[0]!.tags, ['O', 'B-LOC']);
    assert.deepEqual(result.sentences[0]!.offsets, [
      [0, 5],
      [6, 11],
    ]);
  });
});

describe('JSONL problems', () => {
  test('each record problem is reported at its line and the other records are kept', async () => {
    const records = [
      '{"text": "Ann met Bob", "spans": [{"start": 0, "end": 3, "label": "PER"}]}',
      '{"text": "broken", ',
      '["not", "an", "object"]',
      '{"words": ["a"]}',
      '{"text": "New York", "spans": [{"start": 0, "end": 8, "label": "LOC"}, {"start": 4, "end": 8, "label": "LOC"}]}',
      '{"text": "Rome", "spans": [{"start": 0, "end": 40, "label": "LOC"}]}',
      '{"text": "Amsterdam", "spans": [{"start": 0, "end": 5, "label": "LOC"}]}',
      '{"tokens": ["a", "b"], "tags": ["O"]}',
      '{"tokens": ["a", ""], "tags": ["O", "O"]}',
      '{"text": "Oslo", "spans": [{"start": 0, "label": "LOC"}]}',
      '{"text": "Big", "spans": [[0, 1e300, "X"]]}',
      '',
      '{"tokens": ["fine"], "tags": ["O"]}',
    ];
    const { file, problems, tokens } = await read('bad.jsonl', records.join('\n'));
    assertProblems(problems, [
      [`${file}:2`, /invalid JSON/],
      [`${file}:3`, /must be a JSON object/],
      [`${file}:4`, /missing fields/],
      [`${file}:5`, /overlapping spans/],
      [`${file}:6`, /outside the text/],
      [`${file}:7`, /offsets cut a token: "Amsterdam" at \[0, 9\)/],
      [`${file}:8`, /tokens\/tags length mismatch: 2 tokens, 1 tags/],
      [`${file}:9`, /empty token/],
      [`${file}:10`, /missing fields or non-integer offsets/],
      [`${file}:11`, /missing fields or non-integer offsets|outside the text/],
    ]);
    assert.deepEqual(tokens, [['Ann', 'met', 'Bob'], ['fine']]);
  });
});

describe('brat problems', () => {
  async function readBrat(name: string, txt: string, ann: string) {
    const base = path.join(dir, name);
    await fs.writeFile(`${base}.txt`, txt);
    await fs.writeFile(`${base}.ann`, ann);
    const result = await readCorpus(`${base}.ann`);
    return { ann: `${base}.ann`, result, problems: result.problems.map(formatProblem) };
  }

  test('discontinuous, mismatched, crossing and out-of-text spans are reported at their .ann line', async () => {
    const txt = 'Alice lives in Paris.\nBob likes New\nYork a lot.\nCarol and Dave.\nEve 😀 visits Oslo.\n';
    const ann = [
      'T1\tPER 0 5\tAlice',
      'T2\tLOC 15 20\tParis',
      '#1\tAnnotatorNotes T1\tnote',
      'T3\tPER 22 25\tRob',
      'T4\tLOC 32 40\tNew York',
      'R1\tLives Arg1:T1 Arg2:T2',
      'T5\tPER 48 53;58 62\tCarol Dave',
      // brat counts code points: the emoji before "Oslo" is one character, not two UTF-16 units.
      'T6\tLOC 77 81\tOslo',
      'T7\tPER 500 503\tZed',
      'T8\tbroken line',
      'A1\tNegated T1',
    ].join('\n');
    const { ann: annPath, result, problems } = await readBrat('doc', txt, ann);
    assertProblems(problems, [
      [`${annPath}:7`, /T5: discontinuous span "48 53;58 62" is not supported/],
      [`${annPath}:10`, /malformed T-line/],
      [`${annPath}:4`, /T3: text "Rob" does not match the \.txt at 22-25 \("Bob"\)/],
      [`${annPath}:5`, /T4 crosses a line break/],
      [`${annPath}:9`, /T7 at 500-503 is outside the text/],
    ]);
    assert.deepEqual(
      result.sentences.map((s) => [s.tokens, s.tags, s.line]),
      [
        [['Alice', 'lives', 'in', 'Paris', '.'], ['B-PER', 'O', 'O', 'B-LOC', 'O'], 1],
        [['Eve', '😀', 'visits', 'Oslo', '.'], ['O', 'O', 'O', 'B-LOC', 'O'], 5],
      ],
    );
  });

  test('overlapping spans and spans that cut a token', async () => {
    const txt = 'New York City\nthe Netherlands\n';
    const ann =
      'T1\tLOC 0 8\tNew York\nT2\tLOC 4 13\tYork City\nT3\tLOC 18 29\tNetherlands\nT4\tLOC 21 29\therlands\n';
    const { ann: annPath, problems, result } = await readBrat('overlap', txt, ann);
    assertProblems(problems, [
      [`${annPath}:2`, /overlapping spans: T1 \[0, 8\) "LOC" and T2 \[4, 13\) "LOC"/],
      [`${annPath}:4`, /overlapping spans/],
      [`${annPath}:4`, /T4 \[7, 15\) "LOC": offsets cut a token: "Netherlands" at \[4, 15\)/],
    ]);
    assert.deepEqual(result.sentences, []);
  });

  test('a missing .ann is one problem and no all-O sentences', async () => {
    const base = path.join(dir, 'lonely');
    await fs.writeFile(`${base}.txt`, 'Some text.\n');
    const result = await readCorpus(`${base}.txt`, { format: 'brat' });
    assert.deepEqual(result.sentences, []);
    assert.deepEqual(result.problems.map(formatProblem), [`${base}.ann: cannot read the file (ENOENT)`]);
  });
});

describe('limits, strict mode and the typed error', () => {
  const manyBad = Array.from({ length: 30 }, (_, i) => `tok${i}\tO\textra\n\n`).join('');
  const content = `first\tO\n\n${manyBad}last\tO\n`;

  test('problems beyond maxProblems are counted, valid sentences are still returned', async () => {
    const { result } = await read('many.conll', content, { maxProblems: 5 });
    assert.equal(result.problems.length, 5);
    assert.equal(result.omittedProblems, 25);
    assert.deepEqual(
      result.sentences.map((s) => s.tokens[0]),
      ['first', 'last'],
    );
  });

  test('strict mode throws a CorpusError carrying the problems as path:line', async () => {
    const file = path.join(dir, 'strict.conll');
    await fs.writeFile(file, content);
    await assert.rejects(readCorpus(file, { strict: true, maxProblems: 3 }), (error: unknown) => {
      assert.ok(error instanceof CorpusError);
      assert.equal(error.problems.length, 3);
      assert.equal(
        formatProblem(error.problems[0]!),
        `${file}:3: wrong column count: expected 2 (as on line 1), found 3`,
      );
      assert.match(
        error.message,
        new RegExp(`^3 corpus problems:\\n${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: `),
      );
      return true;
    });
    await assert.rejects(readCorpus(file, { strict: true }), (error: unknown) => {
      assert.ok(error instanceof CorpusError);
      assert.equal(error.problems.length, 30);
      return true;
    });
  });

  test('readSentences hands problems to onProblem, or ends with a CorpusError without one', async () => {
    const file = path.join(dir, 'stream.conll');
    await fs.writeFile(file, content);
    const seen: CorpusProblem[] = [];
    const sentences: TaggedSentence[] = [];
    for await (const sentence of readSentences(file, { onProblem: (p) => seen.push(p) }))
      sentences.push(sentence);
    assert.equal(sentences.length, 2);
    assert.equal(seen.length, 30);
    assert.equal(seen[29]!.line, 61);
    const withoutHandler: TaggedSentence[] = [];
    await assert.rejects(async () => {
      for await (const sentence of readSentences(file)) withoutHandler.push(sentence);
    }, CorpusError);
    assert.equal(withoutHandler.length, 2);
  });

  test('an unreadable file is a problem at line 0, or a CorpusError when strict', async () => {
    const missing = path.join(dir, 'nope.conll');
    const result = await readCorpus(missing);
    assert.deepEqual(result.problems.map(formatProblem), [`${missing}: cannot read the file (ENOENT)`]);
    await assert.rejects(readCorpus(missing, { strict: true }), CorpusError);
    const directory = await readCorpus(dir, { format: 'conll' });
    assert.match(formatProblem(directory.problems[0]!), /cannot read the file \(EISDIR\)/);
  });

  test('parseCorpus reads in-memory text with the same problems', () => {
    const result = parseCorpus('a\tO\nb\tO\tO\n', { path: 'buffer.conll' });
    assert.deepEqual(result.problems.map(formatProblem), [
      'buffer.conll:2: wrong column count: expected 2 (as on line 1), found 3',
    ]);
  });
});

describe('writer problems', () => {
  test('an unwritable sentence aborts the write with a CorpusError and leaves the old file untouched', async () => {
    const target = path.join(dir, 'kept.conll');
    await fs.writeFile(target, 'old\tO\n');
    const sentences: TaggedSentence[] = [
      { tokens: ['fine'], tags: ['O'] },
      { tokens: ['two words'], tags: ['O'], line: 40 },
      { tokens: ['a', 'b'], tags: ['O'] },
    ];
    await assert.rejects(
      writeCorpus(target, sentences, 'conll', { separator: 'space' }),
      (error: unknown) => {
        assert.ok(error instanceof CorpusError);
        assert.deepEqual(error.problems.map(formatProblem), [
          `${target}:3: sentence 2 (read from line 40): token 1 "two words" contains a separator or surrounding whitespace`,
          `${target}:3: sentence 3: tokens/tags length mismatch: 2 tokens, 1 tags`,
        ]);
        return true;
      },
    );
    assert.equal(await fs.readFile(target, 'utf8'), 'old\tO\n');
    assert.deepEqual(
      (await fs.readdir(dir)).filter((name) => name.endsWith('.tmp')),
      [],
    );
  });

  test('POS tags cannot become spans: JSONL spans shape and brat refuse them', async () => {
    const pos: TaggedSentence[] = [{ tokens: ['Hi'], tags: ['INTJ'] }];
    await assert.rejects(writeCorpus(path.join(dir, 'pos.jsonl'), pos, 'jsonl'), /not a chunk tag/);
    await assert.rejects(writeCorpus(path.join(dir, 'pos'), pos, 'brat'), /not a chunk tag/);
    await writeCorpus(path.join(dir, 'pos.jsonl'), pos, 'jsonl', { jsonlShape: 'tokens' });
    assert.equal(
      await fs.readFile(path.join(dir, 'pos.jsonl'), 'utf8'),
      '{"tokens":["Hi"],"tags":["INTJ"]}\n',
    );
  });

  test('CoNLL-U writer: sentences without text get their tokens joined, SpaceAfter=No follows the offsets', async () => {
    const target = path.join(dir, 'written.conllu');
    await writeCorpus(
      target,
      [
        { tokens: ['Hello', 'world'], tags: ['INTJ', 'NOUN'] },
        {
          id: 'x',
          tokens: ['Hi', '!'],
          tags: ['INTJ', 'PUNCT'],
          text: 'Hi!',
          offsets: [
            [0, 2],
            [2, 3],
          ],
        },
      ],
      'conllu',
    );
    assert.equal(
      await fs.readFile(target, 'utf8'),
      [
        '# sent_id = 1',
        '# text = Hello world',
        '1\tHello\t_\tINTJ\t_\t_\t_\t_\t_\t_',
        '2\tworld\t_\tNOUN\t_\t_\t_\t_\t_\t_',
        '',
        '# sent_id = x',
        '# text = Hi!',
        '1\tHi\t_\tINTJ\t_\t_\t_\t_\t_\tSpaceAfter=No',
        '2\t!\t_\tPUNCT\t_\t_\t_\t_\t_\t_',
        '',
        '',
      ].join('\n'),
    );
  });
});
