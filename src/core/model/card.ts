import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic';
import type { ModelConfig } from './config';
import { MODEL_FILE, type ModelCard } from './io';

const percent = (v: unknown) => (typeof v === 'number' ? `${(100 * v).toFixed(2)}%` : '–');

function metricsRows(metrics: Record<string, unknown>, task: string): string[] {
  const rows: string[] = [];
  for (const split of ['dev', 'test', ...Object.keys(metrics).filter((k) => k !== 'dev' && k !== 'test')]) {
    const m = metrics[split] as Record<string, number> | undefined;
    if (!m || typeof m !== 'object' || typeof m.accuracy !== 'number') continue;
    rows.push(
      task === 'pos'
        ? `| ${split} | ${percent(m.accuracy)} | | | |`
        : `| ${split} | ${percent(m.accuracy)} | ${percent(m.precision)} | ${percent(m.recall)} | ${percent(m.f1)} |`,
    );
  }
  return rows;
}

interface TrainingRecord {
  seconds?: number;
  bestEpoch?: number;
  epochs?: unknown[];
  stopReason?: string;
  preset?: string;
  vectors?: string;
  initFrom?: string;
  extension?: { newWords: number; newChars: number; newLabels: string[] };
  trainConfig?: Partial<{
    optimizer: string;
    learningRate: number;
    momentum: number;
    lrDecay: number;
    lrTimeDecay: number;
    clipNorm: number;
    batchSize: number;
    epochs: number;
    minEpochs: number;
    patience: number;
    seed: number;
  }>;
}

/** The optimiser and schedule in words: "SGD, momentum 0.9, lr 0.015 / (1 + 0.05·epoch), …". */
function recipeText(t: NonNullable<TrainingRecord['trainConfig']>): string {
  const decay = [
    t.lrDecay !== undefined && t.lrDecay !== 1 ? ` × ${t.lrDecay}^epoch` : '',
    t.lrTimeDecay ? ` / (1 + ${t.lrTimeDecay}·epoch)` : '',
  ].join('');
  const optimizer = t.optimizer === 'sgd' ? `SGD${t.momentum ? ` with momentum ${t.momentum}` : ''}` : 'Adam';
  return [
    `${optimizer}, learning rate ${t.learningRate ?? '?'}${decay}`,
    t.clipNorm ? `gradient norm clipped at ${t.clipNorm}` : 'no gradient clipping',
    `batches of ${t.batchSize ?? '?'} sentences`,
    `up to ${t.epochs ?? '?'} epochs, early stopping on the dev score after ${t.patience ?? '?'} epochs without improvement${t.minEpochs !== undefined ? ` (not before epoch ${t.minEpochs})` : ''}`,
    `seed ${t.seed ?? '?'}`,
  ].join('; ');
}

const STOP_REASONS: Record<string, string> = {
  epochs: 'ran all its epochs',
  'early-stopping': 'stopped early',
  cancelled: 'was interrupted',
  'max-steps': 'hit its step limit',
};

/** Per-label precision/recall/F1 tables, one per split that has them. */
function perLabelTables(metrics: Record<string, unknown>, task: string): string[] {
  const lines: string[] = [];
  for (const [split, value] of Object.entries(metrics)) {
    const perLabel = (value as { perLabel?: Record<string, Record<string, number>> } | undefined)?.perLabel;
    if (!perLabel || typeof perLabel !== 'object' || Object.keys(perLabel).length === 0) continue;
    lines.push(
      `### ${split}`,
      '',
      `| ${task === 'pos' ? 'tag' : 'type'} | precision | recall | F1 | support |`,
      '| --- | --- | --- | --- | --- |',
      ...Object.entries(perLabel).map(
        ([label, m]) =>
          `| ${label} | ${percent(m.precision)} | ${percent(m.recall)} | ${percent(m.f1)} | ${m.support ?? ''} |`,
      ),
      '',
    );
  }
  return lines;
}

/**
 * The training files, each named once: a file given N times (seen N times per epoch, to weight
 * in-domain data) carries its count, `a.conll`, `b.conll` ×3.
 */
function trainingFileList(files: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const file of files) counts.set(file, (counts.get(file) ?? 0) + 1);
  return [...counts].map(([file, n]) => `\`${file}\`${n > 1 ? ` ×${n}` : ''}`).join(', ');
}

/** Renders MODEL.md from a model card. */
export function renderModelCard(card: ModelCard, sizeBytes?: number): string {
  const c = card.config;
  const training = (card.training ?? {}) as TrainingRecord;
  const metrics = (card.metrics ?? {}) as Record<string, unknown>;
  const outputDropout = c.dropoutAt === 'input' ? '' : ' dropout →';
  const lines = [
    `# ${card.name}`,
    '',
    card.description ?? '',
    '',
    '| | |',
    '| --- | --- |',
    `| task | ${c.task === 'pos' ? 'part-of-speech tagging' : `entity recognition (${c.tagScheme})`} |`,
    ...(card.language ? [`| language | ${card.language} |`] : []),
    `| labels | ${card.vocabularies.labels.map((l) => `\`${l}\``).join(' ')} |`,
    `| licence | ${card.license ?? 'see the training data'} |`,
    `| created | ${card.createdAt} |`,
    ...(sizeBytes !== undefined ? [`| size | ${(sizeBytes / 1e6).toFixed(1)} MB |`] : []),
    '',
    '## Data',
    '',
    card.trainingData
      ? `Trained on ${trainingFileList(card.trainingData.files) || 'the given sentences'}: ${card.trainingData.sentences.toLocaleString('en-US')} sentences, ${card.trainingData.tokens.toLocaleString('en-US')} tokens${new Set(card.trainingData.files).size < card.trainingData.files.length ? ' per epoch (a file given ×N counted N times)' : ''}${card.trainingData.repairs ? `, ${card.trainingData.repairs} invalid tags repaired` : ''}.`
      : 'No training data summary recorded.',
    '',
    '## Network',
    '',
    `Char ${layerName(c.cell)} (${c.charHidden} per direction over char embeddings of ${c.charDim}, at most ${c.maxWordLength} characters) + word embedding ${c.wordDim} (${c.lowercase ? 'lowercased' : 'cased'}, ${card.vocabularies.words.length.toLocaleString('en-US')} words${training.vectors ? `, initialised from ${training.vectors}` : ''})${c.casingDim > 0 ? ` + casing ${c.casingDim}` : ''} → dropout ${c.dropout} → ${c.layers} × ${layerName(c.cell)} ${c.hidden} per direction →${outputDropout} dense → ${c.output === 'crf' ? 'linear-chain CRF' : 'softmax'}.`,
    '',
    '## Training',
    '',
    ...(training.initFrom
      ? [
          `Fine-tuned from \`${training.initFrom}\`${training.extension ? ` (${training.extension.newWords.toLocaleString('en-US')} words and ${training.extension.newLabels.length} labels added${training.extension.newLabels.length ? `: ${training.extension.newLabels.join(', ')}` : ''})` : ''}.`,
        ]
      : []),
    training.preset ? `Preset \`${training.preset}\`.` : '',
    training.trainConfig ? `Recipe: ${recipeText(training.trainConfig)}.` : '',
    training.seconds !== undefined
      ? `Training took ${Math.round(training.seconds)} s: ${training.epochs?.length ?? '?'} epochs, ${training.stopReason ? `${STOP_REASONS[training.stopReason] ?? training.stopReason}, ` : ''}best epoch ${training.bestEpoch ?? '?'}${training.bestEpoch === 0 ? ' (the starting model: no epoch beat it on dev)' : ''}.`
      : '',
    '',
    '## Metrics',
    '',
    c.task === 'pos' ? '| split | accuracy | | | |' : '| split | token accuracy | precision | recall | F1 |',
    '| --- | --- | --- | --- | --- |',
    ...metricsRows(metrics, c.task),
    '',
    ...perLabelTables(metrics, c.task),
    ...(card.limits && card.limits.length > 0
      ? ['## Known limits', '', ...card.limits.map((l) => `- ${l}`), '']
      : []),
  ];
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/** Writes MODEL.md next to a saved model's model.json. */
export async function writeModelCard(folder: string): Promise<void> {
  const file = JSON.parse(await fs.promises.readFile(path.join(folder, MODEL_FILE), 'utf8')) as ModelCard & {
    weightsFile: string;
  };
  const size =
    (await fs.promises.stat(path.join(folder, MODEL_FILE))).size +
    (await fs.promises.stat(path.join(folder, file.weightsFile))).size;
  await writeFileAtomic(path.join(folder, 'MODEL.md'), renderModelCard(file, size));
}

/** `BiLSTM` or `BiGRU`: what a bidirectional layer of the cell is called. */
function layerName(cell: ModelConfig['cell']): string {
  return `Bi${cell.toUpperCase()}`;
}
