import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic';
import type { Vocabularies } from '../encode/vocab';
import { isInside } from '../workspace-paths';
import { ConfigError, type ModelConfig, resolveModelConfig } from './config';

export const MODEL_FORMAT = 'spanlight-tagger';
export const MODEL_FORMAT_VERSION = 1;
export const MODEL_FILE = 'model.json';

/** A weight as stored: float16 halves the size of embeddings at no measurable accuracy cost. */
export type WeightStorage = 'float32' | 'float16';

export interface WeightSpec {
  name: string;
  shape: number[];
  storage: WeightStorage;
  /** Byte offset and length in the weights file. */
  offset: number;
  bytes: number;
}

export interface NamedWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** What `model.json` holds besides the weights table. */
export interface ModelCard {
  name: string;
  description?: string;
  language?: string;
  /** Licence of the model (follows its training data's). */
  license?: string;
  /** Known limits, for the MODEL.md card. */
  limits?: string[];
  config: ModelConfig;
  vocabularies: Vocabularies;
  /** Counts of the data the model was trained on. */
  trainingData?: {
    files: string[];
    sentences: number;
    tokens: number;
    labelCounts?: Record<string, number>;
    repairs?: number;
  };
  metrics?: Record<string, unknown>;
  training?: Record<string, unknown>;
  createdAt: string;
}

interface ModelFile extends ModelCard {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  weightsFile: string;
  weightsSha256: string;
  weights: WeightSpec[];
}

export class ModelFileError extends Error {
  constructor(
    readonly modelPath: string,
    problem: string,
  ) {
    super(`${modelPath}: ${problem}`);
    this.name = 'ModelFileError';
  }
}

function toFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (((bits >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  if (exponent >= 0x1f) return sign | 0x7c00;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    const m = (mantissa | 0x800000) >> (1 - exponent);
    return sign | ((m + 0x1000) >> 13);
  }
  // Round to nearest: a carry into the exponent is still the correctly rounded value.
  return (sign | (exponent << 10) | (mantissa >> 13)) + ((mantissa >> 12) & 1);
}

function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

function encodeWeight(weight: NamedWeight, storage: WeightStorage): Buffer {
  if (storage === 'float32') {
    return Buffer.from(weight.data.buffer, weight.data.byteOffset, weight.data.byteLength);
  }
  const out = Buffer.alloc(weight.data.length * 2);
  for (let i = 0; i < weight.data.length; i++) out.writeUInt16LE(toFloat16Bits(weight.data[i]!), i * 2);
  return out;
}

function decodeWeight(bytes: Buffer, storage: WeightStorage, count: number): Float32Array {
  if (storage === 'float32') {
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = fromFloat16Bits(bytes.readUInt16LE(i * 2));
  return out;
}

export interface SaveOptions {
  /** Which weights to store as float16 (by name); the rest are float32. */
  float16?: (name: string) => boolean;
}

/**
 * Saves a model folder. The weights go to a new content-named file first, then `model.json` is
 * replaced atomically, then stale weights files are removed: a crash leaves the previous model
 * loadable.
 */
export async function saveModel(
  folder: string,
  card: ModelCard,
  weights: NamedWeight[],
  options: SaveOptions = {},
): Promise<void> {
  const specs: WeightSpec[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const weight of weights) {
    const storage: WeightStorage = options.float16?.(weight.name) ? 'float16' : 'float32';
    const bytes = encodeWeight(weight, storage);
    specs.push({ name: weight.name, shape: weight.shape, storage, offset, bytes: bytes.length });
    chunks.push(bytes);
    offset += bytes.length;
  }
  const data = Buffer.concat(chunks);
  const sha256 = crypto.createHash('sha256').update(data).digest('hex');
  const weightsFile = `weights-${sha256.slice(0, 12)}.bin`;
  await writeFileAtomic(path.join(folder, weightsFile), data);
  const file: ModelFile = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    ...card,
    weightsFile,
    weightsSha256: sha256,
    weights: specs,
  };
  await writeFileAtomic(path.join(folder, MODEL_FILE), `${JSON.stringify(file, null, 1)}\n`);
  for (const entry of await fs.promises.readdir(folder)) {
    if (/^weights-[0-9a-f]{12}\.bin$/.test(entry) && entry !== weightsFile) {
      await fs.promises.rm(path.join(folder, entry), { force: true });
    }
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * What a model folder may hold (README, "Model format"). Checked before anything is read or
 * allocated, so a corrupt or hostile folder is refused in a moment instead of eating memory.
 */
export const MODEL_LIMITS = {
  modelJsonBytes: 128 * 1024 * 1024,
  weightsFileBytes: 1024 * 1024 * 1024,
  words: 1_000_000,
  chars: 65_536,
  labels: 1_000,
  /** Vocabulary size × word embedding size. */
  wordEmbeddingValues: 100_000_000,
} as const;

const count = (n: number) => n.toLocaleString('en-US');

/** Platform flags that make an open neither wait on a FIFO nor follow a last-moment link. */
const SAFE_OPEN_FLAGS =
  fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOFOLLOW ?? 0);

/**
 * Reads one file of a model folder, which must be a regular file whose real path is inside the
 * folder (a link to `/dev/zero` or `/etc/passwd` is refused), at most `limit` bytes or exactly
 * `expectedBytes`. Messages name the file, never its content.
 */
async function readModelPart(
  folder: string,
  name: string,
  { limit, expectedBytes, missing }: { limit: number; expectedBytes?: number; missing: string },
): Promise<Buffer> {
  const fail = (problem: string): never => {
    throw new ModelFileError(folder, problem);
  };
  const code = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);
  let realFolder = '';
  let real = '';
  try {
    realFolder = await fs.promises.realpath(folder);
    real = await fs.promises.realpath(path.join(folder, name));
  } catch (err) {
    fail(code(err) === 'ENOENT' ? missing : `cannot open ${name} (${code(err)})`);
  }
  if (!isInside(realFolder, real)) fail(`${name} is a link to a file outside the model folder; refused`);
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(real, SAFE_OPEN_FLAGS);
  } catch (err) {
    fail(`cannot open ${name} (${code(err)})`);
  }
  try {
    const stat = await handle!.stat();
    if (!stat.isFile()) fail(`${name} is not a regular file (a FIFO, device or folder); refused`);
    if (expectedBytes !== undefined && stat.size !== expectedBytes) {
      fail(
        `${name} is truncated or corrupt: ${count(stat.size)} bytes, ${MODEL_FILE} declares ${count(expectedBytes)}`,
      );
    }
    if (stat.size > limit)
      fail(`${name} is ${count(stat.size)} bytes, more than a model may have (${count(limit)})`);
    const data = Buffer.alloc(stat.size);
    for (let filled = 0; filled < data.length; ) {
      const { bytesRead } = await handle!.read(data, filled, data.length - filled, filled);
      if (bytesRead === 0) fail(`${name} shrank while it was read`);
      filled += bytesRead;
    }
    return data;
  } finally {
    await handle!.close();
  }
}

/** Only the position of a JSON syntax error: V8's message quotes the text, which may be anyone's file. */
function jsonErrorPosition(err: unknown): string {
  const at = /position (\d+)/.exec((err as Error).message);
  return at ? ` at byte ${at[1]}` : '';
}

/** Reads, parses and checks the format of a folder's model.json (nothing else). */
async function readModelJson(folder: string): Promise<Partial<ModelFile>> {
  const text = (
    await readModelPart(folder, MODEL_FILE, {
      limit: MODEL_LIMITS.modelJsonBytes,
      missing: `no ${MODEL_FILE} here: not a Spanlight model folder`,
    })
  ).toString('utf8');
  let file: Partial<ModelFile>;
  try {
    file = JSON.parse(text) as Partial<ModelFile>;
  } catch (err) {
    throw new ModelFileError(folder, `${MODEL_FILE} is corrupt (invalid JSON${jsonErrorPosition(err)})`);
  }
  if (typeof file !== 'object' || file === null || file.format !== MODEL_FORMAT) {
    throw new ModelFileError(folder, `${MODEL_FILE} is not a Spanlight tagger model`);
  }
  return file;
}

/** A folder's model card, read with the same checks as a full load but without the weights. */
export async function readModelCard(folder: string): Promise<Partial<ModelCard>> {
  return readModelJson(folder);
}

/** The first size of the card beyond MODEL_LIMITS, as a message. */
function limitProblem(config: ModelConfig, vocab: Vocabularies): string | undefined {
  const sizes: Array<[number, number, string]> = [
    [vocab.words.length, MODEL_LIMITS.words, 'words'],
    [vocab.chars.length, MODEL_LIMITS.chars, 'characters'],
    [vocab.labels.length, MODEL_LIMITS.labels, 'labels'],
  ];
  for (const [size, limit, what] of sizes) {
    if (size > limit)
      return `${MODEL_FILE} declares ${count(size)} ${what}; a model may have at most ${count(limit)}`;
  }
  const embedding = vocab.words.length * config.wordDim;
  if (embedding > MODEL_LIMITS.wordEmbeddingValues) {
    return `${MODEL_FILE} declares a word embedding of ${count(vocab.words.length)} words × ${config.wordDim} (${count(embedding)} values); a model may have at most ${count(MODEL_LIMITS.wordEmbeddingValues)}`;
  }
  return undefined;
}

/**
 * The weights table, checked: every entry well formed and the entries laid end to end from
 * byte 0, as saveModel writes them. Returns the bytes the weights file must have.
 */
function checkWeightsTable(folder: string, specs: unknown): { specs: WeightSpec[]; bytes: number } {
  if (!Array.isArray(specs)) throw new ModelFileError(folder, `${MODEL_FILE} has no weights table`);
  let bytes = 0;
  for (const spec of specs as Array<Partial<WeightSpec> | null>) {
    const shapeOk =
      Array.isArray(spec?.shape) && spec.shape.every((d) => Number.isInteger(d) && d >= 0 && d <= 1 << 30);
    const values = shapeOk ? spec!.shape!.reduce((a, b) => a * b, 1) : Number.NaN;
    const width = spec?.storage === 'float16' ? 2 : spec?.storage === 'float32' ? 4 : Number.NaN;
    if (
      typeof spec?.name !== 'string' ||
      !Number.isSafeInteger(values) ||
      spec.bytes !== values * width ||
      spec.offset !== bytes
    ) {
      throw new ModelFileError(
        folder,
        `weight ${JSON.stringify(spec?.name)} has an invalid entry in ${MODEL_FILE}`,
      );
    }
    bytes += spec.bytes;
    if (bytes > MODEL_LIMITS.weightsFileBytes) {
      throw new ModelFileError(
        folder,
        `${MODEL_FILE} declares more than ${count(MODEL_LIMITS.weightsFileBytes)} bytes of weights, more than a model may have`,
      );
    }
  }
  return { specs: specs as WeightSpec[], bytes };
}

/** Reads and validates a model folder; every problem is a ModelFileError with a clear message. */
export async function loadModelFiles(folder: string): Promise<{ card: ModelCard; weights: NamedWeight[] }> {
  const file = await readModelJson(folder);
  if (typeof file.formatVersion !== 'number' || file.formatVersion > MODEL_FORMAT_VERSION) {
    throw new ModelFileError(
      folder,
      `the model has format version ${String(file.formatVersion)}, newer than this Spanlight supports (${MODEL_FORMAT_VERSION}); update Spanlight`,
    );
  }
  let config: ModelConfig;
  try {
    config = resolveModelConfig(file.config);
  } catch (err) {
    throw new ModelFileError(folder, err instanceof ConfigError ? err.message : String(err));
  }
  const vocab = file.vocabularies;
  if (
    !vocab ||
    !isStringArray(vocab.words) ||
    !isStringArray(vocab.chars) ||
    !isStringArray(vocab.labels) ||
    vocab.words.length < 2 ||
    vocab.chars.length < 2 ||
    vocab.labels.length < 1
  ) {
    throw new ModelFileError(folder, `${MODEL_FILE} has missing or malformed vocabularies`);
  }
  const tooBig = limitProblem(config, vocab);
  if (tooBig) throw new ModelFileError(folder, tooBig);
  if (typeof file.weightsFile !== 'string' || !/^weights-[0-9a-f]{12}\.bin$/.test(file.weightsFile)) {
    throw new ModelFileError(folder, `${MODEL_FILE} names no valid weights file`);
  }
  const table = checkWeightsTable(folder, file.weights);
  const data = await readModelPart(folder, file.weightsFile, {
    limit: MODEL_LIMITS.weightsFileBytes,
    expectedBytes: table.bytes,
    missing: `the weights file ${file.weightsFile} is missing`,
  });
  const sha256 = crypto.createHash('sha256').update(data).digest('hex');
  if (sha256 !== file.weightsSha256) {
    throw new ModelFileError(
      folder,
      `the weights file ${file.weightsFile} is truncated or corrupt (checksum mismatch, ${data.length} bytes)`,
    );
  }
  const weights: NamedWeight[] = table.specs.map((spec) => {
    const values = decodeWeight(
      data.subarray(spec.offset, spec.offset + spec.bytes),
      spec.storage,
      spec.bytes / (spec.storage === 'float16' ? 2 : 4),
    );
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!)) {
        throw new ModelFileError(
          folder,
          `weight ${JSON.stringify(spec.name)} holds NaN or infinite values: the model is broken (did its training diverge?)`,
        );
      }
    }
    return { name: spec.name, shape: spec.shape, data: values };
  });
  const card: ModelCard = {
    name: typeof file.name === 'string' ? file.name : path.basename(folder),
    config,
    vocabularies: { words: vocab.words, chars: vocab.chars, labels: vocab.labels },
    createdAt: typeof file.createdAt === 'string' ? file.createdAt : '',
    ...(file.description ? { description: file.description } : {}),
    ...(file.language ? { language: file.language } : {}),
    ...(file.license ? { license: file.license } : {}),
    ...(Array.isArray(file.limits) ? { limits: file.limits.filter((l) => typeof l === 'string') } : {}),
    ...(file.trainingData ? { trainingData: file.trainingData } : {}),
    ...(file.metrics ? { metrics: file.metrics } : {}),
    ...(file.training ? { training: file.training } : {}),
  };
  return { card, weights };
}
