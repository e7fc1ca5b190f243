/**
 * Training presets: named model and optimiser settings, per task. `accurate` is the default for
 * the editor and the command line; the literature's recipes are there to compare (README table).
 */
import type { ModelConfig, TaskKind, TrainConfig } from '../model/config';
import type { TagScheme } from '../types';

export type PresetName = 'fast' | 'accurate' | 'adam' | 'lample' | 'ma-hovy';

export const PRESET_NAMES: readonly PresetName[] = ['fast', 'accurate', 'adam', 'lample', 'ma-hovy'];

export interface Preset {
  description: string;
  model: Partial<ModelConfig>;
  train: Partial<TrainConfig>;
  /** Tag scheme the entity data is converted to for training. */
  scheme?: TagScheme;
}

/** SGD settings the literature's recipes share: clip 5, small batches, long runs with selection. */
const SGD_RECIPE: Partial<TrainConfig> = {
  optimizer: 'sgd',
  clipNorm: 5,
  batchSize: 10,
  epochs: 50,
  minEpochs: 10,
  patience: 8,
};

/**
 * Each preset's settings for entities; POS differs only where it says so in `presetFor` (no CRF,
 * no chunk scheme).
 */
const PRESETS: Record<PresetName, Preset> = {
  fast: {
    description: 'one BiLSTM layer of 64 units, up to 8 epochs: minutes on a laptop',
    model: { layers: 1, hidden: 64, charHidden: 32, output: 'crf' },
    train: { epochs: 8, minEpochs: 4, patience: 2 },
  },
  accurate: {
    description: 'two BiLSTM layers of 100 units, casing feature, CRF for entities, Adam, up to 30 epochs',
    model: { layers: 2, hidden: 100, casingDim: 8, output: 'crf' },
    train: { epochs: 30, minEpochs: 8, patience: 6 },
  },
  adam: {
    description: 'the former en-ner recipe: 2 × 100 BiLSTM, casing, CRF, Adam 0.001, IOB2',
    model: { layers: 2, hidden: 100, casingDim: 8, output: 'crf' },
    train: { epochs: 30, minEpochs: 8, patience: 6 },
    scheme: 'IOB2',
  },
  lample: {
    description:
      'Lample et al. 2016: 1 × 100 BiLSTM, char BiLSTM 25, dropout 0.5 on the input only, CRF, IOBES, SGD 0.01, clip 5',
    model: { layers: 1, hidden: 100, charHidden: 25, dropout: 0.5, dropoutAt: 'input', output: 'crf' },
    train: { ...SGD_RECIPE, learningRate: 0.01, momentum: 0 },
    scheme: 'BIOES',
  },
  'ma-hovy': {
    description:
      'Ma & Hovy 2016: 1 × 200 BiLSTM, dropout 0.5 on input and output, CRF, IOBES, SGD 0.015 with momentum 0.9, decay 0.05, clip 5',
    model: { layers: 1, hidden: 200, dropout: 0.5, dropoutAt: 'input-output', output: 'crf' },
    train: { ...SGD_RECIPE, learningRate: 0.015, momentum: 0.9, lrTimeDecay: 0.05 },
    scheme: 'BIOES',
  },
};

/** The preset for a task: POS taggers use softmax and no chunk scheme. */
export function presetFor(name: PresetName, task: TaskKind): Preset {
  const preset = PRESETS[name];
  if (task === 'entities') return { ...preset, model: { ...preset.model }, train: { ...preset.train } };
  const { output: _crf, ...model } = preset.model;
  return {
    description: preset.description,
    model: { ...model, output: 'softmax' },
    train: { ...preset.train },
  };
}

export function presetDescription(name: PresetName): string {
  return PRESETS[name].description;
}

export function isPresetName(value: unknown): value is PresetName {
  return typeof value === 'string' && (PRESET_NAMES as readonly string[]).includes(value);
}
