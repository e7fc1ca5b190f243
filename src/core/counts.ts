/**
 * Counts keyed by labels. Labels are user data, and `constructor`, `toString` or `__proto__` are
 * labels like any other: on a plain object they would read inherited functions or set the
 * prototype. Tables are Maps while they are built, and become objects only through
 * `Object.fromEntries`, which gives every label an own property.
 */
export function increment(counts: Map<string, number>, label: string, by = 1): void {
  counts.set(label, (counts.get(label) ?? 0) + by);
}

/** The counts as a JSON-ready object, largest first, ties in code-point order of the label. */
export function sortedCountsObject(counts: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries(
    [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
  );
}
