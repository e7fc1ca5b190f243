import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  allowedTransitions,
  convertTags,
  detectScheme,
  isChunkTag,
  isValidTransition,
  parseTag,
  repairTags,
  spansToTags,
  tagsToSpans,
} from '../../../src/core/corpus/schemes';
import type { TagScheme, TokenSpan } from '../../../src/core/types';
import { readUposTags, readWnutTags, seededRandom } from '../metrics/shared-data';

const SCHEMES: TagScheme[] = ['IOB1', 'IOB2', 'BIOES'];
const span = (start: number, end: number, label: string): TokenSpan => ({ start, end, label });

function sequenceIsValid(tags: readonly string[], scheme: TagScheme): boolean {
  const withEnds: Array<string | null> = [null, ...tags, null];
  return withEnds.slice(1).every((tag, i) => isValidTransition(withEnds[i]!, tag, scheme));
}

describe('parseTag', () => {
  test('splits prefix and type at the first hyphen and normalises BILOU', () => {
    assert.deepEqual(parseTag('B-PER'), { prefix: 'B', label: 'PER' });
    assert.deepEqual(parseTag('I-creative-work'), { prefix: 'I', label: 'creative-work' });
    assert.deepEqual(parseTag('L-LOC'), { prefix: 'E', label: 'LOC' });
    assert.deepEqual(parseTag('U-ORG'), { prefix: 'S', label: 'ORG' });
    assert.deepEqual(parseTag('O'), { prefix: 'O', label: '' });
  });

  test('anything else is a non-chunk tag', () => {
    for (const tag of ['NOUN', 'B-', '-PER', 'X-PER', 'b-per', '']) {
      assert.deepEqual(parseTag(tag), { prefix: null, label: tag }, tag);
    }
  });
});

describe('tagsToSpans', () => {
  test('reads IOB2, IOB1, BIOES and BILOU chunks', () => {
    assert.deepEqual(tagsToSpans(['B-PER', 'I-PER', 'O', 'B-LOC'], 'IOB2'), [
      span(0, 2, 'PER'),
      span(3, 4, 'LOC'),
    ]);
    // IOB1: B- separates adjacent same-type chunks, an I- of another type starts a new chunk.
    assert.deepEqual(tagsToSpans(['I-PER', 'I-PER', 'B-PER', 'O', 'I-LOC', 'I-ORG'], 'IOB1'), [
      span(0, 2, 'PER'),
      span(2, 3, 'PER'),
      span(4, 5, 'LOC'),
      span(5, 6, 'ORG'),
    ]);
    assert.deepEqual(tagsToSpans(['B-PER', 'E-PER', 'S-LOC', 'B-ORG', 'I-ORG', 'E-ORG', 'O'], 'BIOES'), [
      span(0, 2, 'PER'),
      span(2, 3, 'LOC'),
      span(3, 6, 'ORG'),
    ]);
    assert.deepEqual(tagsToSpans(['U-PER', 'B-LOC', 'L-LOC'], 'BIOES'), [
      span(0, 1, 'PER'),
      span(1, 3, 'LOC'),
    ]);
    assert.deepEqual(tagsToSpans([], 'IOB2'), []);
  });

  test('reads invalid sequences the way conlleval does', () => {
    assert.deepEqual(tagsToSpans(['O', 'I-PER', 'I-PER']), [span(1, 3, 'PER')]);
    assert.deepEqual(tagsToSpans(['B-PER', 'I-LOC']), [span(0, 1, 'PER'), span(1, 2, 'LOC')]);
    assert.deepEqual(tagsToSpans(['E-PER', 'E-PER']), [span(0, 1, 'PER'), span(1, 2, 'PER')]);
    assert.deepEqual(tagsToSpans(['B-PER', 'I-PER']), [span(0, 2, 'PER')]); // unclosed BIOES chunk
    assert.deepEqual(tagsToSpans(['S-PER', 'I-PER', 'E-PER', 'I-PER']), [
      span(0, 1, 'PER'),
      span(1, 3, 'PER'),
      span(3, 4, 'PER'),
    ]);
    assert.deepEqual(tagsToSpans(['B-PER', 'NOUN', 'I-PER']), [span(0, 1, 'PER'), span(2, 3, 'PER')]);
  });
});

describe('spansToTags', () => {
  // Two adjacent PER chunks, then adjacent LOC and ORG chunks of one token each.
  const spans = [span(4, 5, 'LOC'), span(0, 2, 'PER'), span(5, 6, 'ORG'), span(2, 3, 'PER')];

  test('writes the canonical tags of each scheme', () => {
    assert.deepEqual(spansToTags(spans, 7, 'IOB1'), ['I-PER', 'I-PER', 'B-PER', 'O', 'I-LOC', 'I-ORG', 'O']);
    assert.deepEqual(spansToTags(spans, 7, 'IOB2'), ['B-PER', 'I-PER', 'B-PER', 'O', 'B-LOC', 'B-ORG', 'O']);
    assert.deepEqual(spansToTags(spans, 7, 'BIOES'), ['B-PER', 'E-PER', 'S-PER', 'O', 'S-LOC', 'S-ORG', 'O']);
    assert.deepEqual(spansToTags([span(1, 4, 'X')], 5, 'BIOES'), ['O', 'B-X', 'I-X', 'E-X', 'O']);
    assert.deepEqual(spansToTags([], 2, 'IOB2'), ['O', 'O']);
  });

  test('rejects overlapping, empty and out-of-range spans', () => {
    assert.throws(() => spansToTags([span(0, 2, 'A'), span(1, 3, 'B')], 4, 'IOB2'), /overlaps/);
    assert.throws(() => spansToTags([span(2, 2, 'A')], 4, 'IOB2'), /empty/);
    assert.throws(() => spansToTags([span(3, 5, 'A')], 4, 'IOB2'), /outside/);
    assert.throws(() => spansToTags([span(-1, 1, 'A')], 4, 'IOB2'), /outside/);
  });
});

describe('convertTags', () => {
  test('converts between schemes', () => {
    assert.deepEqual(convertTags(['I-PER', 'I-PER', 'B-PER'], 'IOB1', 'BIOES'), ['B-PER', 'E-PER', 'S-PER']);
    assert.deepEqual(convertTags(['U-PER', 'B-LOC', 'L-LOC'], 'BIOES', 'IOB1'), ['I-PER', 'I-LOC', 'I-LOC']);
    assert.deepEqual(convertTags(['S-LOC', 'S-LOC'], 'BIOES', 'IOB1'), ['I-LOC', 'B-LOC']);
  });

  test('round-trips thousands of random valid sequences through every scheme', () => {
    const random = seededRandom(17);
    const labels = ['PER', 'LOC', 'creative-work'];
    for (let trial = 0; trial < 3000; trial++) {
      const length = Math.floor(random() * 25);
      const spans: TokenSpan[] = [];
      let position = 0;
      while (position < length) {
        if (random() < 0.4) {
          position++;
          continue;
        }
        const end = Math.min(length, position + 1 + Math.floor(random() * 4));
        spans.push(span(position, end, labels[Math.floor(random() * labels.length)]!));
        position = end;
      }
      for (const from of SCHEMES) {
        const tags = spansToTags(spans, length, from);
        assert.deepEqual(tagsToSpans(tags, from), spans);
        assert.ok(sequenceIsValid(tags, from), `${from} ${tags.join(' ')}`);
        assert.equal(repairTags(tags, from).repairs, 0);
        for (const to of SCHEMES) {
          const converted = convertTags(tags, from, to);
          assert.deepEqual(converted, spansToTags(spans, length, to));
          assert.deepEqual(convertTags(converted, to, from), tags);
        }
      }
    }
  });
});

describe('repairTags', () => {
  const cases: Array<[TagScheme, string[], string[], number[]]> = [
    // IOB2: an I- that starts a chunk becomes B- (after O, and after a chunk of another type).
    ['IOB2', ['O', 'I-PER', 'I-PER', 'O', 'I-LOC'], ['O', 'B-PER', 'I-PER', 'O', 'B-LOC'], [1, 4]],
    ['IOB2', ['B-PER', 'I-LOC'], ['B-PER', 'B-LOC'], [1]],
    ['IOB2', ['S-PER', 'B-LOC', 'E-LOC'], ['B-PER', 'B-LOC', 'I-LOC'], [0, 2]],
    ['IOB2', ['NOUN', 'B-PER'], ['O', 'B-PER'], [0]],
    // BIOES: chunks must be closed by E-, one-token chunks are S-.
    ['BIOES', ['B-PER', 'O'], ['S-PER', 'O'], [0]],
    ['BIOES', ['B-PER', 'I-PER', 'O'], ['B-PER', 'E-PER', 'O'], [1]],
    ['BIOES', ['O', 'I-PER', 'O'], ['O', 'S-PER', 'O'], [1]],
    ['BIOES', ['I-PER', 'I-PER', 'I-PER'], ['B-PER', 'I-PER', 'E-PER'], [0, 2]],
    ['BIOES', ['B-PER', 'I-PER', 'I-LOC', 'E-LOC'], ['B-PER', 'E-PER', 'B-LOC', 'E-LOC'], [1, 2]],
    // U-PER is S-PER spelt in BILOU: rewritten, not counted. A lone L-PER is a lone E-PER.
    ['BIOES', ['U-PER', 'L-PER'], ['S-PER', 'S-PER'], [1]],
    ['BIOES', ['B-PER', 'L-PER', 'U-LOC'], ['B-PER', 'E-PER', 'S-LOC'], []],
    // IOB1: B- only between adjacent chunks of the same type.
    ['IOB1', ['B-PER', 'I-PER'], ['I-PER', 'I-PER'], [0]],
    ['IOB1', ['O', 'B-LOC'], ['O', 'I-LOC'], [1]],
    ['IOB1', ['I-PER', 'B-PER'], ['I-PER', 'B-PER'], []],
  ];
  for (const [scheme, input, expected, changed] of cases) {
    test(`${scheme} ${input.join(' ')}`, () => {
      const result = repairTags(input, scheme);
      assert.deepEqual(result.tags, expected);
      assert.equal(result.repairs, changed.length);
      assert.deepEqual(
        result.details,
        changed.map((index) => ({ index, from: input[index], to: expected[index] })),
      );
    });
  }

  test('does not modify its input', () => {
    const input = ['O', 'I-PER'];
    repairTags(input, 'IOB2');
    assert.deepEqual(input, ['O', 'I-PER']);
  });

  test('on random sequences: output is valid, keeps the chunks, repairs nothing iff already valid', () => {
    const random = seededRandom(2024);
    const alphabet = ['O', 'O', 'NOUN'];
    for (const prefix of ['B', 'I', 'E', 'S', 'L', 'U']) alphabet.push(`${prefix}-PER`, `${prefix}-LOC`);
    for (let trial = 0; trial < 3000; trial++) {
      const tags = Array.from({ length: Math.floor(random() * 12) }, () => {
        return alphabet[Math.floor(random() * alphabet.length)]!;
      });
      for (const scheme of SCHEMES) {
        const result = repairTags(tags, scheme);
        assert.ok(sequenceIsValid(result.tags, scheme), `${scheme}: ${result.tags.join(' ')}`);
        assert.deepEqual(tagsToSpans(result.tags), tagsToSpans(tags));
        // Non-chunk tags are unconstrained in transition masks but always replaced by a repair.
        const alreadyValid = tags.every(isChunkTag) && sequenceIsValid(tags, scheme);
        assert.equal(result.repairs === 0, alreadyValid, `${scheme}: ${tags.join(' ')}`);
      }
    }
  });
});

describe('detectScheme', () => {
  test('hand-made corpora', () => {
    assert.equal(detectScheme([['B-PER', 'I-PER', 'O']]), 'IOB2');
    assert.equal(detectScheme([['I-PER', 'I-PER', 'B-PER', 'O', 'I-LOC']]), 'IOB1');
    // A B- after O rules out IOB1, even with chunks starting with I-.
    assert.equal(detectScheme([['O', 'I-PER'], ['B-LOC']]), 'IOB2');
    // Sentence boundaries reset: this B-PER follows nothing, not the I-PER of the sentence before.
    assert.equal(detectScheme([['I-PER'], ['B-PER']]), 'IOB2');
    assert.equal(detectScheme([['B-PER', 'E-PER']]), 'BIOES');
    assert.equal(detectScheme([['O', 'U-PER']]), 'BIOES');
    assert.equal(detectScheme([['O', 'O']]), 'IOB2');
    assert.equal(detectScheme([]), 'IOB2');
    assert.equal(detectScheme([['B-PER', 'NOUN']]), 'none');
    // CoNLL-2003-style IOB1 with a few stray B- tags (annotation slips) is still IOB1.
    const iob1 = Array.from({ length: 50 }, () => ['I-ORG', 'I-ORG', 'O', 'I-PER']);
    assert.equal(detectScheme([...iob1, ['O', 'B-MISC', 'O'], ['B-LOC']]), 'IOB1');
  });

  test('WNUT-17 train is IOB2, and its conversions are detected as such', () => {
    const sentences = readWnutTags('wnut17train.conll');
    assert.equal(sentences.length, 3394);
    assert.equal(detectScheme(sentences), 'IOB2');
    assert.equal(detectScheme(sentences.map((tags) => convertTags(tags, 'IOB2', 'IOB1'))), 'IOB1');
    assert.equal(detectScheme(sentences.map((tags) => convertTags(tags, 'IOB2', 'BIOES'))), 'BIOES');
  });

  test('UD English-EWT UPOS tags are not chunk tags', () => {
    assert.equal(detectScheme(readUposTags('en_ewt-ud-dev.conllu')), 'none');
  });
});

describe('WNUT-17 train chunks', () => {
  const sentences = readWnutTags('wnut17train.conll');

  test('decode to the entity counts of the data README', () => {
    const perType = new Map<string, number>();
    for (const tags of sentences) {
      for (const chunk of tagsToSpans(tags, 'IOB2'))
        perType.set(chunk.label, (perType.get(chunk.label) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries([...perType].sort()), {
      corporation: 221,
      'creative-work': 140,
      group: 264,
      location: 548,
      person: 660,
      product: 142,
    });
  });

  test('the corpus is valid IOB2; its IOB1 form read as IOB2 needs one repair per chunk-initial I-', () => {
    assert.equal(
      sentences.reduce((sum, tags) => sum + repairTags(tags, 'IOB2').repairs, 0),
      0,
    );
    // IOB1 keeps B- only where a chunk follows one of the same type; every other B- becomes I-.
    let bAfterOtherType = 0;
    for (const tags of sentences) {
      tags.forEach((tag, i) => {
        const prev = i > 0 ? tags[i - 1]! : 'O';
        if (tag.startsWith('B-') && prev.slice(2) !== tag.slice(2)) bAfterOtherType++;
      });
    }
    let repairs = 0;
    for (const tags of sentences) {
      const result = repairTags(convertTags(tags, 'IOB2', 'IOB1'), 'IOB2');
      assert.deepEqual(result.tags, tags);
      repairs += result.repairs;
    }
    assert.ok(bAfterOtherType > 1900);
    assert.equal(repairs, bAfterOtherType);
  });

  test('IOB2 → BIOES → IOB1 → IOB2 gives the corpus back', () => {
    for (const tags of sentences) {
      const back = convertTags(
        convertTags(convertTags(tags, 'IOB2', 'BIOES'), 'BIOES', 'IOB1'),
        'IOB1',
        'IOB2',
      );
      assert.deepEqual(back, repairTags(tags, 'IOB2').tags);
    }
  });
});

describe('transitions', () => {
  test('IOB2 mask', () => {
    const mask = allowedTransitions(['O', 'B-PER', 'I-PER', 'I-LOC'], 'IOB2');
    assert.deepEqual(mask.transitions, [
      [true, true, false, false], // O → I- is invalid
      [true, true, true, false], // B-PER → I-LOC is invalid
      [true, true, true, false],
      [true, true, false, true],
    ]);
    assert.deepEqual(mask.start, [true, true, false, false]);
    assert.deepEqual(mask.end, [true, true, true, true]);
  });

  test('IOB1 mask', () => {
    const mask = allowedTransitions(['O', 'B-X', 'I-X', 'I-Y'], 'IOB1');
    assert.deepEqual(mask.transitions, [
      [true, false, true, true], // B- never follows O
      [true, true, true, true],
      [true, true, true, true],
      [true, false, true, true], // B-X only follows an X chunk
    ]);
    assert.deepEqual(mask.start, [true, false, true, true]);
    assert.deepEqual(mask.end, [true, true, true, true]);
  });

  test('BIOES mask (BILOU labels read as BIOES)', () => {
    const mask = allowedTransitions(['O', 'B-X', 'I-X', 'E-X', 'S-X', 'L-Y'], 'BIOES');
    assert.deepEqual(mask.transitions, [
      [true, true, false, false, true, false],
      [false, false, true, true, false, false],
      [false, false, true, true, false, false],
      [true, true, false, false, true, false],
      [true, true, false, false, true, false],
      [true, true, false, false, true, false],
    ]);
    assert.deepEqual(mask.start, [true, true, false, false, true, false]);
    assert.deepEqual(mask.end, [true, false, false, true, true, true]);
  });

  test('E-/S- are invalid in IOB schemes; non-chunk labels are unconstrained', () => {
    assert.equal(isValidTransition('O', 'S-X', 'IOB2'), false);
    assert.equal(isValidTransition('E-X', 'O', 'IOB1'), false);
    assert.equal(isValidTransition('O', 'I-X', 'IOB1'), true);
    assert.equal(isValidTransition('<pad>', 'I-X', 'IOB2'), true);
    assert.equal(isValidTransition('B-X', '<pad>', 'BIOES'), true);
  });
});
