import { ModelFileError } from '../core/model/io';
import { Tagger } from '../core/model/tagger';
import { UserError } from './usage';

/** Loads a model folder, turning any model-file problem into a UserError with its message. */
export async function loadTaggerForCli(folder: string): Promise<Tagger> {
  try {
    return await Tagger.load(folder);
  } catch (err) {
    if (err instanceof ModelFileError) throw new UserError(err.message);
    throw err;
  }
}
