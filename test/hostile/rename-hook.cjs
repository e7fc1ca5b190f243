// Preloaded (`node --require`) into the built CLI by checkpoint-kill.test.ts: every rename is
// reported on stdout and followed by a short pause, so the test can SIGKILL the process between
// any two renames (inside a checkpoint unit, between the unit and its manifest, inside the model
// folder's switch). The built CLI rather than its sources through tsx: each of the test's ~20
// runs starts 1.5 s sooner.
const fs = require('node:fs');

const rename = fs.promises.rename;
let renames = 0;
fs.promises.rename = async (...args) => {
  await rename(...args);
  process.stdout.write(`rename ${++renames}\n`);
  await new Promise((resolve) => setTimeout(resolve, 5));
};
