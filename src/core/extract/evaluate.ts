/**
 * Field-level exact match of extracted records against gold listings, after normalization: a
 * field is right when its canonical display equals the gold value, or when both are absent.
 */
import { recordDisplays } from './extract';
import { FIELD_LABELS, FIELD_NAMES, type FieldLabel, type ListingRecord } from './fields';
import type { GoldListing } from './gold';

export interface FieldScore {
  correct: number;
  total: number;
  accuracy: number;
  /** Listings whose gold states the field. */
  present: number;
  /** Of those, how many got the exact value. */
  presentCorrect: number;
  /** Listings where a value was given but the gold has none. */
  spurious: number;
  /** Listings where the gold has a value but none was given. */
  missed: number;
}

export interface ExtractionMistake {
  id: string;
  label: FieldLabel;
  gold: string | null;
  predicted: string | null;
  source: 'model' | 'rules' | null;
}

export interface ExtractionEvaluation {
  listings: number;
  fields: Record<FieldLabel, FieldScore>;
  /** Over all fields of all listings. */
  overall: FieldScore;
  /** Listings with every field right. */
  exactListings: number;
  mistakes: ExtractionMistake[];
}

function emptyScore(): FieldScore {
  return { correct: 0, total: 0, accuracy: 0, present: 0, presentCorrect: 0, spurious: 0, missed: 0 };
}

/** Scores records against gold listings, matched by id (every gold listing needs a record). */
export function evaluateExtraction(
  records: readonly ListingRecord[],
  gold: readonly GoldListing[],
): ExtractionEvaluation {
  const byId = new Map(records.map((r) => [r.id, r]));
  const fields = Object.fromEntries(FIELD_LABELS.map((l) => [l, emptyScore()])) as Record<
    FieldLabel,
    FieldScore
  >;
  const overall = emptyScore();
  const mistakes: ExtractionMistake[] = [];
  let exactListings = 0;
  for (const listing of gold) {
    const record = byId.get(listing.id);
    if (!record) throw new Error(`no extracted record for gold listing ${listing.id}`);
    const predicted = recordDisplays(record);
    let allRight = true;
    for (const label of FIELD_LABELS) {
      const goldValue = listing.fields[label]?.value ?? null;
      const value = predicted[label];
      const right = goldValue === value;
      for (const score of [fields[label], overall]) {
        score.total += 1;
        if (right) score.correct += 1;
        if (goldValue !== null) {
          score.present += 1;
          if (right) score.presentCorrect += 1;
          if (value === null) score.missed += 1;
        } else if (value !== null) {
          score.spurious += 1;
        }
      }
      if (!right) {
        allRight = false;
        mistakes.push({
          id: listing.id,
          label,
          gold: goldValue,
          predicted: value,
          source: record.fields[label]?.source ?? null,
        });
      }
    }
    if (allRight) exactListings += 1;
  }
  for (const score of [...Object.values(fields), overall]) {
    score.accuracy = score.total === 0 ? 0 : score.correct / score.total;
  }
  return { listings: gold.length, fields, overall, exactListings, mistakes };
}

const percent = (n: number, d: number): string =>
  d === 0 ? '   -  ' : `${((100 * n) / d).toFixed(1)}%`.padStart(6);

/** A plain-text per-field table, then the mistakes (up to `maxMistakes`). */
export function formatExtractionEvaluation(evaluation: ExtractionEvaluation, maxMistakes = 40): string {
  const width = Math.max(...Object.values(FIELD_NAMES).map((n) => n.length), 'overall'.length);
  const header = `${'field'.padEnd(width)}  exact   right/total  stated-right  missed  spurious`;
  const row = (name: string, s: FieldScore): string =>
    `${name.padEnd(width)}  ${percent(s.correct, s.total)}  ${`${s.correct}/${s.total}`.padStart(11)}  ${`${s.presentCorrect}/${s.present}`.padStart(12)}  ${String(s.missed).padStart(6)}  ${String(s.spurious).padStart(8)}`;
  const lines = [
    header,
    ...FIELD_LABELS.map((label) => row(FIELD_NAMES[label], evaluation.fields[label])),
    row('overall', evaluation.overall),
    '',
    `listings with all seven fields right: ${evaluation.exactListings}/${evaluation.listings}`,
  ];
  if (evaluation.mistakes.length > 0) {
    lines.push('', 'mistakes (id field: predicted ≠ gold [source]):');
    for (const m of evaluation.mistakes.slice(0, maxMistakes)) {
      lines.push(
        `  ${m.id} ${m.label}: ${JSON.stringify(m.predicted)} ≠ ${JSON.stringify(m.gold)}${m.source ? ` [${m.source}]` : ''}`,
      );
    }
    if (evaluation.mistakes.length > maxMistakes) {
      lines.push(`  … and ${evaluation.mistakes.length - maxMistakes} more`);
    }
  }
  return `${lines.join('\n')}\n`;
}
