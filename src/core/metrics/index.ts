export type { ChunkScores, SpanMetrics, SpanMetricsOptions } from './conlleval';
export { formatConllevalTable, formatPercent, spanMetrics } from './conlleval';
export type { ConfusionMatrix, TagCounts, TokenAccuracy, TokenConfusion } from './tokens';
export { confusionMatrix, tokenAccuracy } from './tokens';
