import { loadTagger } from '../core/backend';
import { ModelFileError } from '../core/model/io';
import type { TaggerBase } from '../core/model/tagger-base';
import { UserError } from './usage';

/**
 * Loads a model folder for tagging (on native TensorFlow, or the portable backend where it cannot
 * load), turning any model-file problem into a UserError with its message.
 */
export async function loadTaggerForCli(folder: string): Promise<TaggerBase> {
  try {
    return await loadTagger(folder);
  } catch (err) {
    if (err instanceof ModelFileError) throw new UserError(err.message);
    throw err;
  }
}
