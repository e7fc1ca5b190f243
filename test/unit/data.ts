/**
 * Where the unit tests find the shared corpora (`../shared/data` beside the repository, described
 * in its README; SPANLIGHT_DATA overrides it). scripts/run-tests.mjs checks that the folder is
 * there before any test starts, so a machine without it fails at once with one clear line.
 */
import path from 'node:path';

export const DATA_DIR = process.env.SPANLIGHT_DATA ?? path.resolve(__dirname, '../../../shared/data');

/** A corpus file under the data folder, e.g. `ud-en-ewt/en_ewt-ud-test.conllu`. */
export function corpusPath(relative: string): string {
  return path.join(DATA_DIR, relative);
}
