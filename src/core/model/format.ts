/**
 * The model folder format (`model.json` + one weights file), read from bytes: everything about a
 * model's files except how the bytes are fetched, so the same checks serve the Node loader
 * (io.ts, which reads with its own safety checks) and VS Code for the Web (workspace.fs). No
 * Node module is imported here.
 */
import type { Vocabularies } from '../encode/vocab';
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

export interface ModelFile extends ModelCard {
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

const float32Scratch = new Float32Array(1);
const float32Bits = new Uint32Array(float32Scratch.buffer);

export function toFloat16Bits(value: number): number {
  // One shared scratch float, not two arrays per call: a model has millions of embedding values.
  float32Scratch[0] = value;
  const bits = float32Bits[0]!;
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

/** Every float16 bit pattern's value, built on first use: decoding is then one lookup per value. */
let float16Values: Float32Array | undefined;

/** Little-endian float32 or float16 values from `bytes`. */
export function decodeWeight(bytes: Uint8Array, storage: WeightStorage, count: number): Float32Array {
  const out = new Float32Array(count);
  if (storage === 'float32') {
    new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
    return out;
  }
  if (!float16Values) {
    float16Values = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) float16Values[h] = fromFloat16Bits(h);
  }
  for (let i = 0; i < count; i++) out[i] = float16Values[bytes[2 * i]! | (bytes[2 * i + 1]! << 8)]!;
  return out;
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
  /**
   * Values in model.json (array elements and object members): a model at every other limit has
   * about 1.1 million (its vocabularies; the weights table, metrics and history add thousands).
   */
  modelJsonValues: 4_000_000,
} as const;

/** What a JSON text holds, found without parsing it: parsing a 120 MB array of zeros takes 1.7 GB and seconds. */
interface JsonOutline {
  /** Values (array elements and object members): its commas and opening brackets outside strings. */
  values: number;
  /** Elements of each array that is a member of a top-level object's member, by path ("vocabularies.words"). */
  arrayLengths: Map<string, number>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * The outline of a JSON text, in one pass over its bytes. Only member names two levels deep are
 * decoded (a model.json has a few dozen), so a 3,000,000-word vocabulary is counted in a tenth
 * of a second where parsing it took 1.7–5.5 s.
 */
function outlineJson(bytes: Uint8Array): JsonOutline {
  let values = 0;
  const arrayLengths = new Map<string, number>();
  // The open containers: array or object, the member name each sits under (top two levels),
  // and an array's elements so far (commas, plus one once it holds anything).
  const isArray: boolean[] = [];
  const names: Array<string | undefined> = [];
  const elements: number[] = [];
  let name: string | undefined;
  let inString = false;
  let stringStart = 0;
  let stringEnd = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) {
        inString = false;
        stringEnd = i;
      }
      continue;
    }
    if (byte <= 0x20) continue;
    const depth = isArray.length;
    if (depth > 0 && isArray[depth - 1] && elements[depth - 1] === 0 && byte !== 0x5d)
      elements[depth - 1] = 1;
    if (byte === QUOTE) {
      inString = true;
      stringStart = i + 1;
    } else if (byte === COLON) {
      // The string just closed was a member name: kept where a path can use it.
      name = depth <= 2 ? new TextDecoder().decode(bytes.subarray(stringStart, stringEnd)) : undefined;
    } else if (byte === 0x5b || byte === 0x7b) {
      values++;
      names.push(isArray[depth - 1] === false ? name : undefined);
      isArray.push(byte === 0x5b);
      elements.push(0);
      name = undefined;
    } else if (byte === 0x5d || byte === 0x7d) {
      if (byte === 0x5d && depth === 3 && names[1] !== undefined && names[2] !== undefined) {
        arrayLengths.set(`${names[1]}.${names[2]}`, elements[depth - 1]!);
      }
      isArray.pop();
      names.pop();
      elements.pop();
    } else if (byte === COMMA) {
      values++;
      if (isArray[depth - 1]) elements[depth - 1]!++;
    }
  }
  return { values, arrayLengths };
}

const count = (n: number) => n.toLocaleString('en-US');

/** Only the position of a JSON syntax error: V8's message quotes the text, which may be anyone's file. */
function jsonErrorPosition(err: unknown): string {
  const at = /position (\d+)/.exec((err as Error).message);
  return at ? ` at byte ${at[1]}` : '';
}

/** Parses a folder's model.json and checks that it is one (nothing else). */
export function parseModelJson(folder: string, text: string): Partial<ModelFile> {
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

/** The first vocabulary size beyond MODEL_LIMITS, as a message. */
function vocabularyProblem(sizes: { words: number; chars: number; labels: number }): string | undefined {
  const checks: Array<[number, number, string]> = [
    [sizes.words, MODEL_LIMITS.words, 'words'],
    [sizes.chars, MODEL_LIMITS.chars, 'characters'],
    [sizes.labels, MODEL_LIMITS.labels, 'labels'],
  ];
  for (const [size, limit, what] of checks) {
    if (size > limit)
      return `${MODEL_FILE} declares ${count(size)} ${what}; a model may have at most ${count(limit)}`;
  }
  return undefined;
}

/** The first size of the card beyond MODEL_LIMITS, as a message. */
function limitProblem(config: ModelConfig, vocab: Vocabularies): string | undefined {
  const tooMany = vocabularyProblem({
    words: vocab.words.length,
    chars: vocab.chars.length,
    labels: vocab.labels.length,
  });
  if (tooMany) return tooMany;
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

/** How a platform gets at a model folder's files; the checks of the format are the same for all. */
export interface ModelFileReader {
  /** The bytes of the file `name`: at most `limit` of them, or exactly `expectedBytes`; `missing` says what its absence means. */
  read(
    name: string,
    options: { limit: number; expectedBytes?: number; missing: string },
  ): Promise<Uint8Array>;
  /** The hex SHA-256 of `bytes`. */
  sha256(bytes: Uint8Array): Promise<string>;
}

/** The last part of a folder's path or URI, for a card without a name. */
function baseName(folder: string): string {
  return (
    folder
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? folder
  );
}

/** Reads, parses and checks the format of a folder's model.json (nothing else). */
export async function readModelJson(folder: string, reader: ModelFileReader): Promise<Partial<ModelFile>> {
  const bytes = await reader.read(MODEL_FILE, {
    limit: MODEL_LIMITS.modelJsonBytes,
    missing: `no ${MODEL_FILE} here: not a Spanlight model folder`,
  });
  const { values, arrayLengths } = outlineJson(bytes);
  if (values > MODEL_LIMITS.modelJsonValues) {
    throw new ModelFileError(
      folder,
      `${MODEL_FILE} holds ${count(values)} values; a model's ${MODEL_FILE} has at most ${count(MODEL_LIMITS.modelJsonValues)}`,
    );
  }
  // Vocabularies too big are refused before the parse, which is most of a refusal's time.
  const tooMany = vocabularyProblem({
    words: arrayLengths.get('vocabularies.words') ?? 0,
    chars: arrayLengths.get('vocabularies.chars') ?? 0,
    labels: arrayLengths.get('vocabularies.labels') ?? 0,
  });
  if (tooMany) throw new ModelFileError(folder, tooMany);
  return parseModelJson(folder, new TextDecoder().decode(bytes));
}

/** Reads and validates a model folder; every problem is a ModelFileError with a clear message. */
export async function decodeModel(
  folder: string,
  reader: ModelFileReader,
): Promise<{ card: ModelCard; weights: NamedWeight[] }> {
  const file = await readModelJson(folder, reader);
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
  const data = await reader.read(file.weightsFile, {
    limit: MODEL_LIMITS.weightsFileBytes,
    expectedBytes: table.bytes,
    missing: `the weights file ${file.weightsFile} is missing`,
  });
  const sha256 = await reader.sha256(data);
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
    name: typeof file.name === 'string' ? file.name : baseName(folder),
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
