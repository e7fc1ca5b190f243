#!/usr/bin/env -S npx tsx
/**
 * Silver entity data for self-training: tags the words of a CoNLL-U file (unlabelled for entities)
 * with an entity model and keeps the sentences the model is sure of, as IOB2 CoNLL.
 *
 *   npx tsx scripts/silver-ner.ts --model DIR --conllu FILE --out FILE
 *       [--min-confidence 0.95] [--keep-empty 0.25] [--seed 1]
 *
 * A sentence is kept when every token's label has a probability (CRF marginal) of at least
 * --min-confidence and every predicted span is mostly proper nouns by the file's gold UPOS (at
 * least half its words PROPN: "American" ADJ or "the Internet" NOUN spans are where the model
 * guesses). Sentences without a span are many and teach little: a seeded --keep-empty share of
 * them is kept. The same model, file and options always give the same output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/core/atomic';
import { readCorpus } from '../src/core/corpus';
import { spansToTags, tagsToSpans } from '../src/core/corpus/schemes';
import { createRandom } from '../src/core/encode/random';
import { Tagger } from '../src/core/model/tagger';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    conllu: { type: 'string' },
    out: { type: 'string' },
    'min-confidence': { type: 'string', default: '0.95' },
    'keep-empty': { type: 'string', default: '0.25' },
    seed: { type: 'string', default: '1' },
  },
});
const { model, conllu, out } = values;
if (!model || !conllu || !out) {
  console.error(
    'usage: silver-ner.ts --model DIR --conllu FILE --out FILE [--min-confidence P] [--keep-empty SHARE] [--seed N]',
  );
  process.exit(2);
}
const minConfidence = Number(values['min-confidence']);
const keepEmpty = Number(values['keep-empty']);
const random = createRandom(Number(values.seed));

async function main(model: string, conllu: string, out: string): Promise<void> {
  // The syntactic words and their gold UPOS (multiword-token ranges and empty nodes skipped).
  const read = await readCorpus(conllu, { format: 'conllu', strict: true });
  const sentences = read.sentences.map((s) => ({ words: s.tokens, upos: s.tags }));
  const tagger = await Tagger.load(model);
  const tagged = tagger.tag(sentences.map((s) => s.words));
  tagger.dispose();

  const blocks: string[] = [];
  const counts = { unsure: 0, notProperNoun: 0, withSpans: 0, empty: 0, emptyDropped: 0 };
  const spansByType = new Map<string, number>();
  sentences.forEach((sentence, s) => {
    const tokens = tagged[s]!;
    // Drawn for every sentence, so which empty sentences are kept does not depend on the others.
    const keepIfEmpty = random() < keepEmpty;
    if (tokens.some((t) => t.confidence < minConfidence)) {
      counts.unsure++;
      return;
    }
    const spans = tagsToSpans(tokens.map((t) => t.tag));
    const properNoun = (span: { start: number; end: number }): boolean =>
      2 * sentence.upos.slice(span.start, span.end).filter((u) => u === 'PROPN').length >=
      span.end - span.start;
    if (!spans.every(properNoun)) {
      counts.notProperNoun++;
      return;
    }
    if (spans.length === 0) {
      if (!keepIfEmpty) {
        counts.emptyDropped++;
        return;
      }
      counts.empty++;
    } else counts.withSpans++;
    for (const span of spans) spansByType.set(span.label, (spansByType.get(span.label) ?? 0) + 1);
    // Written as IOB2 whatever the model's scheme.
    const tags = spansToTags(spans, sentence.words.length, 'IOB2');
    blocks.push(sentence.words.map((word, i) => `${word}\t${tags[i]}`).join('\n'));
  });

  fs.mkdirSync(path.dirname(out), { recursive: true });
  await writeFileAtomic(out, `${blocks.join('\n\n')}\n`);
  const types = [...spansByType]
    .sort()
    .map(([label, n]) => `${label} ${n}`)
    .join(', ');
  console.log(
    `silver: ${blocks.length} of ${sentences.length} sentences kept (${counts.withSpans} with spans: ${types}; ${counts.empty} without); dropped ${counts.unsure} unsure, ${counts.notProperNoun} with a span mostly not PROPN, ${counts.emptyDropped} without spans (keep ${keepEmpty})`,
  );
}

main(model, conllu, out).catch((err) => {
  console.error(`silver-ner: ${(err as Error).message}`);
  process.exit(1);
});
