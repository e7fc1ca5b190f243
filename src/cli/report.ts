import { isChunkTag } from '../core/corpus';
import { formatConllevalTable, formatPercent, spanMetrics, tokenAccuracy } from '../core/metrics';

export interface EvaluationReport {
  kind: 'chunks' | 'tags';
  sentences: number;
  tokens: number;
  accuracy: number;
  /** Chunk (span) figures, for chunk tags. */
  spans?: ReturnType<typeof spanMetrics>;
  /** Per-tag figures, for plain tags. */
  perTag?: ReturnType<typeof tokenAccuracy>['perTag'];
}

/** Chunk tags get conlleval's span P/R/F1, plain tags (POS) token accuracy per tag. */
export function evaluateTags(gold: string[][], pred: string[][]): EvaluationReport {
  const allChunk = gold.every((s) => s.every(isChunkTag)) && gold.some((s) => s.some((t) => t !== 'O'));
  const accuracy = tokenAccuracy(gold, pred);
  const base = { sentences: gold.length, tokens: accuracy.total, accuracy: accuracy.accuracy };
  if (allChunk) return { kind: 'chunks', ...base, spans: spanMetrics(gold, pred) };
  return { kind: 'tags', ...base, perTag: accuracy.perTag };
}

export function formatEvaluation(report: EvaluationReport): string {
  if (report.spans) return formatConllevalTable(report.spans);
  const lines = [
    `processed ${report.tokens} tokens in ${report.sentences} sentences; accuracy: ${formatPercent(100 * report.accuracy)}%`,
  ];
  const perTag = report.perTag ?? {};
  const width = Math.max(5, ...Object.keys(perTag).map((t) => t.length));
  lines.push(`${'tag'.padEnd(width)}  precision  recall     F1   support`);
  for (const [tag, c] of Object.entries(perTag)) {
    lines.push(
      `${tag.padEnd(width)}  ${formatPercent(100 * c.precision).padStart(8)}%  ${formatPercent(100 * c.recall).padStart(6)}%  ${formatPercent(100 * c.f1).padStart(6)}  ${String(c.gold).padStart(7)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
