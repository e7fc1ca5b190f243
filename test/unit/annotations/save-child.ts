// Child process for store.test.ts: saves annotation files in a loop until it is killed.
import fs from 'node:fs';
import { saveAnnotationFile } from '../../../src/core/annotations/store';

const [file, countArg] = process.argv.slice(2);
const count = Number(countArg);
const annotations = Array.from({ length: count }, (_, i) => ({
  start: i * 10,
  end: i * 10 + 5,
  label: 'NEW',
  text: 'abcde',
  origin: 'human' as const,
  task: 'entities',
}));
// Tell the parent when the temp file is open, so it can kill this process in the middle of a save.
const open = fs.promises.open;
fs.promises.open = (async (...args: Parameters<typeof open>) => {
  const handle = await open(...args);
  process.stdout.write(`opened ${String(args[0])}\n`);
  return handle;
}) as typeof open;
void (async () => {
  for (let round = 0; ; round++) {
    process.stdout.write(`saving ${round}\n`);
    await saveAnnotationFile(file!, { document: 'doc.txt', annotations });
  }
})();
