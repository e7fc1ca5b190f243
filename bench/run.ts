/**
 * `npm run bench`: Spanlight against its peers, as ratios measured in the same run.
 *
 * - the offset tokenizer's characters/s (ours and wink-tokenizer's);
 * - the tagger on the reference configuration (EWT UPOS, 3,000-sentence slice, batch 32), once
 *   with LSTM cells and once with GRU cells: training tokens/s, batch tagging tokens/s,
 *   single-sentence latency, peak RSS, and where a training step's milliseconds go; against the
 *   same network in Python Keras (bench/peer/keras_tagger.py with the same cell, installed by
 *   scripts/setup-peer.sh), all sides interleaved and repeated, medians compared.
 *
 * - the editor path on native TensorFlow and on the portable backend, in the same run;
 * - hostile input (issue 12): the slow cases of the hostile suite, each with its exit code,
 *   seconds and peak RSS (bench/hostile.ts; needs npm run build);
 *
 * Options: --repeats N (default 2), --no-peer, --onednn-off (also run both sides with
 * TF_ENABLE_ONEDNN_OPTS=0), --train-batches N (default 100), --cells lstm,gru (default both),
 * --json FILE, --only editor|hostile|tagger (one section alone).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CellKind } from '../src/core/kernels';
import type { EditorBenchResult } from './editor';
import type { TaggerBenchResult } from './tagger';
import { benchTokenizer } from './tokenizer';

const root = path.resolve(__dirname, '..');
const data = process.env.SPANLIGHT_DATA ?? path.resolve(root, '..', 'shared', 'data');

interface PeerResult {
  train: { tokens_per_second: number };
  inference: { batch: { tokens_per_second: number }; latency: { p50_ms: number; p95_ms: number } };
  memory: { peak_rss_bytes: number };
  accuracy: { token_accuracy: number };
  model: { parameters: number };
}

interface SideFigures {
  trainTokensPerSecond: number;
  batchTokensPerSecond: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  peakRssMiB: number;
}

const tokensPerSecond = (e: EditorBenchResult) => e.documentTokens / (e.fullDocumentWarmMs / 1000);

const median = (values: number[]) => {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function log(message: string) {
  process.stderr.write(`[bench] ${message}\n`);
}

function runSpanlight(cell: CellKind, trainBatches: number, env: NodeJS.ProcessEnv): TaggerBenchResult {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(__dirname, 'tagger.ts'),
      '--cell',
      cell,
      '--train-batches',
      String(trainBatches),
    ],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    },
  );
  return JSON.parse(out) as TaggerBenchResult;
}

function ensurePeer(): string | undefined {
  const python = path.join(root, 'bench', '.venv', 'bin', 'python');
  log('checking the Keras peer (scripts/setup-peer.sh; the first install takes minutes)');
  const setup = spawnSync('bash', [path.join(root, 'scripts', 'setup-peer.sh')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { PIP_RETRIES: '0', ...process.env },
  });
  if (setup.status !== 0 || !fs.existsSync(python)) {
    log('the Keras peer could not be set up: its figures are left out (see the output above)');
    return undefined;
  }
  return python;
}

function runPeer(python: string, cell: CellKind, trainBatches: number, env: NodeJS.ProcessEnv): PeerResult {
  const out = execFileSync(
    python,
    [
      path.join(root, 'bench', 'peer', 'keras_tagger.py'),
      '--cell',
      cell,
      '--train',
      path.join(data, 'ud-en-ewt/en_ewt-ud-train.conllu'),
      '--test',
      path.join(data, 'ud-en-ewt/en_ewt-ud-test.conllu'),
      '--max-train-sentences',
      '3000',
      '--warmup-batches',
      '10',
      '--train-batches',
      String(trainBatches),
      '--seed',
      '1',
      '--json',
      '-',
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 24,
    },
  );
  return JSON.parse(out) as PeerResult;
}

const fromSpanlight = (r: TaggerBenchResult): SideFigures => ({
  trainTokensPerSecond: r.train.tokensPerSecond,
  batchTokensPerSecond: r.inference.batch.tokensPerSecond,
  latencyP50Ms: r.inference.latency.p50Ms,
  latencyP95Ms: r.inference.latency.p95Ms,
  peakRssMiB: r.memory.peakRssBytes / 2 ** 20,
});

const fromPeer = (r: PeerResult): SideFigures => ({
  trainTokensPerSecond: r.train.tokens_per_second,
  batchTokensPerSecond: r.inference.batch.tokens_per_second,
  latencyP50Ms: r.inference.latency.p50_ms,
  latencyP95Ms: r.inference.latency.p95_ms,
  peakRssMiB: r.memory.peak_rss_bytes / 2 ** 20,
});

function medianFigures(runs: SideFigures[]): SideFigures {
  const pick = (key: keyof SideFigures) => median(runs.map((r) => r[key]));
  return {
    trainTokensPerSecond: pick('trainTokensPerSecond'),
    batchTokensPerSecond: pick('batchTokensPerSecond'),
    latencyP50Ms: pick('latencyP50Ms'),
    latencyP95Ms: pick('latencyP95Ms'),
    peakRssMiB: pick('peakRssMiB'),
  };
}

function table(
  ours: SideFigures,
  peers: Array<{ name: string; figures: SideFigures }>,
  label: string,
): string {
  const rows: Array<[string, keyof SideFigures, 'higher' | 'lower', number]> = [
    ['training tokens/s', 'trainTokensPerSecond', 'higher', 0],
    ['batch tagging tokens/s', 'batchTokensPerSecond', 'higher', 0],
    ['single-sentence latency p50 (ms)', 'latencyP50Ms', 'lower', 2],
    ['single-sentence latency p95 (ms)', 'latencyP95Ms', 'lower', 2],
    ['peak RSS (MiB)', 'peakRssMiB', 'lower', 0],
  ];
  const width = Math.max(10, ...peers.map((p) => p.name.length));
  const lines = [
    `${label}`,
    `${'metric'.padEnd(34)} ${'Spanlight'.padStart(10)}${peers.map((p) => ` ${p.name.padStart(width)} ${'ratio'.padStart(7)}`).join('')}`,
  ];
  for (const [name, key, better, digits] of rows) {
    const a = ours[key];
    const cells = peers.map(({ figures }) => {
      const b = figures[key];
      const ratio = `${(better === 'higher' ? a / b : b / a).toFixed(2)}×`;
      return ` ${b.toFixed(digits).padStart(width)} ${ratio.padStart(7)}`;
    });
    lines.push(`${name.padEnd(34)} ${a.toFixed(digits).padStart(10)}${cells.join('')}`);
  }
  lines.push('(ratio > 1 means Spanlight is better: faster, or lower latency and memory)');
  return lines.join('\n');
}

/** Both cells side by side: the two speeds that matter, ours and Keras's, for each cell. */
function cellsTable(
  medians: Map<CellKind, { ours: SideFigures; keras?: SideFigures }>,
  label: string,
): string {
  const cells = [...medians.keys()];
  const columns = [
    ...cells.map((cell) => ({
      name: `Spanlight ${cell.toUpperCase()}`,
      pick: () => medians.get(cell)!.ours,
    })),
    ...cells.map((cell) => ({ name: `Keras ${cell.toUpperCase()}`, pick: () => medians.get(cell)!.keras })),
  ];
  const rows: Array<[string, keyof SideFigures]> = [
    ['training tokens/s', 'trainTokensPerSecond'],
    ['batch tagging tokens/s', 'batchTokensPerSecond'],
  ];
  const cell = (text: string, width: number) => text.padStart(width);
  const lines = [
    `LSTM and GRU cells side by side (${label}):`,
    `${'metric'.padEnd(24)}${columns.map((c) => cell(c.name, 16)).join('')}${cells.map((c) => cell(`${c.toUpperCase()} vs Keras`, 14)).join('')}`,
  ];
  for (const [name, key] of rows) {
    const values = columns.map((c) => c.pick()?.[key]);
    const ratios = cells.map((c) => {
      const { ours, keras } = medians.get(c)!;
      return keras ? `${(ours[key] / keras[key]).toFixed(2)}×` : '–';
    });
    lines.push(
      `${name.padEnd(24)}${values.map((v) => cell(v === undefined ? '–' : v.toFixed(0), 16)).join('')}${ratios.map((r) => cell(r, 14)).join('')}`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const { values } = parseArgs({
    options: {
      repeats: { type: 'string', default: '2' },
      'no-peer': { type: 'boolean' },
      'onednn-off': { type: 'boolean' },
      'train-batches': { type: 'string', default: '100' },
      cells: { type: 'string', default: 'lstm,gru' },
      json: { type: 'string' },
      only: { type: 'string' },
    },
  });
  const cells = values.cells.split(',').map((cell) => cell.trim()) as CellKind[];
  if (cells.length === 0 || cells.some((cell) => cell !== 'lstm' && cell !== 'gru')) {
    throw new Error(`--cells takes lstm, gru or both (comma-separated), got ${values.cells}`);
  }
  if (values.only !== undefined && !['editor', 'hostile', 'tagger'].includes(values.only))
    throw new Error(`--only takes editor, hostile or tagger, got ${values.only}`);
  const repeats = Math.max(1, Number(values.repeats));
  const trainBatches = Math.max(1, Number(values['train-batches']));
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: {
      cores: os.availableParallelism(),
      memoryGiB: os.totalmem() / 2 ** 30,
      loadAverage: os.loadavg(),
    },
  };

  if (values.only === 'hostile') {
    await hostileSection(report);
    return finish(report, values.json);
  }
  const taggerOptions = {
    cells,
    repeats,
    trainBatches,
    peer: !values['no-peer'],
    onednnOff: !!values['onednn-off'],
  };
  if (values.only === 'tagger') {
    await taggerSection(report, taggerOptions);
    return finish(report, values.json);
  }

  log('tokenizer');
  const tokenizer = await benchTokenizer();
  report.tokenizer = tokenizer;
  console.log(
    `tokenizer: ${(tokenizer.charsPerSecond / 1e6).toFixed(2)} M chars/s (wink-tokenizer with alignment: ${(tokenizer.winkCharsPerSecond / 1e6).toFixed(2)} M chars/s), 1 MiB line ${(tokenizer.longLineCharsPerSecond / 1e6).toFixed(2)} M chars/s\n`,
  );

  // The editor path, in its own process (its RSS is the tagging side's alone).
  const nerModel = ['models/en-ner', 'test/fixtures/sample-workspace/.spanlight/models/fixture-ner']
    .map((m) => path.join(root, m))
    .find((m) => fs.existsSync(path.join(m, 'model.json')))!;
  // Native TensorFlow and the portable backend, one after the other in this run.
  const editors: EditorBenchResult[] = [];
  for (const backend of ['tensorflow', 'portable'] as const) {
    log(`editor path with ${path.relative(root, nerModel)} on the ${backend} backend`);
    const editor = JSON.parse(
      execFileSync(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, 'editor.ts'), nerModel, '--backend', backend],
        {
          cwd: root,
          encoding: 'utf8',
          env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      ),
    ) as EditorBenchResult;
    editors.push(editor);
    console.log(
      `editor path, ${editor.backend} backend (${editor.model}, ${editor.documentTokens.toLocaleString('en-US')}-token document): retag the visible region (${editor.regionTokens} tokens) after an edit p50 ${editor.retagAfterEdit.p50Ms.toFixed(1)} ms, p95 ${editor.retagAfterEdit.p95Ms.toFixed(1)} ms; whole document ${editor.fullDocumentWarmMs.toFixed(0)} ms = ${tokensPerSecond(editor).toFixed(0)} tokens/s (median of 5, range ${editor.fullDocumentWarmRangeMs.map((ms) => ms.toFixed(0)).join('–')}; first run ${editor.fullDocumentColdMs.toFixed(0)} ms; model load ${editor.firstLoadMs.toFixed(0)} ms with the process start, reload ${editor.reloadMs.toFixed(0)} ms); RSS with the model loaded: editor side ${editor.rssMiB.toFixed(0)} MiB, tagging process ${editor.taggingProcess.rssMiB.toFixed(0)} MiB (anonymous ${editor.taggingProcess.rssAnonMiB.toFixed(0)}, file-backed ${editor.taggingProcess.rssFileMiB.toFixed(0)})\n`,
    );
  }
  const [native, portable] = editors as [EditorBenchResult, EditorBenchResult];
  report.editor = native;
  report.editorPortable = portable;
  const target = (met: boolean) => (met ? 'met' : 'NOT met');
  console.log(
    `portable vs native, same run: whole document ${(portable.fullDocumentWarmMs / native.fullDocumentWarmMs).toFixed(1)}× the time (${tokensPerSecond(portable).toFixed(0)} vs ${tokensPerSecond(native).toFixed(0)} tokens/s), visible-region retag p95 ${portable.retagAfterEdit.p95Ms.toFixed(1)} vs ${native.retagAfterEdit.p95Ms.toFixed(1)} ms, tagging process ${portable.taggingProcess.rssMiB.toFixed(0)} vs ${native.taggingProcess.rssMiB.toFixed(0)} MiB. Portable targets: retag p95 ≤ 100 ms ${target(portable.retagAfterEdit.p95Ms <= 100)}; 10,000-token document ≤ 3 s ${target(portable.fullDocumentWarmMs * (10_000 / portable.documentTokens) <= 3000)} (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores)\n`,
  );
  if (values.only === 'editor') return finish(report, values.json);

  // Training in the extension's worker thread against the CLI on the same data.
  log('training in the worker thread vs the CLI (needs npm run build)');
  const { benchWorkerTraining } = await import('./worker-training');
  const worker = await benchWorkerTraining({ repeats: 3, log });
  report.workerTraining = worker;
  console.log(
    `training in the worker thread: ${median(worker.workerTokensPerSecond).toFixed(0)} tokens/s vs the CLI's ${median(worker.cliTokensPerSecond).toFixed(0)} (ratio ${worker.ratio.toFixed(2)}); extension-host event-loop lag meanwhile p50 ${worker.eventLoopLagMs.p50.toFixed(1)} ms, p95 ${worker.eventLoopLagMs.p95.toFixed(1)} ms\n`,
  );

  await taggerSection(report, taggerOptions);
  await hostileSection(report);
  finish(report, values.json);
}

/**
 * The tagger on the reference configuration, per cell, against Keras (as installed and with one
 * intra-op thread), all sides interleaved and repeated, medians compared.
 */
async function taggerSection(
  report: Record<string, unknown>,
  options: { cells: CellKind[]; repeats: number; trainBatches: number; peer: boolean; onednnOff: boolean },
): Promise<void> {
  const { cells, repeats, trainBatches } = options;
  const python = options.peer ? ensurePeer() : undefined;
  const settings: Array<{ name: string; env: NodeJS.ProcessEnv }> = [
    { name: 'oneDNN on (default)', env: {} },
  ];
  if (options.onednnOff) settings.push({ name: 'oneDNN off', env: { TF_ENABLE_ONEDNN_OPTS: '0' } });

  // Keras as installed (TensorFlow's default: one intra-op thread per core), and Keras with the
  // single intra-op thread Spanlight uses, so the thread setting alone cannot explain a lead.
  const peerVariants = [
    { name: 'Keras', env: {} },
    { name: 'Keras 1-thread', env: { TF_NUM_INTRAOP_THREADS: '1' } },
  ];
  for (const setting of settings) {
    const ours = new Map<CellKind, TaggerBenchResult[]>(cells.map((cell) => [cell, []]));
    const peer = new Map<CellKind, PeerResult[][]>(cells.map((cell) => [cell, peerVariants.map(() => [])]));
    // Interleaved: each repeat runs every side once, so a busy spell hits all of them alike.
    for (let r = 0; r < repeats; r++) {
      for (const cell of cells) {
        log(`${setting.name}: Spanlight ${cell.toUpperCase()} run ${r + 1}/${repeats}`);
        ours.get(cell)!.push(runSpanlight(cell, trainBatches, setting.env));
        if (!python) continue;
        peerVariants.forEach((variant, v) => {
          log(`${setting.name}: ${variant.name} ${cell.toUpperCase()} run ${r + 1}/${repeats}`);
          peer.get(cell)![v]!.push(runPeer(python, cell, trainBatches, { ...setting.env, ...variant.env }));
        });
      }
    }
    const byCell: Record<string, unknown> = {};
    const medians = new Map<CellKind, { ours: SideFigures; keras?: SideFigures }>();
    for (const cell of cells) {
      const runs = ours.get(cell)!;
      const oursMedian = medianFigures(runs.map(fromSpanlight));
      const peerMedians = python
        ? peerVariants.map((variant, v) => ({
            name: variant.name,
            figures: medianFigures(peer.get(cell)![v]!.map(fromPeer)),
          }))
        : [];
      medians.set(cell, { ours: oursMedian, ...(peerMedians[0] ? { keras: peerMedians[0].figures } : {}) });
      console.log(
        table(
          oursMedian,
          peerMedians,
          `tagger, reference configuration with ${cell.toUpperCase()} cells on both sides (EWT UPOS, 3,000 sentences, batch 32, ${trainBatches} timed batches), ${setting.name}, median of ${repeats}:`,
        ),
      );
      const profile = runs[runs.length - 1]!.profile;
      const stepMs = profile.encodeMs + profile.forwardMs + profile.backwardMs + profile.optimizerMs;
      const share = (ms: number) => `${ms.toFixed(1)} ms (${((100 * ms) / stepMs).toFixed(0)}%)`;
      console.log(
        `where a training step goes (${profile.tokensPerBatch.toFixed(0)} tokens/batch): encode ${share(profile.encodeMs)}, forward ${share(profile.forwardMs)}, backward ${share(profile.backwardMs)}, optimizer ${share(profile.optimizerMs)}`,
      );
      const keras = peer.get(cell)![0]?.[0];
      console.log(
        `parameters: Spanlight ${runs[0]!.parameters.toLocaleString('en-US')}${keras ? `, Keras ${keras.model.parameters.toLocaleString('en-US')}` : ''}; test accuracy after the timed batches: Spanlight ${(100 * runs[0]!.accuracy.tokenAccuracy).toFixed(1)}%${keras ? `, Keras ${(100 * keras.accuracy.token_accuracy).toFixed(1)}%` : ''}\n`,
      );
      byCell[cell] = {
        spanlight: runs,
        peers: Object.fromEntries(peerVariants.map((variant, v) => [variant.name, peer.get(cell)![v]])),
        medians: { spanlight: oursMedian, peers: peerMedians },
      };
    }
    if (cells.length > 1) console.log(`${cellsTable(medians, `${setting.name}, median of ${repeats}`)}\n`);
    report[setting.name] = byCell;
  }
}

async function hostileSection(report: Record<string, unknown>): Promise<void> {
  const { benchHostile, hostileTable } = await import('./hostile');
  const cases = await benchHostile(log);
  report.hostile = cases;
  console.log(`${hostileTable(cases)}\n`);
}

function finish(report: Record<string, unknown>, json: string | undefined): void {
  report.loadAverageAfter = os.loadavg();
  const jsonPath = json ?? path.join(root, 'bench', 'results', 'latest.json');
  fs.mkdirSync(path.dirname(jsonPath), { recursive: true });
  fs.writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`full figures: ${path.relative(process.cwd(), jsonPath)}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
