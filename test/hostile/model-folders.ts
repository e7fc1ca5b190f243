/**
 * Corrupt and hostile model folders (issue 12, item 5), each made from a copy of a real model:
 * links to devices, FIFOs, absurd sizes, non-finite weights, a model.json that is someone else's
 * file. `npx tsx test/hostile/model-folders.ts DIR` writes them for manual runs.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

interface WeightEntry {
  name: string;
  shape: number[];
  storage: 'float32' | 'float16';
  offset: number;
  bytes: number;
}
interface ModelJson {
  config: Record<string, unknown>;
  vocabularies: { words: string[]; chars: string[]; labels: string[] };
  weightsFile: string;
  weightsSha256: string;
  weights: WeightEntry[];
  [key: string]: unknown;
}

export interface HostileModel {
  folder: string;
  /** What the loader must say (part of its one-line message). */
  expect: RegExp;
  /**
   * The most the refusing process may take, MiB: the folder is refused before TensorFlow loads
   * (which alone takes ~310 MiB) or anything large is allocated, except the JSON parse of a
   * model.json that is large itself.
   */
  peakMiB: number;
}

function copyModel(source: string, target: string): ModelJson {
  fs.cpSync(source, target, { recursive: true });
  return JSON.parse(fs.readFileSync(path.join(target, 'model.json'), 'utf8')) as ModelJson;
}

const writeJson = (folder: string, json: ModelJson) =>
  fs.writeFileSync(path.join(folder, 'model.json'), `${JSON.stringify(json)}\n`);

const mkfifo = (file: string) => execFileSync('mkfifo', [file]);

/** Writes `value` into every element of the first float32 weight and fixes the checksum. */
function poisonWeights(folder: string, json: ModelJson, value: number): ModelJson {
  const weightsPath = path.join(folder, json.weightsFile);
  const data = fs.readFileSync(weightsPath);
  const target = json.weights.find((w) => w.storage === 'float32' && w.bytes > 0)!;
  for (let at = target.offset; at < target.offset + target.bytes; at += 4) data.writeFloatLE(value, at);
  fs.writeFileSync(weightsPath, data);
  return { ...json, weightsSha256: crypto.createHash('sha256').update(data).digest('hex') };
}

/** Every hostile variant of the model in `source`, as folders under `dir`. */
export function makeHostileModels(source: string, dir: string): Record<string, HostileModel> {
  const models: Record<string, HostileModel> = {};
  const make = (
    name: string,
    expect: RegExp,
    damage: (folder: string, json: ModelJson) => void,
    peakMiB = 256,
  ) => {
    const folder = path.join(dir, name);
    damage(folder, copyModel(source, folder));
    models[name] = { folder, expect, peakMiB };
  };
  const linkWeights = (device: string) => (folder: string, json: ModelJson) => {
    fs.rmSync(path.join(folder, json.weightsFile));
    fs.symlinkSync(device, path.join(folder, json.weightsFile));
  };
  make('weights-dev-zero', /weights-[0-9a-f]+\.bin .*outside the model folder/, linkWeights('/dev/zero'));
  make(
    'weights-dev-urandom',
    /weights-[0-9a-f]+\.bin .*outside the model folder/,
    linkWeights('/dev/urandom'),
  );
  make('model-json-fifo', /model\.json is not a regular file/, (folder) => {
    fs.rmSync(path.join(folder, 'model.json'));
    mkfifo(path.join(folder, 'model.json'));
  });
  make('weights-fifo', /weights-[0-9a-f]+\.bin is not a regular file/, (folder, json) => {
    fs.rmSync(path.join(folder, json.weightsFile));
    mkfifo(path.join(folder, json.weightsFile));
  });
  make('model-json-passwd', /model\.json .*outside the model folder/, (folder) => {
    fs.rmSync(path.join(folder, 'model.json'));
    fs.symlinkSync('/etc/passwd', path.join(folder, 'model.json'));
  });
  make('crf-30001-labels', /30,?001 labels.*at most/, (folder, json) => {
    const labels = ['O', ...Array.from({ length: 30_000 }, (_, i) => `B-L${i}`)];
    writeJson(folder, { ...json, vocabularies: { ...json.vocabularies, labels } });
  });
  make(
    'vocabulary-3m-wordDim-1024',
    /3,?000,?000 words.*at most/,
    (folder, json) => {
      const words = Array.from({ length: 3_000_000 }, (_, i) => `w${i}`);
      writeJson(folder, {
        ...json,
        config: { ...json.config, wordDim: 1024 },
        vocabularies: { ...json.vocabularies, words },
      });
    },
    // A 32 MB model.json (under the 128 MiB cap): its vocabulary is counted before the parse,
    // which took 1.7–5.5 s and a 410 MiB peak to refuse it.
  );
  make(
    'model-json-20m-values',
    /model\.json holds 20,0\d\d,\d{3} values; .*at most 4,000,000/,
    (folder, json) => {
      // A 40 MB model.json (under the 128 MiB cap) whose parse alone would take ~600 MiB.
      const padded = `${JSON.stringify(json).slice(0, -1)},"padding":[${'0,'.repeat(19_999_999)}0]}`;
      fs.writeFileSync(path.join(folder, 'model.json'), padded);
    },
  );
  make('weights-nan', /NaN or infinite/, (folder, json) =>
    writeJson(folder, poisonWeights(folder, json, Number.NaN)),
  );
  make('weights-infinity', /NaN or infinite/, (folder, json) =>
    writeJson(folder, poisonWeights(folder, json, Number.POSITIVE_INFINITY)),
  );
  make(
    'weights-longer-than-declared',
    /truncated or corrupt: [\d,]+ bytes, model\.json declares [\d,]+/,
    (folder, json) => {
      fs.appendFileSync(path.join(folder, json.weightsFile), Buffer.alloc(1 << 20));
    },
  );
  make('model-json-not-json', /model\.json is corrupt \(invalid JSON/, (folder) => {
    fs.writeFileSync(path.join(folder, 'model.json'), 'root:x:0:0:root:/root:/bin/bash\n');
  });
  return models;
}

if (require.main === module) {
  const [source, dir] = process.argv.slice(2);
  if (!source || !dir) {
    console.error('usage: tsx test/hostile/model-folders.ts MODEL_DIR OUT_DIR');
    process.exit(2);
  }
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, { folder }] of Object.entries(makeHostileModels(source, dir)))
    console.log(`${name}\t${folder}`);
}
