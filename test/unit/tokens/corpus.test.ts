/**
 * Tokenization against the treebanks in ../shared/data: the invariants on every `# text` line
 * of UD English-EWT, and agreement with the gold tokens of EWT and French-GSD.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitSentences, type Token, tokenize, winkTokenize } from '../../../src/core/tokens';
import { conlluFiles, type GoldSentence, readGoldSentences, textLines } from './conllu-gold';
import { assertSentenceInvariants, tokenProblem } from './invariants';

const ewtLines = textLines('ud-en-ewt');

interface Agreement {
  /** Share of gold tokens whose `[start, end)` is one of ours. */
  recall: number;
  /** Share of our tokens whose `[start, end)` is a gold token's. */
  precision: number;
  goldTokens: number;
}

function agreement(sentences: readonly GoldSentence[], tokenizer: (text: string) => Token[]): Agreement {
  let goldTokens = 0;
  let ourTokens = 0;
  let matches = 0;
  for (const sentence of sentences) {
    if (sentence.spans === null) continue;
    const ours = new Set(tokenizer(sentence.text).map((t) => `${t.start}:${t.end}`));
    ourTokens += ours.size;
    goldTokens += sentence.spans.length;
    matches += sentence.spans.filter(([start, end]) => ours.has(`${start}:${end}`)).length;
  }
  return { recall: matches / goldTokens, precision: matches / ourTokens, goldTokens };
}

const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;

describe('tokenize on UD English-EWT', () => {
  it('reads all ~16,600 text lines of the corpus', () => {
    assert.ok(ewtLines.length > 16_000, `only ${ewtLines.length} lines`);
  });

  it('keeps every invariant on every text line, and so does the wink reference', () => {
    for (const tokenizer of [tokenize, winkTokenize]) {
      for (const line of ewtLines) {
        const problem = tokenProblem(line, tokenizer(line));
        assert.equal(problem, undefined, `${tokenizer.name}: ${problem}`);
      }
    }
  });

  it('keeps every invariant on the whole corpus as one text, with sentences', () => {
    const text = ewtLines.join('\n');
    const tokens = tokenize(text);
    assert.equal(tokenProblem(text, tokens), undefined);
    assertSentenceInvariants(tokens, splitSentences(text, tokens));
  });

  it('agrees with the gold tokens (measured: 99.3% recall, 99.2% precision)', (t) => {
    const gold = conlluFiles('ud-en-ewt').flatMap(readGoldSentences);
    const ours = agreement(gold, tokenize);
    const wink = agreement(gold, winkTokenize);
    t.diagnostic(
      `EWT, ${ours.goldTokens} gold tokens: ours recall ${percent(ours.recall)} precision ${percent(ours.precision)}; ` +
        `wink recall ${percent(wink.recall)} precision ${percent(wink.precision)}`,
    );
    assert.ok(ours.goldTokens > 250_000);
    assert.ok(ours.recall >= 0.99, `recall ${percent(ours.recall)}`);
    assert.ok(ours.precision >= 0.99, `precision ${percent(ours.precision)}`);
    // The point of not using wink's boundaries as they are (see src/core/tokens/tokenize.ts).
    assert.ok(ours.recall > wink.recall && ours.precision > wink.precision);
  });
});

describe('tokenize on UD French-GSD', () => {
  it('agrees with the gold tokens (measured: 99.0% recall, 97.1% precision)', (t) => {
    const gold = conlluFiles('ud-fr-gsd').flatMap(readGoldSentences);
    const ours = agreement(gold, tokenize);
    const wink = agreement(gold, winkTokenize);
    t.diagnostic(
      `GSD, ${ours.goldTokens} gold tokens: ours recall ${percent(ours.recall)} precision ${percent(ours.precision)}; ` +
        `wink recall ${percent(wink.recall)} precision ${percent(wink.precision)}`,
    );
    // GSD keeps hyphenated compounds (États-Unis) whole where EWT splits them; we follow EWT.
    assert.ok(ours.recall >= 0.985, `recall ${percent(ours.recall)}`);
    assert.ok(ours.precision >= 0.965, `precision ${percent(ours.precision)}`);
    assert.ok(ours.recall > wink.recall && ours.precision > wink.precision);
  });
});

describe('tokenize against the wink reference', () => {
  it('mostly draws the same boundaries as wink-tokenizer on EWT', (t) => {
    let winkTokens = 0;
    let shared = 0;
    for (const line of ewtLines) {
      const ours = new Set(tokenize(line).map((token) => `${token.start}:${token.end}`));
      const wink = winkTokenize(line);
      winkTokens += wink.length;
      shared += wink.filter((token) => ours.has(`${token.start}:${token.end}`)).length;
    }
    t.diagnostic(`wink tokens that are also ours: ${percent(shared / winkTokens)}`);
    assert.ok(shared / winkTokens > 0.94, `only ${percent(shared / winkTokens)}`); // measured 95.2%
  });
});
