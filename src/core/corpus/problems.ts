/**
 * Problems found in a corpus file, and the typed error that carries them. A problem always says
 * where (`path:line`) and what is wrong; readers report problems instead of throwing, and skip
 * the sentence the problem belongs to.
 */

/** One thing wrong with a corpus file. `line` is 1-based; 0 means the file as a whole. */
export interface CorpusProblem {
  path: string;
  line: number;
  message: string;
}

/** `path:line: message`, or `path: message` for a problem with the whole file. */
export function formatProblem(problem: CorpusProblem): string {
  const where = problem.line > 0 ? `${problem.path}:${problem.line}` : problem.path;
  return `${where}: ${problem.message}`;
}

/** How many problem lines a `CorpusError` message spells out; `.problems` holds them all. */
const PROBLEMS_IN_ERROR_MESSAGE = 10;

export class CorpusError extends Error {
  override readonly name = 'CorpusError';

  constructor(
    readonly problems: readonly CorpusProblem[],
    /** Problems beyond the collection limit, counted but not kept. */
    readonly omittedProblems = 0,
  ) {
    const total = problems.length + omittedProblems;
    const shown = problems.slice(0, PROBLEMS_IN_ERROR_MESSAGE).map(formatProblem);
    const more = total - shown.length;
    super(
      [
        `${total} corpus problem${total === 1 ? '' : 's'}:`,
        ...shown,
        ...(more > 0 ? [`… and ${more} more`] : []),
      ].join('\n'),
    );
  }
}

/** A corpus file that cannot be written (no such folder it can create, no permission, a full disk). */
export class CorpusWriteError extends Error {
  override readonly name = 'CorpusWriteError';

  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: cannot write (${reason})`);
  }
}

export const DEFAULT_MAX_PROBLEMS = 100;

/**
 * Keeps the first `limit` problems and counts the rest. In strict mode it throws a `CorpusError`
 * as soon as the limit is reached (no point reading on), or at `finish()` if anything was wrong.
 */
export class ProblemLog {
  readonly problems: CorpusProblem[] = [];
  omitted = 0;

  constructor(
    private readonly limit: number,
    private readonly strict: boolean,
  ) {}

  /** Records `problem`; false when it was only counted (over the limit). */
  add(problem: CorpusProblem): boolean {
    const kept = this.problems.length < this.limit;
    if (kept) this.problems.push(problem);
    else this.omitted++;
    if (this.strict && this.problems.length >= this.limit) {
      throw new CorpusError(this.problems, this.omitted);
    }
    return kept;
  }

  finish(): void {
    if (this.strict && this.problems.length > 0) {
      throw new CorpusError(this.problems, this.omitted);
    }
  }
}
