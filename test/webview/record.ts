/**
 * Records the message stream the dashboard receives during a real (small) training run, for the
 * Playwright test: `node --import tsx test/webview/record.ts`. The corpus mixes the sample NER
 * file with sentences whose label is HTML (`<img src=x onerror=alert(1)>`), so the page must show
 * it as text. Writes test/webview/fixtures/stream.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTrainingJob } from '../../src/extension/training/job';
import type { ToWebview } from '../../webview/protocol';

export const HOSTILE_LABEL = '<img src=x onerror=alert(1)>';

async function main() {
  const repo = path.resolve(__dirname, '../..');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-record-'));
  const hostile = path.join(work, 'hostile.jsonl');
  const names = ['Zorblat', 'Quenmar', 'Vextrion', 'Plodwick', 'Sarnavel', 'Tremlox'];
  const lines = names.flatMap((name, i) => [
    JSON.stringify({
      text: `${name} opened the gate .`,
      spans: [{ start: 0, end: name.length, label: HOSTILE_LABEL }],
    }),
    JSON.stringify({
      text: `They met ${name} in Paris on day ${i} .`,
      spans: [
        { start: 9, end: 9 + name.length, label: HOSTILE_LABEL },
        { start: 13 + name.length, end: 18 + name.length, label: 'LOC' },
      ],
    }),
  ]);
  fs.writeFileSync(hostile, `${lines.join('\n')}\n`);
  const messages: ToWebview[] = [];
  let runId = '';
  const controller = new AbortController();
  const outcome = await runTrainingJob(
    {
      jobId: 'record',
      name: 'sample <b>ner</b>',
      preset: 'fast',
      trainFiles: [path.join(repo, 'test/fixtures/sample-workspace/corpus/sample-ner.conll'), hostile],
      devFiles: [],
      devRatio: 0.25,
      vectors: false,
      model: { wordDim: 16, charDim: 8, charHidden: 8, hidden: 16, layers: 1, minWordFrequency: 1 },
      train: { epochs: 4, batchSize: 8, seed: 2, patience: 10 },
      progressEvery: 1,
      runsRoot: path.join(work, 'runs'),
      modelsRoot: path.join(work, 'models'),
      workspaceRoot: repo,
    },
    {
      signal: controller.signal,
      checked: async () => true,
      runStarted: (config) => {
        runId = config.id;
        messages.push({ type: 'runStarted', config });
      },
      event: (event) => messages.push({ type: 'runEvent', runId, event }),
    },
  );
  if (!outcome) throw new Error('the recording run did not train');
  messages.push({ type: 'runFinished', runId, outcome });
  const out = path.join(__dirname, 'fixtures', 'stream.json');
  // Paths on this machine are not part of the recording.
  const text = JSON.stringify(messages, null, 1)
    .split(work)
    .join('/workspace')
    .split(repo)
    .join('/workspace');
  fs.writeFileSync(out, `${text}\n`);
  fs.rmSync(work, { recursive: true, force: true });
  console.log(`wrote ${out}: ${messages.length} messages, ${outcome.epochs} epochs`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
