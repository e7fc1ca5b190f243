/**
 * The editor path: what the extension does when a document is opened or edited, measured
 * outside VS Code on the same code (src/core/annotations here, the model in the tagging process
 * as in the extension): tagging a whole 10,000-token document (EWT test sentences), and
 * retagging the visible region (~600 tokens) after each of 40 edits, with the per-sentence
 * cache. Prints JSON; `npm run bench` reports it.
 *
 *   node --import tsx bench/editor.ts [MODEL_DIR] [--backend tensorflow|portable]
 *   (default: models/en-ner, on the backend the tagging process chooses: native TensorFlow here)
 */
import fs from 'node:fs';
import path from 'node:path';
import { SentenceCache } from '../src/core/annotations/cache';
import { applyChanges } from '../src/core/annotations/edits';
import { expandToParagraphs, sentencesIn } from '../src/core/annotations/regions';
import { type SentenceSuggestions, tagSentences } from '../src/core/annotations/suggestions';
import type { TaggingBackend } from '../src/core/model/tagger-base';
import { tokenize } from '../src/core/tokens';
import { DEFAULT_CONFIG } from '../src/extension/settings';
import { TaggingProcess } from '../src/extension/tagging-process/client';
import { procStatusMiB } from '../test/hostile/measure';

export interface EditorBenchResult {
  schema: 'spanlight-editor-bench/1';
  model: string;
  /** The backend the tagging process tagged with. */
  backend: TaggingBackend;
  documentTokens: number;
  regionTokens: number;
  /** Forking the tagging process, loading TensorFlow and the model (with its warm-up tag). */
  firstLoadMs: number;
  /** Loading the model again in the running tagging process (median). */
  reloadMs: number;
  /** The first whole-document run after the model loaded (code paths not yet optimised by V8). */
  fullDocumentColdMs: number;
  /** Median over WARM_RUNS runs, each right after a reload (empty char-state cache). */
  fullDocumentWarmMs: number;
  fullDocumentWarmRangeMs: [number, number];
  retagAfterEdit: { p50Ms: number; p95Ms: number; edits: number };
  /** This process: the extension host's side (no TensorFlow). */
  rssMiB: number;
  /** RSS split: anonymous memory (heaps, tensors) and file-backed pages (mostly libtensorflow's code). */
  rssAnonMiB: number;
  rssFileMiB: number;
  /** The tagging process, where TensorFlow and the model live (bundled script when built). */
  taggingProcess: { rssMiB: number; rssAnonMiB: number; rssFileMiB: number };
}

const root = path.resolve(__dirname, '..');
const WARM_RUNS = 5;
const BENCH_BATCH_SIZE = Number(process.env.BATCH ?? DEFAULT_CONFIG['tagging.batchSize']);

const dataDir = process.env.SPANLIGHT_DATA ?? path.resolve(root, '..', 'shared', 'data');

/**
 * A 10,000-token document of real, varied English: the EWT test set's sentences in file order,
 * five to a paragraph (a repetitive document would flatter the sentence cache).
 */
function makeDocument(): string {
  const texts = fs
    .readFileSync(path.join(dataDir, 'ud-en-ewt', 'en_ewt-ud-test.conllu'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('# text = '))
    .map((line) => line.slice('# text = '.length).trim());
  const paragraphs: string[] = [];
  let tokens = 0;
  for (let i = 0; tokens < 10_000 && i < texts.length; i += 5) {
    const paragraph = texts.slice(i, i + 5).join(' ');
    paragraphs.push(paragraph);
    tokens += tokenize(paragraph).length;
  }
  return paragraphs.join('\n\n');
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

export async function benchEditor(
  modelDir = path.join(root, 'models', 'en-ner'),
  backend?: TaggingBackend,
): Promise<EditorBenchResult> {
  // As chosen from the start: the extension's portable-first start would mix the two.
  const env = backend ? { SPANLIGHT_BACKEND: backend } : {};
  // As the extension does (src/extension/models.ts): the model lives in the tagging process.
  // The bundled script when built (as the extension runs it); the TypeScript source through tsx,
  // whose compiler adds ~200 MiB to the process, otherwise.
  const bundled = path.join(root, 'dist', 'tagging-process.js');
  const taggingProcess = new TaggingProcess(
    fs.existsSync(bundled)
      ? { script: bundled, env }
      : {
          script: path.join(root, 'src', 'extension', 'tagging-process', 'host.ts'),
          execArgv: ['--import', 'tsx'],
          env,
        },
  );
  let t = performance.now();
  let tagger = await taggingProcess.load(modelDir);
  const firstLoadMs = performance.now() - t;
  try {
    let doc = makeDocument();
    // As the extension tags, with its default settings.
    const options = {
      modelKey: 'bench',
      batchSize: BENCH_BATCH_SIZE,
      ...(process.env.REQTOK ? { requestTokens: Number(process.env.REQTOK) } : {}),
    };
    t = performance.now();
    await tagSentences(tagger, sentencesIn(doc, 0, doc.length), new SentenceCache(), options);
    const fullDocumentColdMs = performance.now() - t;
    // Warm: the code paths have run once, but the model is reloaded each time, so its char-state
    // cache is empty. The median of several runs: one run on a shared 2-core machine is noisy.
    const warmRuns: number[] = [];
    const reloads: number[] = [];
    for (let run = 0; run < WARM_RUNS; run++) {
      await tagger.dispose();
      t = performance.now();
      tagger = await taggingProcess.load(modelDir);
      reloads.push(performance.now() - t);
      t = performance.now();
      await tagSentences(tagger, sentencesIn(doc, 0, doc.length), new SentenceCache(), options);
      warmRuns.push(performance.now() - t);
    }
    warmRuns.sort((a, b) => a - b);
    reloads.sort((a, b) => a - b);

    // The visible region: ~3,600 characters (~600 tokens) in the middle, widened to paragraphs.
    const cache = new SentenceCache<SentenceSuggestions>(DEFAULT_CONFIG['tagging.cacheSize']);
    const middle = Math.floor(doc.length / 2);
    const visible = 3600;
    const first = expandToParagraphs(doc, middle, middle + visible);
    const regionSentences = sentencesIn(doc, first.start, first.end);
    await tagSentences(tagger, regionSentences, cache, options);
    const times: number[] = [];
    for (let k = 0; k < 40; k++) {
      doc = applyChanges(doc, [{ rangeOffset: middle + 100 + k * 7, rangeLength: 0, text: 'x' }]);
      t = performance.now();
      const region = expandToParagraphs(doc, middle, middle + visible);
      await tagSentences(tagger, sentencesIn(doc, region.start, region.end), cache, options);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return {
      schema: 'spanlight-editor-bench/1',
      model: path.relative(root, modelDir),
      backend: tagger.backend,
      documentTokens: tokenize(doc).length,
      regionTokens: regionSentences.reduce((n, s) => n + s.tokens.length, 0),
      firstLoadMs,
      reloadMs: percentile(reloads, 0.5),
      fullDocumentColdMs,
      fullDocumentWarmMs: percentile(warmRuns, 0.5),
      fullDocumentWarmRangeMs: [warmRuns[0]!, warmRuns[warmRuns.length - 1]!],
      retagAfterEdit: { p50Ms: percentile(times, 0.5), p95Ms: percentile(times, 0.95), edits: times.length },
      rssMiB: process.memoryUsage().rss / 2 ** 20,
      rssAnonMiB: procStatusMiB('self', 'RssAnon'),
      rssFileMiB: procStatusMiB('self', 'RssFile'),
      taggingProcess: {
        rssMiB: (await taggingProcess.memory()) / 2 ** 20,
        rssAnonMiB: procStatusMiB(taggingProcess.pid!, 'RssAnon'),
        rssFileMiB: procStatusMiB(taggingProcess.pid!, 'RssFile'),
      },
    };
  } finally {
    taggingProcess.dispose();
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const backendAt = args.indexOf('--backend');
  const backend = backendAt >= 0 ? (args.splice(backendAt, 2)[1] as TaggingBackend) : undefined;
  benchEditor(args[0] ? path.resolve(args[0]) : undefined, backend).then(
    (result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
