import { writeModelCard } from '../model/card';
import { replaceFolder } from '../model/folder';
import type { ModelCard } from '../model/io';
import type { Tagger } from '../model/tagger';

/**
 * Saves a trained model as one unit: model.json, its weights and the MODEL.md card are written
 * to a new folder that then replaces `folder` (see model/folder.ts), so a crash leaves the old
 * model or the new one, never a mix.
 */
export async function saveModelFolder(
  tagger: Tagger,
  folder: string,
  cardUpdates: Partial<ModelCard> = {},
): Promise<void> {
  await replaceFolder(folder, async (temp) => {
    await tagger.save(temp, cardUpdates);
    await writeModelCard(temp);
  });
}
