/**
 * Which colour slot a label gets. Slots are theme colours declared in package.json
 * (`spanlight.label1Background` …), so users and themes can restyle them; the mapping itself is
 * deterministic, so PER looks the same in every document and every session.
 */
export const LABEL_SLOTS = 8;

/** The usual entity types keep fixed, well-separated colours. */
const FIXED_SLOTS = new Map(Object.entries({ PER: 1, ORG: 2, LOC: 3, MISC: 4, GPE: 5, DATE: 6 }));

/** 1-based colour slot of a label. */
export function labelSlot(label: string): number {
  const fixed = FIXED_SLOTS.get(label.toUpperCase());
  if (fixed !== undefined) return fixed;
  // FNV-1a: stable across runs and platforms, unlike anything keyed on insertion order.
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % LABEL_SLOTS) + 1;
}
