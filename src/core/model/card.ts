import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic';
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

/** Renders MODEL.md from a model card. */
export function renderModelCard(card: ModelCard, sizeBytes?: number): string {
  const c = card.config;
  const training = (card.training ?? {}) as {
    seconds?: number;
    bestEpoch?: number;
    epochs?: unknown[];
    trainConfig?: Record<string, unknown>;
  };
  const metrics = (card.metrics ?? {}) as Record<string, unknown>;
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
      ? `Trained on ${card.trainingData.files.map((f) => `\`${f}\``).join(', ') || 'the given sentences'}: ${card.trainingData.sentences.toLocaleString('en-US')} sentences, ${card.trainingData.tokens.toLocaleString('en-US')} tokens${card.trainingData.repairs ? `, ${card.trainingData.repairs} invalid tags repaired` : ''}.`
      : 'No training data summary recorded.',
    '',
    '## Network',
    '',
    `Char BiLSTM (${c.charHidden} per direction over char embeddings of ${c.charDim}, at most ${c.maxWordLength} characters) + word embedding ${c.wordDim} (${c.lowercase ? 'lowercased' : 'cased'}, ${card.vocabularies.words.length.toLocaleString('en-US')} words)${c.casingDim > 0 ? ` + casing ${c.casingDim}` : ''} → dropout ${c.dropout} → ${c.layers} × BiLSTM ${c.hidden} per direction → dropout → dense → ${c.output === 'crf' ? 'linear-chain CRF' : 'softmax'}.`,
    '',
    '## Training',
    '',
    training.trainConfig ? `Settings: \`${JSON.stringify(training.trainConfig)}\`.` : '',
    training.seconds !== undefined
      ? `Training took ${Math.round(training.seconds)} s (${training.epochs?.length ?? '?'} epochs, best epoch ${training.bestEpoch ?? '?'}).`
      : '',
    '',
    '## Metrics',
    '',
    c.task === 'pos' ? '| split | accuracy | | | |' : '| split | token accuracy | precision | recall | F1 |',
    '| --- | --- | --- | --- | --- |',
    ...metricsRows(metrics, c.task),
    '',
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
