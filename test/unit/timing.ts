/**
 * Timings for complexity checks in tests. A test never compares a duration with a fixed limit
 * (the machine may be under a load of 20, and any limit is then either flaky or too loose to
 * catch anything); it compares runs measured here, in the same process and moment, that do the
 * same work but for the one thing under test: one long line against the same text in short
 * lines (a rescan of the rest of the line is quadratic in the first only), a hostile input
 * against an ordinary one. Sizes alone make poor peers: garbage collection makes 4× the tokens
 * cost 2.4× to 8× the time.
 */

/**
 * The fastest of `repeats` timings of each run, in milliseconds per call. The runs are
 * interleaved (a, b, a, b, …) so a burst of load slows one sample of each rather than all
 * samples of one, and the fastest sample is the one least disturbed by other processes. A run
 * too quick for the timer is called repeatedly, the same number of times for each, until the
 * first run takes `minMs`.
 */
export async function fastestTimes<Name extends string>(
  runs: Record<Name, () => unknown>,
  { repeats = 3, minMs = 20 }: { repeats?: number; minMs?: number } = {},
): Promise<Record<Name, number>> {
  const names = Object.keys(runs) as Name[];
  const timeOf = async (name: Name, calls: number) => {
    const started = performance.now();
    for (let call = 0; call < calls; call++) await runs[name]();
    return (performance.now() - started) / calls;
  };
  let calls = 1;
  while (calls < 1024 && (await timeOf(names[0]!, calls)) * calls < minMs) calls *= 2;
  const fastest = Object.fromEntries(names.map((name) => [name, Number.POSITIVE_INFINITY])) as Record<
    Name,
    number
  >;
  for (let round = 0; round < repeats; round++) {
    for (const name of names) fastest[name] = Math.min(fastest[name], await timeOf(name, calls));
  }
  return fastest;
}
