import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  chunksOfTags,
  detectFormat,
  readCorpus,
  readSentences,
  tokenizeForCorpus,
  tokenizeOnWhitespace,
  writeCorpus,
} from '../../../src/core/corpus';
import type { TaggedSentence } from '../../../src/core/types';
import { CORPORA, makeTempDir, tokenCount, tokensAndTags, withoutLine } from './helpers';

let dir: string;
before(async () => {
  dir = await makeTempDir();
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function entityCounts(sentences: readonly TaggedSentence[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const sentence of sentences) {
    const decoded = chunksOfTags(sentence.tags);
    assert.ok('chunks' in decoded, `not chunk tags: ${sentence.tags.join(' ')}`);
    for (const chunk of decoded.chunks) counts.set(chunk.label, (counts.get(chunk.label) ?? 0) + 1);
  }
  return counts;
}

/** Every token whose offsets are its own (not shared with a multiword neighbour) spells its text. */
function assertOffsetsSpellTokens(sentence: TaggedSentence): void {
  const { text, offsets, tokens } = sentence;
  assert.ok(text !== undefined && offsets !== undefined && offsets.length === tokens.length);
  offsets.forEach(([start, end], i) => {
    const shared = offsets.some(([s, e], j) => j !== i && s === start && e === end);
    if (!shared) assert.equal(text.slice(start, end), tokens[i], `token ${i} of ${sentence.id}`);
  });
}

describe('CoNLL-U', () => {
  test('EWT dev: 2,001 sentences, 25,147 words, all 17 UPOS tags, ids and text kept', async () => {
    const result = await readCorpus(CORPORA.ewtDev);
    assert.equal(result.format, 'conllu');
    assert.deepEqual(result.problems, []);
    assert.equal(result.sentences.length, 2001);
    assert.equal(tokenCount(result.sentences), 25147);
    const upos = new Set(result.sentences.flatMap((s) => s.tags));
    assert.equal(upos.size, 17);
    assert.ok(upos.has('PROPN') && upos.has('SYM') && !upos.has('NNP'));
    const first = result.sentences[0]!;
    assert.equal(first.id, 'weblog-blogspot.com_nominations_20041117172713_ENG_20041117_172713-0001');
    assert.equal(first.text, 'From the AP comes this story :');
    assert.deepEqual(first.tokens, ['From', 'the', 'AP', 'comes', 'this', 'story', ':']);
    assert.equal(first.line, 1);
    result.sentences.forEach(assertOffsetsSpellTokens);
  });

  test('EWT dev read → write → read is the identity, for UPOS and for XPOS', async () => {
    for (const posColumn of ['upos', 'xpos'] as const) {
      const original = await readCorpus(CORPORA.ewtDev, { posColumn });
      const target = path.join(dir, `ewt-${posColumn}.conllu`);
      await writeCorpus(target, original.sentences, 'conllu', { posColumn });
      const again = await readCorpus(target, { posColumn });
      assert.deepEqual(again.problems, []);
      assert.deepEqual(again.sentences.map(withoutLine), original.sentences.map(withoutLine));
    }
    const xpos = await readCorpus(CORPORA.ewtDev, { posColumn: 'xpos' });
    const tags = new Set(xpos.sentences.flatMap((s) => s.tags));
    assert.ok(tags.has('NNP') && tags.has('HYPH') && tags.has('-LRB-') && !tags.has('PROPN'));
  });

  test('French GSD dev: contractions (du = de + le) share the offsets of their surface form and survive a rewrite', async () => {
    const original = await readCorpus(CORPORA.frDev);
    assert.deepEqual(original.problems, []);
    assert.equal(original.sentences.length, 1476);
    assert.equal(tokenCount(original.sentences), 35721);
    assert.ok(!original.sentences.some((s) => s.tags.includes('PART')));
    const contraction = original.sentences.find((s) =>
      s.tokens.some((t, i) => t === 'de' && s.tokens[i + 1] === 'le'),
    );
    assert.ok(contraction?.text !== undefined && contraction.offsets);
    const i = contraction.tokens.findIndex((t, k) => t === 'de' && contraction.tokens[k + 1] === 'le');
    const [start, end] = contraction.offsets[i]!;
    assert.deepEqual(contraction.offsets[i + 1], [start, end]);
    assert.match(contraction.text.slice(start, end), /^(du|Du|au|Au)$/);
    original.sentences.forEach(assertOffsetsSpellTokens);
    const target = path.join(dir, 'fr.conllu');
    await writeCorpus(target, original.sentences, 'conllu');
    const written = await fs.readFile(target, 'utf8');
    assert.match(written, /^\d+-\d+\t(du|au)\t/m);
    const again = await readCorpus(target);
    assert.deepEqual(again.sentences.map(withoutLine), original.sentences.map(withoutLine));
  });
});

describe('CoNLL-2003 columns', () => {
  test('WNUT-17 train: 3,394 sentences, 62,730 tokens, 1,975 entities despite TAB-only boundary lines', async () => {
    const result = await readCorpus(CORPORA.wnutTrain, { chunkTags: true });
    assert.equal(result.format, 'conll');
    assert.deepEqual(result.problems, []);
    assert.equal(result.sentences.length, 3394);
    assert.equal(tokenCount(result.sentences), 62730);
    const entities = entityCounts(result.sentences);
    assert.deepEqual(Object.fromEntries([...entities].sort()), {
      corporation: 221,
      'creative-work': 140,
      group: 264,
      location: 548,
      person: 660,
      product: 142,
    });
    assert.deepEqual(result.sentences[0]!.tokens.slice(0, 3), ['@paulwalk', 'It', "'s"]);
  });

  test('WNUT-17 dev: 1,009 sentences, 15,733 tokens, 836 entities', async () => {
    const result = await readCorpus(CORPORA.wnutDev, { chunkTags: true });
    assert.deepEqual(result.problems, []);
    assert.equal(result.sentences.length, 1009);
    assert.equal(tokenCount(result.sentences), 15733);
    assert.equal(
      [...entityCounts(result.sentences).values()].reduce((a, b) => a + b, 0),
      836,
    );
  });

  test('WNUT-17 train read → write → read is the identity, tab- and space-separated', async () => {
    const original = await readCorpus(CORPORA.wnutTrain);
    for (const separator of ['tab', 'space'] as const) {
      const target = path.join(dir, `wnut-${separator}.conll`);
      await writeCorpus(target, original.sentences, 'conll', { separator });
      const firstLine = (await fs.readFile(target, 'utf8')).split('\n')[0];
      assert.equal(firstLine, separator === 'tab' ? '@paulwalk\tO' : '@paulwalk O');
      const again = await readCorpus(target);
      assert.deepEqual(again.problems, []);
      assert.deepEqual(again.sentences.map(withoutLine), original.sentences.map(withoutLine));
    }
  });
});

describe('UNER (CoNLL-U-like iob2)', () => {
  test('UNER EWT dev: detected, 2,001 sentences, 25,149 tokens, PER 343 / ORG 224 / LOC 399', async () => {
    assert.equal(await detectFormat(CORPORA.unerDev), 'uner');
    const result = await readCorpus(CORPORA.unerDev, { chunkTags: true });
    assert.equal(result.format, 'uner');
    assert.deepEqual(result.problems, []);
    assert.equal(result.sentences.length, 2001);
    assert.equal(tokenCount(result.sentences), 25149);
    assert.deepEqual(Object.fromEntries([...entityCounts(result.sentences)].sort()), {
      LOC: 399,
      ORG: 224,
      PER: 343,
    });
    const first = result.sentences[0]!;
    assert.equal(first.id, 'answers-20070404104007AAY1Chs_ans-0001');
    assert.deepEqual(first.tags.slice(6, 8), ['B-LOC', 'I-LOC']);
    result.sentences.forEach(assertOffsetsSpellTokens);
  });

  test('UNER dev read → write → read is the identity', async () => {
    const original = await readCorpus(CORPORA.unerDev);
    const target = path.join(dir, 'uner.iob2');
    await writeCorpus(target, original.sentences, 'uner');
    assert.equal(await detectFormat(target), 'uner');
    const again = await readCorpus(target);
    assert.deepEqual(again.problems, []);
    assert.deepEqual(again.sentences.map(withoutLine), original.sentences.map(withoutLine));
  });
});

describe('JSONL', () => {
  test('spans shape from UNER dev: read → write → read is the identity, spans are character offsets', async () => {
    const original = await readCorpus(CORPORA.unerDev);
    const target = path.join(dir, 'uner.jsonl');
    await writeCorpus(target, original.sentences, 'jsonl');
    const again = await readCorpus(target);
    assert.equal(again.format, 'jsonl');
    assert.deepEqual(again.problems, []);
    assert.deepEqual(again.sentences.map(withoutLine), original.sentences.map(withoutLine));
    const firstRecord = JSON.parse((await fs.readFile(target, 'utf8')).split('\n')[0]!);
    assert.deepEqual(
      firstRecord.spans.map((s: { start: number; end: number; label: string }) => [
        firstRecord.text.slice(s.start, s.end),
        s.label,
      ]),
      [['tampa bay', 'LOC']],
    );
  });

  test('spans shape without tokens is tokenized by the given tokenizer', async () => {
    const original = await readCorpus(CORPORA.wnutDev);
    const target = path.join(dir, 'wnut-spans-only.jsonl');
    await writeCorpus(target, original.sentences, 'jsonl');
    // Drop the Prodigy tokens so the reader has to tokenize the text itself.
    const lines = (await fs.readFile(target, 'utf8')).trimEnd().split('\n');
    const stripped = lines.map((line) => {
      const { tokens: _tokens, ...rest } = JSON.parse(line);
      return JSON.stringify(rest);
    });
    await fs.writeFile(target, `${stripped.join('\n')}\n`);
    const again = await readCorpus(target, { tokenizer: tokenizeOnWhitespace });
    assert.deepEqual(again.problems, []);
    assert.deepEqual(again.sentences.map(tokensAndTags), original.sentences.map(tokensAndTags));
  });

  test('tokens shape from WNUT-17 and EWT: read → write → read keeps tokens and tags', async () => {
    for (const source of [CORPORA.wnutTrain, CORPORA.ewtDev]) {
      const original = await readCorpus(source);
      const target = path.join(dir, `${path.basename(source)}.tokens.jsonl`);
      await writeCorpus(target, original.sentences, 'jsonl', { jsonlShape: 'tokens' });
      const again = await readCorpus(target);
      assert.deepEqual(again.problems, []);
      assert.deepEqual(again.sentences.map(tokensAndTags), original.sentences.map(tokensAndTags));
      assert.deepEqual(
        again.sentences.map((s) => s.id),
        original.sentences.map((s) => s.id),
      );
    }
  });

  test('doccano "label" and "entities" shapes give IOB2 tags', async () => {
    const target = path.join(dir, 'doccano.jsonl');
    const records = [
      { text: 'Alice moved to New York.', label: [[15, 23, 'LOC']] },
      { id: 7, text: 'Bob, of Acme.', entities: [{ id: 1, label: 'ORG', start_offset: 8, end_offset: 12 }] },
      { text: 'Nobody here.', spans: [] },
    ];
    await fs.writeFile(target, records.map((r) => JSON.stringify(r)).join('\n'));
    const result = await readCorpus(target);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.sentences.map(tokensAndTags), [
      { tokens: ['Alice', 'moved', 'to', 'New', 'York', '.'], tags: ['O', 'O', 'O', 'B-LOC', 'I-LOC', 'O'] },
      { tokens: ['Bob', ',', 'of', 'Acme', '.'], tags: ['O', 'O', 'O', 'B-ORG', 'O'] },
      { tokens: ['Nobody', 'here', '.'], tags: ['O', 'O', 'O'] },
    ]);
    assert.equal(result.sentences[1]!.id, '7');
    assert.deepEqual(result.sentences[0]!.offsets?.[3], [15, 18]);
  });
});

describe('brat standoff', () => {
  test('from WNUT-17 dev: .ann offsets count code points, and read → write → read keeps tokens and tags', async () => {
    const original = await readCorpus(CORPORA.wnutDev);
    const { paths } = await writeCorpus(path.join(dir, 'wnut.txt'), original.sentences, 'brat');
    assert.deepEqual(paths, [path.join(dir, 'wnut.txt'), path.join(dir, 'wnut.ann')]);
    const txtUtf16 = await fs.readFile(paths[0]!, 'utf8');
    const txt = Array.from(txtUtf16);
    // Emoji (outside the BMP) make code points and UTF-16 units differ: the check below tells them apart.
    assert.ok(txt.length < txtUtf16.length);
    const annLines = (await fs.readFile(paths[1]!, 'utf8')).trimEnd().split('\n');
    assert.equal(annLines.length, 836);
    for (const line of annLines) {
      const [, typeAndOffsets, text] = line.split('\t');
      const [, start, end] = typeAndOffsets!.split(' ').map(Number);
      assert.equal(txt.slice(start, end).join(''), text, line);
    }
    assert.equal(await detectFormat(paths[0]!), 'brat');
    const again = await readCorpus(paths[1]!, { tokenizer: tokenizeOnWhitespace, chunkTags: true });
    assert.equal(again.format, 'brat');
    assert.deepEqual(again.problems, []);
    assert.deepEqual(again.sentences.map(tokensAndTags), original.sentences.map(tokensAndTags));
    again.sentences.forEach(assertOffsetsSpellTokens);
  });

  test('from UNER dev with the default tokenizer: every entity comes back with its label and text', async () => {
    const original = await readCorpus(CORPORA.unerDev);
    const { paths } = await writeCorpus(path.join(dir, 'uner'), original.sentences, 'brat');
    const again = await readCorpus(paths[0]!);
    const entityTexts = (sentences: readonly TaggedSentence[]) =>
      sentences.flatMap((s) => {
        const decoded = chunksOfTags(s.tags);
        assert.ok('chunks' in decoded);
        return decoded.chunks.map(
          (c) => `${c.label}:${s.text!.slice(s.offsets![c.start]![0], s.offsets![c.end - 1]![1])}`,
        );
      });
    // The default tokenizer splits some UD tokens further ("U.S." → "U" "." "S" "."); offsets must not cut any.
    const cut = again.problems.filter((p) => p.message.includes('offsets cut a token'));
    assert.deepEqual(
      again.problems.filter((p) => !cut.includes(p)),
      [],
    );
    assert.equal(again.sentences.length + cut.length, original.sentences.length);
    const keptTexts = new Set(again.sentences.map((s) => s.text));
    const expected = entityTexts(original.sentences.filter((s) => keptTexts.has(s.text)));
    assert.deepEqual(entityTexts(again.sentences), expected);
    assert.ok(expected.length > 900);
  });
});

describe('detectFormat and streaming reads', () => {
  test('detects by extension and by content', async () => {
    assert.equal(await detectFormat(CORPORA.ewtDev), 'conllu');
    assert.equal(await detectFormat(CORPORA.wnutTrain), 'conll');
    assert.equal(await detectFormat(CORPORA.wnutDev), 'conll');
    const cases: Array<[string, string, string]> = [
      ['a.bio', 'John B-PER\nruns O\n', 'conll'],
      ['a.iob', '-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\n', 'conll'],
      ['a.txt', 'Paris\tB-LOC\n', 'conll'],
      ['a.data', '{"tokens": ["a"], "tags": ["O"]}\n', 'jsonl'],
      ['a.conll', '# sent_id = 1\n1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n', 'conllu'],
      ['b.iob2', '# sent_id = 1\n1\tParis\tB-LOC\n2\trocks\tO\n', 'uner'],
      ['empty.conll', '', 'conll'],
    ];
    for (const [name, content, format] of cases) {
      await fs.writeFile(path.join(dir, name), content);
      assert.equal(await detectFormat(path.join(dir, name)), format, name);
    }
  });

  test('readSentences streams the same sentences readCorpus collects', async () => {
    const collected = await readCorpus(CORPORA.wnutDev);
    const streamed: TaggedSentence[] = [];
    for await (const sentence of readSentences(CORPORA.wnutDev)) streamed.push(sentence);
    assert.deepEqual(streamed, collected.sentences);
  });

  test('tokenizeForCorpus is the offset tokenizer: EWT-style clitics, whole numbers, exact offsets', () => {
    const text = 'Hi, Bob’s café costs $5.50 — 😀!';
    const offsets = tokenizeForCorpus(text);
    assert.deepEqual(
      offsets.map(([s, e]) => text.slice(s, e)),
      ['Hi', ',', 'Bob', '’s', 'café', 'costs', '$', '5.50', '—', '😀', '!'],
    );
  });
});
