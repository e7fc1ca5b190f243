/**
 * The slower half of the hostile-input suite (issue 12), as figures rather than tests: each case
 * runs the built CLI (or the bundled tagging process) the way the reproducers did, and
 * reports exit code, seconds and peak RSS. `npm run bench` prints them as a section; run alone
 * with `npx tsx bench/hostile.ts` (after `npm run build`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tokenizeSentences } from '../src/core/tokens';
import { TaggingProcess } from '../src/extension/tagging-process/client';
import { deepJsonLine, endlessText, oneSentenceDocument, writeBratLine } from '../test/hostile/inputs';
import { procStatusMiB, repoRoot, runCli } from '../test/hostile/measure';
import { makeHostileModels } from '../test/hostile/model-folders';

export interface HostileCase {
  name: string;
  exit: number | null;
  seconds: number;
  peakRssMiB: number;
  /** The first line the case printed on stderr, or what it checked. */
  note: string;
}

const model = path.join(repoRoot, 'models/en-ner');

function cliCase(name: string, args: string[], timeoutMs = 300_000): HostileCase {
  const run = runCli(args, { timeoutMs });
  const firstLine = run.stderr.split('\n').find((l) => l.trim()) ?? '';
  return {
    name,
    exit: run.status,
    seconds: run.seconds,
    peakRssMiB: run.peakRssMiB,
    note: firstLine.replace(/\/tmp\/spanlight-bench-hostile-[^/ ]+\//g, '').slice(0, 140),
  };
}

/** Tags `tokens` as one sentence in `tagger` and reports the tagging process's peak RSS. */
async function tagCase(
  name: string,
  child: TaggingProcess,
  tagger: Awaited<ReturnType<TaggingProcess['load']>>,
  tokens: readonly string[],
  alternatives: number,
): Promise<HostileCase> {
  const started = performance.now();
  const [tagged] = await tagger.tag([tokens], { alternatives });
  return {
    name: `${name}, tagging process (${tagger.backend})`,
    exit: tagged?.length === tokens.length ? 0 : 1,
    seconds: (performance.now() - started) / 1000,
    peakRssMiB: procStatusMiB(child.pid!, 'VmHWM'),
    note: `${tagged?.length.toLocaleString('en-US')} of ${tokens.length.toLocaleString('en-US')} tokens tagged`,
  };
}

const sentenceTokens = (chars: number) =>
  tokenizeSentences(oneSentenceDocument(chars))[0]!.tokens.map((t) => t.value);

/**
 * A 1 MB one-sentence document through the bundled tagging process, on each backend it uses;
 * then, in a process of its own on native TensorFlow, the 2.7 MB one that Accept Suggestions
 * crashed on, with the 3 alternatives the editor asks for.
 */
async function taggingProcessCases(): Promise<HostileCase[]> {
  const script = path.join(repoRoot, 'dist/tagging-process.js');
  const oneMegabyte = sentenceTokens(1_000_000);
  const child = new TaggingProcess({ script });
  const native = new Promise<boolean>((resolve) =>
    child.onEvent((e) => e.event === 'native' && resolve(e.ok)),
  );
  const cases: HostileCase[] = [];
  const name = '1 MB one-sentence document';
  try {
    cases.push(await tagCase(name, child, await child.load(model), oneMegabyte, 0));
    if (await native) cases.push(await tagCase(name, child, await child.load(model), oneMegabyte, 0));
  } finally {
    child.dispose();
  }
  const editorLike = new TaggingProcess({ script, env: { SPANLIGHT_BACKEND: 'tensorflow' } });
  try {
    cases.push(
      await tagCase(
        '2.7 MB one-sentence document, 3 alternatives',
        editorLike,
        await editorLike.load(model),
        sentenceTokens(2_700_000),
        3,
      ),
    );
  } finally {
    editorLike.dispose();
  }
  return cases;
}

/**
 * Peak memory per tagged token: UNER EWT dev (25,149 tokens) tagged whole, then 16 times over in
 * one call, in a fresh tagging process per backend; the peak's growth between the two, per token
 * added, is what a call costs per token (~0.75–1 KB when results were built as objects).
 */
async function taggingMemoryCases(): Promise<HostileCase[]> {
  const { readCorpus } = await import('../src/core/corpus');
  const { corpusPath } = await import('../test/unit/data');
  const dev = (await readCorpus(corpusPath('uner-en-ewt/en_ewt-ud-dev.iob2'))).sentences.map((s) => s.tokens);
  const tokens = (sentences: string[][]) => sentences.reduce((n, s) => n + s.length, 0);
  const large = Array.from({ length: 16 }, () => dev).flat();
  const cases: HostileCase[] = [];
  for (const backend of ['tensorflow', 'portable'] as const) {
    const child = new TaggingProcess({
      script: path.join(repoRoot, 'dist/tagging-process.js'),
      env: { SPANLIGHT_BACKEND: backend },
    });
    try {
      const tagger = await child.load(model);
      const peakMiB = () => procStatusMiB(child.pid!, 'VmHWM');
      await tagger.tag(dev, { alternatives: 3 });
      const small = peakMiB();
      const started = performance.now();
      const tagged = await tagger.tag(large, { alternatives: 3 });
      const perToken = ((peakMiB() - small) * 2 ** 20) / (tokens(large) - tokens(dev));
      cases.push({
        name: `EWT dev ×16 (${tokens(large).toLocaleString('en-US')} tokens), tagging process (${backend})`,
        exit: tagged.length === large.length ? 0 : 1,
        seconds: (performance.now() - started) / 1000,
        peakRssMiB: peakMiB(),
        note: `peak ${small.toFixed(0)} MiB after EWT dev ×1; +${perToken.toFixed(0)} bytes per token added`,
      });
    } finally {
      child.dispose();
    }
  }
  return cases;
}

export async function benchHostile(log: (message: string) => void = () => undefined): Promise<HostileCase[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-bench-hostile-'));
  const file = (name: string, content: string) => {
    fs.writeFileSync(path.join(dir, name), content);
    return path.join(dir, name);
  };
  const cases: HostileCase[] = [];
  try {
    log('hostile: 800,000 words on one line (tag)');
    const words = file('w.txt', `${'word '.repeat(800_000)}\n`);
    cases.push(cliCase('tag: 800,000 words on one line (4 MB)', ['tag', '--model', model, words]));
    log('hostile: 1 MB and 2.7 MB one-sentence documents in the tagging process');
    cases.push(...(await taggingProcessCases()));
    log('hostile: peak memory per tagged token (EWT dev ×1 and ×16)');
    cases.push(...(await taggingMemoryCases()));
    log('hostile: brat lines');
    for (const tokens of [10_000, 40_000, 1_000_000]) {
      const { ann } = writeBratLine(dir, `brat-${tokens}`, tokens);
      cases.push(cliCase(`stats: brat line of ${tokens.toLocaleString('en-US')} tokens`, ['stats', ann]));
    }
    const million = path.join(dir, 'brat-1000000.ann');
    cases.push(
      cliCase('convert: 1M-token brat line → brat', [
        'convert',
        '--to',
        'brat',
        million,
        path.join(dir, 'copy.ann'),
      ]),
      cliCase('convert: 1M-token brat line → JSONL', [
        'convert',
        '--to',
        'jsonl',
        million,
        path.join(dir, 'million.jsonl'),
      ]),
      cliCase('convert: that JSONL → brat', [
        'convert',
        '--to',
        'brat',
        path.join(dir, 'million.jsonl'),
        path.join(dir, 'back.ann'),
      ]),
    );
    const same =
      fs.readFileSync(million, 'utf8') === fs.readFileSync(path.join(dir, 'back.ann'), 'utf8') &&
      fs.readFileSync(path.join(dir, 'brat-1000000.txt'), 'utf8') ===
        fs.readFileSync(path.join(dir, 'back.txt'), 'utf8');
    cases.at(-1)!.note = same ? 'round trip unchanged' : 'ROUND TRIP CHANGED THE DOCUMENT';
    log('hostile: 50 MB lines');
    const text = endlessText(50 * 2 ** 20);
    const json = file('big.jsonl', `${JSON.stringify({ text, spans: [[0, 2, 'LOC']] })}\n`);
    file('big.txt', `${text}\n`);
    const ann = file('big.ann', 'T1\tLOC 0 2\tw0\n');
    cases.push(
      cliCase('convert: 50 MB JSON line → JSONL', [
        'convert',
        '--to',
        'jsonl',
        json,
        path.join(dir, 'o1.jsonl'),
      ]),
      cliCase('convert: 50 MB brat line → JSONL', [
        'convert',
        '--to',
        'jsonl',
        ann,
        path.join(dir, 'o2.jsonl'),
      ]),
    );
    log('hostile: deep JSON');
    const deep = file('deep.jsonl', deepJsonLine(5_000));
    cases.push(cliCase('stats: JSON nested 5,000 deep', ['stats', deep]));
    log('hostile: model folders');
    for (const [name, { folder }] of Object.entries(makeHostileModels(model, path.join(dir, 'models')))) {
      cases.push(
        cliCase(`tag with model folder ${name}`, ['tag', '--model', folder, '--text', 'Paris'], 60_000),
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return cases;
}

export function hostileTable(cases: readonly HostileCase[]): string {
  const width = Math.max(...cases.map((c) => c.name.length));
  return [
    'hostile input (issue 12; exit, seconds, peak RSS):',
    ...cases.map(
      (c) =>
        `  ${c.name.padEnd(width)}  exit ${String(c.exit).padStart(3)}  ${c.seconds.toFixed(1).padStart(6)} s  ${c.peakRssMiB.toFixed(0).padStart(5)} MiB  ${c.note}`,
    ),
  ].join('\n');
}

if (require.main === module) {
  benchHostile((m) => process.stderr.write(`[bench] ${m}\n`)).then(
    (cases) => console.log(hostileTable(cases)),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
