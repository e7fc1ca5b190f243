import assert from 'node:assert/strict';
import { FIELD_LABELS, type GoldListing, normalizeField } from '../../../src/core/extract';

/** Asserts that every gold span normalizes to its field's gold value; returns how many spans it checked. */
export function assertGoldSpansNormalize(gold: readonly GoldListing[]): number {
  let checked = 0;
  for (const listing of gold) {
    for (const label of FIELD_LABELS) {
      for (const span of listing.fields[label]?.spans ?? []) {
        const text = listing.text.slice(span.start, span.end);
        assert.equal(
          normalizeField(label, text)?.display,
          listing.fields[label]!.value,
          `${listing.id} ${label} ${text}`,
        );
        checked += 1;
      }
    }
  }
  return checked;
}
