import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic';
import { isInside } from '../workspace-paths';
import {
  decodeModel,
  MODEL_FILE,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type ModelCard,
  type ModelFile,
  ModelFileError,
  type ModelFileReader,
  type NamedWeight,
  readModelJson,
  toFloat16Bits,
  type WeightSpec,
  type WeightStorage,
} from './format';

export * from './format';

function encodeWeight(weight: NamedWeight, storage: WeightStorage): Buffer {
  if (storage === 'float32') {
    return Buffer.from(weight.data.buffer, weight.data.byteOffset, weight.data.byteLength);
  }
  const out = Buffer.alloc(weight.data.length * 2);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < weight.data.length; i++) view.setUint16(i * 2, toFloat16Bits(weight.data[i]!), true);
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

/** Model files read from disk with readModelPart's checks. */
function diskReader(folder: string): ModelFileReader {
  return {
    read: (name, options) => readModelPart(folder, name, options),
    sha256: async (bytes) => crypto.createHash('sha256').update(bytes).digest('hex'),
  };
}

/** A folder's model card, read with the same checks as a full load but without the weights. */
export async function readModelCard(folder: string): Promise<Partial<ModelCard>> {
  return readModelJson(folder, diskReader(folder));
}

/** Reads and validates a model folder; every problem is a ModelFileError with a clear message. */
export async function loadModelFiles(folder: string): Promise<{ card: ModelCard; weights: NamedWeight[] }> {
  return decodeModel(folder, diskReader(folder));
}
