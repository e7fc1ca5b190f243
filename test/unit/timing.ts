/**
 * Timings for complexity checks in tests. A test never compares a duration with a fixed limit
 * (the machine may be under a load of 20, and any limit is then either flaky or too loose to
 * catch anything); it compares runs measured here, in the same process and moment: the same code
 * on a larger input (linear or quadratic?) or a hostile input against an ordinary one of the same
 * size.
 */

/**
 * The fastest of `repeats` timings of each run, in milliseconds. The runs are interleaved (a, b,
 * a, b, …) so a burst of load slows one sample of each rather than all samples of one, and the
 * fastest sample is the one least disturbed by other processes.
 */
export async function fastestTimes<Name extends string>(
  runs: Record<Name, () => unknown>,
  repeats = 3,
): Promise<Record<Name, number>> {
  const names = Object.keys(runs) as Name[];
  const fastest = Object.fromEntries(names.map((name) => [name, Number.POSITIVE_INFINITY])) as Record<
    Name,
    number
  >;
  for (let round = 0; round < repeats; round++) {
    for (const name of names) {
      const started = performance.now();
      await runs[name]();
      fastest[name] = Math.min(fastest[name], performance.now() - started);
    }
  }
  return fastest;
}
