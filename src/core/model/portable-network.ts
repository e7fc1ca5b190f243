/**
 * The tagger network's inference pass in plain typed arrays: the same model files and the same
 * arithmetic as the native path (IFCO LSTM gates, no forget bias, no peepholes), no TensorFlow.
 * It runs wherever JavaScript runs: Node without the native binding (macOS, Windows, older Linux)
 * and VS Code for the Web.
 *
 * What makes it fast:
 * - the matrix products run as WebAssembly SIMD (matmul.ts, gemm.wat) where it exists;
 * - the matrix products are register-blocked dot products over transposed weights (4 rows × 2
 *   columns per inner loop: ~2.2 G multiply-adds/s in V8, twice a naive loop);
 * - a char's input projection is a table lookup (one row per char of the vocabulary, computed at
 *   load), so the char BiLSTM does only its recurrent product, once per node of the words'
 *   prefix and suffix tries (char-trie.ts);
 * - the first word layer's input projection is computed once per distinct token of a call;
 * - the recurrent steps of a batch's sentences run together, longest first, so every step is one
 *   blocked product over the sentences still running.
 */
import { buildCharTrie } from '../encode/char-trie';
import { CASING_CLASSES, type Vocabularies } from '../encode/vocab';
import type { ModelConfig } from './config';
import type { CrfScores } from './crf-decode';
import type { NamedWeight } from './format';
import { createMatmul, type Matmul } from './matmul';

/** `[rows, columns]` row-major → `[columns, rows]` row-major. */
function transpose(values: Float32Array, rows: number, columns: number, rowOffset = 0): Float32Array {
  const out = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) out[c * rows + r] = values[(rowOffset + r) * columns + c]!;
  }
  return out;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * One direction of a recurrent layer, as the layers above use it: each row's input projection
 * (`gates` values, bias included) is computed for many rows at once, then each step turns a
 * block of rows' projections and states into their next states.
 */
export interface RecurrentDirection {
  readonly input: number;
  readonly hidden: number;
  /** Values of a row's input projection. */
  readonly gates: number;
  /** `out[r] = x[r] · inputKernel + bias` for `rows` rows of `x` (`[rows, input]`). */
  project(x: Float32Array, rows: number, out: Float32Array): void;
  /**
   * One step of the first `rows` rows: `gates` holds each row's input projection (and is used
   * as scratch); `cell` (LSTM only) and `hidden` (`[rows, h]`) are read and updated in place.
   * `fresh` says the state is still zero (the first step), so the recurrent products are skipped.
   */
  step(gates: Float32Array, cell: Float32Array, hidden: Float32Array, rows: number, fresh: boolean): void;
}

/**
 * One direction of an LSTM layer: the kernel `[input + hidden, 4 · hidden]` (input rows, then
 * recurrent rows) split and transposed for the matrix product, IFCO gates as the fused kernel
 * computes them.
 */
export class LstmDirection implements RecurrentDirection {
  readonly hidden: number;
  /** `[4h, input]`: the input part of the kernel, transposed. */
  readonly inputKernel: Float32Array;
  /** `[4h, h]`: the recurrent part, transposed. */
  readonly recurrentKernel: Float32Array;

  constructor(
    kernel: Float32Array,
    readonly bias: Float32Array,
    readonly input: number,
    private readonly matmul: Matmul,
  ) {
    this.hidden = bias.length / 4;
    const gates = 4 * this.hidden;
    if (kernel.length !== (input + this.hidden) * gates) {
      throw new Error(
        `LSTM kernel of ${kernel.length} values does not fit [${input} + ${this.hidden}, ${gates}]`,
      );
    }
    this.inputKernel = transpose(kernel, input, gates);
    this.recurrentKernel = transpose(kernel, this.hidden, gates, input);
  }

  get gates(): number {
    return 4 * this.hidden;
  }

  project(x: Float32Array, rows: number, out: Float32Array): void {
    this.matmul(x, 0, rows, this.input, this.inputKernel, this.gates, out, 0, this.bias, false);
  }

  step(gates: Float32Array, cell: Float32Array, hidden: Float32Array, rows: number, fresh: boolean): void {
    const h = this.hidden;
    if (!fresh) this.matmul(hidden, 0, rows, h, this.recurrentKernel, 4 * h, gates, 0, undefined, true);
    for (let r = 0; r < rows; r++) {
      const g = r * 4 * h;
      const s = r * h;
      for (let k = 0; k < h; k++) {
        const c =
          sigmoid(gates[g + h + k]!) * cell[s + k]! +
          sigmoid(gates[g + k]!) * Math.tanh(gates[g + 2 * h + k]!);
        cell[s + k] = c;
        hidden[s + k] = sigmoid(gates[g + 3 * h + k]!) * Math.tanh(c);
      }
    }
  }
}

/**
 * One direction of a GRU layer (TensorFlow's `GRUBlockCell`, Keras's `reset_after=False`): the
 * gate kernel `[input + h, 2h]` (reset, then update columns) and the candidate kernel
 * `[input + h, h]`, split and transposed. A row's input projection holds the gates' input parts
 * (2h) then the candidate's (h), biases included; a step adds `h · U_gates`, then
 * `(r ∘ h) · U_candidate`, and sets `h = u ∘ h + (1 − u) ∘ tanh(candidate)`.
 */
export class GruDirection implements RecurrentDirection {
  readonly hidden: number;
  private readonly inputKernel: Float32Array;
  private readonly bias: Float32Array;
  private readonly gateRecurrent: Float32Array;
  private readonly candidateRecurrent: Float32Array;
  private resetHidden = new Float32Array(0);

  constructor(
    weights: {
      gateKernel: Float32Array;
      gateBias: Float32Array;
      candidateKernel: Float32Array;
      candidateBias: Float32Array;
    },
    readonly input: number,
    private readonly matmul: Matmul,
  ) {
    const h = weights.candidateBias.length;
    this.hidden = h;
    if (
      weights.gateKernel.length !== (input + h) * 2 * h ||
      weights.candidateKernel.length !== (input + h) * h
    ) {
      throw new Error(`GRU kernels do not fit [${input} + ${h}, 2·${h}] and [${input} + ${h}, ${h}]`);
    }
    // [3h, input]: the gates' input rows, then the candidate's, each transposed.
    this.inputKernel = new Float32Array(3 * h * input);
    this.inputKernel.set(transpose(weights.gateKernel, input, 2 * h));
    this.inputKernel.set(transpose(weights.candidateKernel, input, h), 2 * h * input);
    this.bias = new Float32Array(3 * h);
    this.bias.set(weights.gateBias);
    this.bias.set(weights.candidateBias, 2 * h);
    this.gateRecurrent = transpose(weights.gateKernel, h, 2 * h, input);
    this.candidateRecurrent = transpose(weights.candidateKernel, h, h, input);
  }

  get gates(): number {
    return 3 * this.hidden;
  }

  project(x: Float32Array, rows: number, out: Float32Array): void {
    this.matmul(x, 0, rows, this.input, this.inputKernel, this.gates, out, 0, this.bias, false);
  }

  step(gates: Float32Array, _cell: Float32Array, hidden: Float32Array, rows: number, fresh: boolean): void {
    const h = this.hidden;
    const width = 3 * h;
    if (!fresh) this.matmul(hidden, 0, rows, h, this.gateRecurrent, 2 * h, gates, 0, undefined, true, width);
    if (this.resetHidden.length < rows * h) this.resetHidden = new Float32Array(rows * h);
    const reset = this.resetHidden;
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < h; k++) {
        gates[r * width + k] = sigmoid(gates[r * width + k]!);
        reset[r * h + k] = gates[r * width + k]! * hidden[r * h + k]!;
      }
    }
    if (!fresh)
      this.matmul(reset, 0, rows, h, this.candidateRecurrent, h, gates, 2 * h, undefined, true, width);
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < h; k++) {
        const update = sigmoid(gates[r * width + h + k]!);
        const candidate = Math.tanh(gates[r * width + 2 * h + k]!);
        hidden[r * h + k] = update * hidden[r * h + k]! + (1 - update) * candidate;
      }
    }
  }
}

interface BiDirection {
  forward: RecurrentDirection;
  backward: RecurrentDirection;
}

/** A batch of sentences as the network reads them: tokens packed sentence after sentence. */
export interface PortableBatch {
  /** Sentence lengths, longest first. */
  lengths: Int32Array;
  /** Each token's row in the call's distinct-token projections (`DistinctProjections`). */
  tokenRows: Int32Array;
}

/** The first word layer's input projection of each distinct token, both directions. */
export interface DistinctProjections {
  forward: Float32Array;
  backward: Float32Array;
}

/** The weights by name, checked against the shapes the config implies; `used` collects the names asked for. */
function weightTable(weights: readonly NamedWeight[], used: Set<string>) {
  const byName = new Map(weights.map((w) => [w.name, w]));
  return (name: string, shape: number[]): Float32Array => {
    used.add(name);
    const weight = byName.get(name);
    if (!weight) throw new Error(`missing weight ${name}`);
    if (weight.shape.join('x') !== shape.join('x')) {
      throw new Error(`weight ${name} has shape [${weight.shape}], the config needs [${shape}]`);
    }
    return weight.data;
  };
}

export class PortableNetwork {
  readonly numLabels: number;
  /** The matrix product: WebAssembly SIMD where it runs, else JavaScript (matmul.ts). */
  private readonly matmul: Matmul;
  readonly kernel: 'wasm-simd' | 'js';
  private readonly wordEmbedding: Float32Array;
  private readonly casingEmbedding: Float32Array | undefined;
  /** Per char of the vocabulary, its input projection plus bias, `[chars, 4 · charHidden]`, per direction. */
  private readonly charTables: { forward: Float32Array; backward: Float32Array };
  private readonly charLstm: BiDirection;
  private readonly layers: BiDirection[];
  private readonly denseKernel: Float32Array;
  private readonly denseBias: Float32Array;
  readonly crf: CrfScores | undefined;

  constructor(
    readonly config: ModelConfig,
    vocabularies: Vocabularies,
    weights: readonly NamedWeight[],
  ) {
    const used = new Set<string>();
    const weight = weightTable(weights, used);
    ({ matmul: this.matmul, kind: this.kernel } = createMatmul());
    const K = vocabularies.labels.length;
    this.numLabels = K;
    const { wordDim, charDim, charHidden, casingDim, hidden } = config;
    this.wordEmbedding = weight('word_embedding', [vocabularies.words.length, wordDim]);
    this.casingEmbedding =
      casingDim > 0 ? weight('casing_embedding', [CASING_CLASSES.length, casingDim]) : undefined;
    const cell = config.cell ?? 'lstm';
    const direction = (name: string, input: number, units: number): RecurrentDirection =>
      cell === 'gru'
        ? new GruDirection(
            {
              gateKernel: weight(`${name}_gate_kernel`, [input + units, 2 * units]),
              gateBias: weight(`${name}_gate_bias`, [2 * units]),
              candidateKernel: weight(`${name}_candidate_kernel`, [input + units, units]),
              candidateBias: weight(`${name}_candidate_bias`, [units]),
            },
            input,
            this.matmul,
          )
        : new LstmDirection(
            weight(`${name}_kernel`, [input + units, 4 * units]),
            weight(`${name}_bias`, [4 * units]),
            input,
            this.matmul,
          );
    const bidirectional = (name: string, input: number, units: number): BiDirection => ({
      forward: direction(`${name}_fw`, input, units),
      backward: direction(`${name}_bw`, input, units),
    });
    this.charLstm = bidirectional(`char_${cell}`, charDim, charHidden);
    const charEmbedding = weight('char_embedding', [vocabularies.chars.length, charDim]);
    const table = (d: RecurrentDirection) => {
      const out = new Float32Array(vocabularies.chars.length * d.gates);
      d.project(charEmbedding, vocabularies.chars.length, out);
      return out;
    };
    this.charTables = { forward: table(this.charLstm.forward), backward: table(this.charLstm.backward) };
    const tokenSize = wordDim + 2 * charHidden + casingDim;
    this.layers = Array.from({ length: config.layers }, (_, l) =>
      bidirectional(`${cell}_${l}`, l === 0 ? tokenSize : 2 * hidden, hidden),
    );
    this.denseKernel = transpose(weight('dense_kernel', [2 * hidden, K]), 2 * hidden, K);
    this.denseBias = weight('dense_bias', [K]);
    this.crf =
      config.output === 'crf'
        ? {
            numTags: K,
            transitions: weight('crf_transitions', [K, K]),
            start: weight('crf_start', [K]),
            end: weight('crf_end', [K]),
          }
        : undefined;
    const unexpected = weights.filter((w) => !used.has(w.name)).map((w) => w.name);
    if (unexpected.length > 0) throw new Error(`unexpected weights ${unexpected.join(', ')}`);
  }

  /**
   * Char BiLSTM final states of distinct words (each a non-empty array of char ids),
   * `[words, 2 · charHidden]`: the forward state after the last char, then the backward state
   * after the first, over the words' prefix and suffix tries.
   */
  charStates(words: readonly Int32Array[]): Float32Array {
    const h = this.config.charHidden;
    const out = new Float32Array(words.length * 2 * h);
    this.trieStates(words, this.charLstm.forward, this.charTables.forward, out, 0);
    this.trieStates(
      words.map((w) => w.slice().reverse()),
      this.charLstm.backward,
      this.charTables.backward,
      out,
      h,
    );
    return out;
  }

  private trieStates(
    words: readonly Int32Array[],
    lstm: RecurrentDirection,
    table: Float32Array,
    out: Float32Array,
    column: number,
  ): void {
    if (words.length === 0) return;
    const h = lstm.hidden;
    const gates = lstm.gates;
    const trie = buildCharTrie(words);
    const total = trie.levels.reduce((sum, level) => sum + level.charIds.length, 0);
    const hiddenStates = new Float32Array(total * h);
    let previousCells = new Float32Array(0);
    let offset = 0;
    let previousOffset = 0;
    trie.levels.forEach((level, t) => {
      const count = level.charIds.length;
      const g = new Float32Array(count * gates);
      const cells = new Float32Array(count * h);
      const hidden = new Float32Array(count * h);
      for (let n = 0; n < count; n++) {
        const id = level.charIds[n]!;
        g.set(table.subarray(id * gates, (id + 1) * gates), n * gates);
        if (t > 0) {
          const parent = level.parents[n]!;
          cells.set(previousCells.subarray(parent * h, (parent + 1) * h), n * h);
          const from = (previousOffset + parent) * h;
          hidden.set(hiddenStates.subarray(from, from + h), n * h);
        }
      }
      lstm.step(g, cells, hidden, count, t === 0);
      hiddenStates.set(hidden, offset * h);
      previousCells = cells;
      previousOffset = offset;
      offset += count;
    });
    const width = out.length / words.length;
    trie.finalNodes.forEach((node, w) => {
      out.set(hiddenStates.subarray(node * h, (node + 1) * h), w * width + column);
    });
  }

  /**
   * The first word layer's input projections of distinct tokens, given each one's word id,
   * casing class and char state (`charStates` rows).
   */
  projectTokens(wordIds: Int32Array, casing: Int32Array, charStates: Float32Array): DistinctProjections {
    const { wordDim, charHidden, casingDim } = this.config;
    const rows = wordIds.length;
    const size = wordDim + 2 * charHidden + casingDim;
    const x = new Float32Array(rows * size);
    for (let r = 0; r < rows; r++) {
      const at = r * size;
      const word = wordIds[r]!;
      x.set(this.wordEmbedding.subarray(word * wordDim, (word + 1) * wordDim), at);
      x.set(charStates.subarray(r * 2 * charHidden, (r + 1) * 2 * charHidden), at + wordDim);
      if (this.casingEmbedding) {
        const c = casing[r]!;
        x.set(
          this.casingEmbedding.subarray(c * casingDim, (c + 1) * casingDim),
          at + wordDim + 2 * charHidden,
        );
      }
    }
    const { forward, backward } = this.layers[0]!;
    const projected = {
      forward: new Float32Array(rows * forward.gates),
      backward: new Float32Array(rows * backward.gates),
    };
    forward.project(x, rows, projected.forward);
    backward.project(x, rows, projected.backward);
    return projected;
  }

  /** Emission scores of a batch, `[tokens, K]`, tokens packed sentence after sentence. */
  emissions(batch: PortableBatch, distinct: DistinctProjections): Float32Array {
    const { lengths, tokenRows } = batch;
    const tokens = tokenRows.length;
    const H = this.config.hidden;
    const starts = new Int32Array(lengths.length);
    for (let b = 1; b < lengths.length; b++) starts[b] = starts[b - 1]! + lengths[b - 1]!;
    let x = new Float32Array(0);
    this.layers.forEach((layer, l) => {
      const output = new Float32Array(tokens * 2 * H);
      for (const [d, lstm] of [layer.forward, layer.backward].entries()) {
        const projected = new Float32Array(tokens * lstm.gates);
        if (l === 0) {
          const table = d === 0 ? distinct.forward : distinct.backward;
          for (let t = 0; t < tokens; t++) {
            const row = tokenRows[t]!;
            projected.set(table.subarray(row * lstm.gates, (row + 1) * lstm.gates), t * lstm.gates);
          }
        } else {
          lstm.project(x, tokens, projected);
        }
        this.recur(lstm, projected, lengths, starts, d === 1, output, 2 * H, d * H);
      }
      x = output;
    });
    const scores = new Float32Array(tokens * this.numLabels);
    this.matmul(x, 0, tokens, 2 * H, this.denseKernel, this.numLabels, scores, 0, this.denseBias, false);
    return scores;
  }

  /**
   * One direction over every sentence of a batch at once (lengths longest first, so the
   * sentences still running at a step are a prefix): writes each step's hidden state to
   * `output[token, column …]`, `output` being `[tokens, width]`.
   */
  private recur(
    lstm: RecurrentDirection,
    projected: Float32Array,
    lengths: Int32Array,
    starts: Int32Array,
    reverse: boolean,
    output: Float32Array,
    width: number,
    column: number,
  ): void {
    const h = lstm.hidden;
    const gates = lstm.gates;
    const size = lengths.length;
    const g = new Float32Array(size * gates);
    const cell = new Float32Array(size * h);
    const hidden = new Float32Array(size * h);
    let active = size;
    for (let step = 0; step < (lengths[0] ?? 0); step++) {
      while (active > 0 && lengths[active - 1]! <= step) active--;
      for (let b = 0; b < active; b++) {
        const token = starts[b]! + (reverse ? lengths[b]! - 1 - step : step);
        g.set(projected.subarray(token * gates, (token + 1) * gates), b * gates);
      }
      lstm.step(g, cell, hidden, active, step === 0);
      for (let b = 0; b < active; b++) {
        const token = starts[b]! + (reverse ? lengths[b]! - 1 - step : step);
        output.set(hidden.subarray(b * h, (b + 1) * h), token * width + column);
      }
    }
  }
}
