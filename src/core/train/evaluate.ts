/**
 * Scoring a tagger on tagged sentences, the one way the trainer, the CLI and the editor's runs
 * do it: span precision/recall/F1 (conlleval semantics) for entities, token accuracy for POS,
 * per label, with a confusion matrix. Predictions are compared in the gold data's tag scheme.
 */
import { convertTags, detectScheme } from '../corpus/schemes';
import { spanMetrics } from '../metrics';
import { type ConfusionMatrix, confusionMatrix, tokenAccuracy } from '../metrics/tokens';
import type { TaskKind } from '../model/config';
import type { TaggerBase } from '../model/tagger-base';
import type { TaggedSentence, TagScheme } from '../types';

/** Dev-set figures after an epoch: span F1 for entity tasks, accuracy for POS. */
export interface DevMetrics {
  /** The figure model selection watches (F1 or accuracy, 0..1). */
  score: number;
  accuracy: number;
  f1?: number;
  precision?: number;
  recall?: number;
}

/** Precision, recall and F1 of one label (a chunk type, or a tag for POS), with its gold count. */
export interface LabelScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** A full evaluation: the headline figures, per label, and the confusion matrix. */
export interface Evaluation extends DevMetrics {
  sentences: number;
  tokens: number;
  perLabel: Record<string, LabelScores>;
  confusion: ConfusionMatrix;
}

/**
 * Tags of `tagger` for `sentences`, in `scheme` (the gold data's scheme) so that token accuracy
 * and the confusion matrix compare like with like (an IOB1 gold file against IOB2 predictions
 * would otherwise count every entity start as an error).
 */
export function predictTags(
  tagger: TaggerBase,
  sentences: readonly TaggedSentence[],
  scheme?: TagScheme | 'none',
  batchSize = 64,
): string[][] {
  const predicted = tagger
    .tag(
      sentences.map((s) => s.tokens),
      { batchSize, alternatives: 0 },
    )
    .map((tokens) => tokens.map((t) => t.tag));
  const from = tagger.scheme;
  if (from === 'none' || scheme === undefined || scheme === 'none' || scheme === from) return predicted;
  return predicted.map((tags) => convertTags(tags, from, scheme));
}

/** The chunk scheme of gold tags, for `predictTags` (IOB2 when it cannot tell). */
export function goldScheme(sentences: readonly TaggedSentence[]): TagScheme {
  const detected = detectScheme(sentences.map((s) => s.tags));
  return detected === 'none' ? 'IOB2' : detected;
}

/** Scores predicted tags against gold ones. */
export function scoreTags(
  task: TaskKind,
  gold: readonly (readonly string[])[],
  pred: readonly (readonly string[])[],
): Evaluation {
  const tokens = tokenAccuracy(gold, pred);
  const confusion = confusionMatrix(gold, pred);
  const base = { sentences: gold.length, tokens: tokens.total, accuracy: tokens.accuracy };
  if (task === 'pos') {
    // fromEntries, not assignment: a tag named "__proto__" must stay a tag.
    const perLabel: Record<string, LabelScores> = Object.fromEntries(
      Object.entries(tokens.perTag).map(([tag, c]) => [
        tag,
        { precision: c.precision, recall: c.recall, f1: c.f1, support: c.gold },
      ]),
    );
    return { ...base, score: tokens.accuracy, perLabel, confusion };
  }
  const spans = spanMetrics(gold, pred);
  const perLabel: Record<string, LabelScores> = Object.fromEntries(
    Object.entries(spans.perLabel).map(([label, s]) => [
      label,
      { precision: s.precision, recall: s.recall, f1: s.f1, support: s.support },
    ]),
  );
  return {
    ...base,
    score: spans.micro.f1,
    f1: spans.micro.f1,
    precision: spans.micro.precision,
    recall: spans.micro.recall,
    perLabel,
    confusion: confusion.byType ?? confusion,
  };
}

/** Tags `sentences` with `tagger` and scores the result in the sentences' own scheme. */
export function evaluate(
  tagger: TaggerBase,
  sentences: readonly TaggedSentence[],
  batchSize = 64,
): Evaluation {
  const task = tagger.card.config.task;
  const scheme = task === 'pos' ? 'none' : goldScheme(sentences);
  return scoreTags(
    task,
    sentences.map((s) => s.tags),
    predictTags(tagger, sentences, scheme, batchSize),
  );
}

/** The headline figures of an evaluation (what the trainer reports per epoch). */
export function devMetricsOf(evaluation: Evaluation): DevMetrics {
  const { score, accuracy, f1, precision, recall } = evaluation;
  return {
    score,
    accuracy,
    ...(f1 !== undefined ? { f1 } : {}),
    ...(precision !== undefined ? { precision } : {}),
    ...(recall !== undefined ? { recall } : {}),
  };
}

/** Dev evaluation with the task's metric (the trainer's per-epoch check). */
export function evaluateTagger(
  tagger: TaggerBase,
  sentences: readonly TaggedSentence[],
  batchSize = 64,
): DevMetrics {
  return devMetricsOf(evaluate(tagger, sentences, batchSize));
}
