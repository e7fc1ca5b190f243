// Child process for checkpoint-kill.test.ts: `spanlight train …` with every rename reported on stdout
// and followed by a short pause, so the parent can SIGKILL it between any two renames (inside a
// checkpoint unit, between the unit and its manifest, inside the model folder's switch).
import fs from 'node:fs';
import { main } from '../../src/cli/spanlight';

const rename = fs.promises.rename;
let renames = 0;
fs.promises.rename = (async (...args: Parameters<typeof rename>) => {
  await rename(...args);
  process.stdout.write(`rename ${++renames}\n`);
  await new Promise((resolve) => setTimeout(resolve, 5));
}) as typeof rename;

void main(process.argv.slice(2)).then((code) => {
  process.stdout.write(`exit ${code}\n`);
  process.exitCode = code;
});
