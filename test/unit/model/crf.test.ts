import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import type { Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import { loadTensorflow } from '../../../src/core/backend';
import { createRandom } from '../../../src/core/encode/random';
import {
  type CrfParams,
  createCrfParams,
  crfLogLikelihood,
  crfLogPartition,
  crfLoss,
  crfMarginals,
  crfViterbi,
} from '../../../src/core/model/crf';
import { corpusPath } from '../data';

const tf = loadTensorflow();
const wnutDev = corpusPath('wnut17/emerging.dev.conll');

/** A CRF problem held as plain JS doubles, the reference the tensors are checked against. */
interface Problem {
  numTags: number;
  transitions: number[][];
  start: number[];
  end: number[];
  /** [B][T][K]; padded steps hold large garbage that must never matter. */
  emissions: number[][][];
  lengths: number[];
  /** [B][T]; padded steps hold -1 or an arbitrary tag. */
  tags: number[][];
}

function randomProblem(seed: number, numTags: number, steps: number, lengths: number[]): Problem {
  const random = createRandom(seed);
  const uniform = (scale: number) => (random() * 2 - 1) * scale;
  const vector = (n: number, scale: number) => Array.from({ length: n }, () => uniform(scale));
  return {
    numTags,
    transitions: Array.from({ length: numTags }, () => vector(numTags, 1.5)),
    start: vector(numTags, 1),
    end: vector(numTags, 1),
    emissions: lengths.map((length) =>
      Array.from({ length: steps }, (_, t) => vector(numTags, t < length ? 2 : 60)),
    ),
    lengths,
    tags: lengths.map((length, b) =>
      Array.from({ length: steps }, (_, t) =>
        t < length ? Math.floor(random() * numTags) : b % 2 === 0 ? -1 : numTags - 1,
      ),
    ),
  };
}

function paramsOf(problem: Problem): CrfParams {
  return {
    transitions: tf.tensor2d(problem.transitions),
    start: tf.tensor1d(problem.start),
    end: tf.tensor1d(problem.end),
  };
}

/** Trainable copies of the given parameters, which are disposed. */
function variablesOf(params: CrfParams) {
  const variables = {
    transitions: tf.variable(params.transitions),
    start: tf.variable(params.start),
    end: tf.variable(params.end),
  };
  disposeParams(params);
  return variables;
}

function disposeParams(params: CrfParams): void {
  tf.dispose([params.transitions, params.start, params.end]);
}

function emissionsOf(problem: Problem): Tensor3D {
  const steps = problem.emissions[0]?.length ?? 0;
  return tf.tensor3d(problem.emissions.flat(2), [problem.lengths.length, steps, problem.numTags]);
}

function tagsOf(problem: Problem): Tensor2D {
  const steps = problem.tags[0]?.length ?? 0;
  return tf.tensor2d(problem.tags.flat(), [problem.lengths.length, steps], 'int32');
}

function allPaths(numTags: number, length: number): number[][] {
  let paths: number[][] = [[]];
  for (let t = 0; t < length; t++)
    paths = paths.flatMap((p) => Array.from({ length: numTags }, (_, k) => [...p, k]));
  return paths;
}

function pathScore(problem: Problem, b: number, tags: number[]): number {
  if (tags.length === 0) return 0;
  let score = problem.start[tags[0]!]! + problem.end[tags[tags.length - 1]!]!;
  tags.forEach((tag, t) => {
    score += problem.emissions[b]![t]![tag]!;
    if (t > 0) score += problem.transitions[tags[t - 1]!]![tag]!;
  });
  return score;
}

interface Constraints {
  allowed?: boolean[][];
  allowedStart?: boolean[];
  allowedEnd?: boolean[];
}

function isAllowed(tags: number[], c: Constraints): boolean {
  if (tags.length === 0) return true;
  if (c.allowedStart && !c.allowedStart[tags[0]!]) return false;
  if (c.allowedEnd && !c.allowedEnd[tags[tags.length - 1]!]) return false;
  return tags.every((tag, t) => t === 0 || !c.allowed || c.allowed[tags[t - 1]!]![tag]);
}

function logSumExp(values: number[]): number {
  const max = Math.max(...values);
  return max + Math.log(values.reduce((sum, v) => sum + Math.exp(v - max), 0));
}

/** Everything the CRF computes for sentence b, by enumerating all K^length paths. */
function bruteForce(problem: Problem, b: number, constraints: Constraints = {}) {
  const length = problem.lengths[b]!;
  const paths = allPaths(problem.numTags, length);
  const scores = paths.map((p) => pathScore(problem, b, p));
  const logZ = logSumExp(scores);
  const marginals = Array.from({ length }, () => new Array<number>(problem.numTags).fill(0));
  paths.forEach((p, i) => {
    p.forEach((tag, t) => {
      marginals[t]![tag]! += Math.exp(scores[i]! - logZ);
    });
  });
  let best = { path: [] as number[], score: Number.NEGATIVE_INFINITY };
  paths.forEach((p, i) => {
    if (isAllowed(p, constraints) && scores[i]! > best.score) best = { path: p, score: scores[i]! };
  });
  const gold = problem.tags[b]!.slice(0, length);
  return { logZ, logLikelihood: pathScore(problem, b, gold) - logZ, marginals, best };
}

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: got ${actual}, expected ${expected} (±${tolerance})`,
  );
}

function read<T extends Tensor>(make: () => T): number[] {
  const tensor = make();
  const values = Array.from(tensor.dataSync());
  tensor.dispose();
  return values;
}

/** [B][T][K] nested arrays from a [B, T, K] tensor, disposing it. */
function read3d(tensor: Tensor3D): number[][][] {
  const values = tensor.arraySync();
  tensor.dispose();
  return values;
}

/** Small random problems: K = 3..4, T = 1..5, batches with mixed lengths including padding. */
const randomCases = [
  { seed: 1, numTags: 3, steps: 1, lengths: [1, 1] },
  { seed: 2, numTags: 3, steps: 3, lengths: [3, 1, 2] },
  { seed: 3, numTags: 4, steps: 4, lengths: [4, 2, 3, 1] },
  { seed: 4, numTags: 3, steps: 5, lengths: [5, 3, 5, 4] },
  { seed: 5, numTags: 4, steps: 5, lengths: [2, 5, 1, 4, 3] },
];

test('log partition and log-likelihood match brute-force enumeration of all paths', () => {
  for (const c of randomCases) {
    const problem = randomProblem(c.seed, c.numTags, c.steps, c.lengths);
    const params = paramsOf(problem);
    const emissions = emissionsOf(problem);
    const tags = tagsOf(problem);
    const logZ = read(() => crfLogPartition(emissions, problem.lengths, params));
    const logLikelihood = read(() => crfLogLikelihood(emissions, tags, problem.lengths, params));
    problem.lengths.forEach((_, b) => {
      const expected = bruteForce(problem, b);
      assertClose(logZ[b]!, expected.logZ, 1e-4, `seed ${c.seed} sentence ${b} log Z`);
      assertClose(
        logLikelihood[b]!,
        expected.logLikelihood,
        1e-4,
        `seed ${c.seed} sentence ${b} log-likelihood`,
      );
      assert.ok(logLikelihood[b]! < 0, 'a likelihood below 1 has a negative log');
    });
    tf.dispose([emissions, tags]);
    disposeParams(params);
  }
});

test('Viterbi finds the brute-force best path and its score', () => {
  for (const c of randomCases) {
    const problem = randomProblem(c.seed, c.numTags, c.steps, c.lengths);
    const params = paramsOf(problem);
    const emissions = emissionsOf(problem);
    const decoded = crfViterbi(emissions, problem.lengths, params);
    problem.lengths.forEach((length, b) => {
      const expected = bruteForce(problem, b).best;
      assert.equal(decoded.paths[b]!.length, length);
      assert.deepEqual(decoded.paths[b], expected.path, `seed ${c.seed} sentence ${b}`);
      assertClose(decoded.scores[b]!, expected.score, 1e-4, `seed ${c.seed} sentence ${b} best score`);
    });
    emissions.dispose();
    disposeParams(params);
  }
});

test('marginals match brute force, sum to 1 on real tokens and are zero on padding', () => {
  for (const c of randomCases) {
    const problem = randomProblem(c.seed, c.numTags, c.steps, c.lengths);
    const params = paramsOf(problem);
    const emissions = emissionsOf(problem);
    const marginals = read3d(crfMarginals(emissions, problem.lengths, params));
    problem.lengths.forEach((length, b) => {
      const expected = bruteForce(problem, b).marginals;
      marginals[b]!.forEach((row, t) => {
        if (t >= length) {
          assert.deepEqual(row, new Array(c.numTags).fill(0), `padding row ${t} of sentence ${b}`);
          return;
        }
        assertClose(
          row.reduce((s, v) => s + v, 0),
          1,
          1e-5,
          `row sum at ${b},${t}`,
        );
        row.forEach((p, k) => {
          assertClose(p, expected[t]![k]!, 1e-4, `seed ${c.seed} marginal ${b},${t},${k}`);
        });
      });
    });
    emissions.dispose();
    disposeParams(params);
  }
});

test('marginals equal the autodiff gradient of log Z with respect to the emissions', () => {
  const problem = randomProblem(11, 4, 5, [5, 2, 4]);
  const params = paramsOf(problem);
  const emissions = emissionsOf(problem);
  const viaGradient = read3d(
    tf.grad((e: Tensor) => tf.sum(crfLogPartition(e as Tensor3D, problem.lengths, params)))(
      emissions,
    ) as Tensor3D,
  );
  const viaForwardBackward = read3d(crfMarginals(emissions, problem.lengths, params));
  viaGradient.flat(2).forEach((g, i) => {
    assertClose(viaForwardBackward.flat(2)[i]!, g, 1e-5, `entry ${i}`);
  });
  emissions.dispose();
  disposeParams(params);
});

test('a sentence alone and inside a padded batch gives identical results, for every mask form', () => {
  const alone = randomProblem(21, 4, 4, [4]);
  const batch = randomProblem(22, 4, 6, [6, 4, 2]);
  // Put the lone sentence at index 1 of the batch; its padding keeps the batch's garbage.
  const inBatch: Problem = {
    ...batch,
    transitions: alone.transitions,
    start: alone.start,
    end: alone.end,
    emissions: batch.emissions.map((rows, b) =>
      b === 1 ? [...alone.emissions[0]!, ...rows.slice(4)] : rows,
    ),
    tags: batch.tags.map((row, b) => (b === 1 ? [...alone.tags[0]!, -1, 3] : row)),
  };
  const params = paramsOf(alone);
  const aloneEmissions = emissionsOf(alone);
  const aloneTags = tagsOf(alone);
  const batchEmissions = emissionsOf(inBatch);
  const batchTags = tagsOf(inBatch);
  const expectedLogLikelihood = read(() => crfLogLikelihood(aloneEmissions, aloneTags, [4], params))[0]!;
  const expectedPath = crfViterbi(aloneEmissions, [4], params).paths[0];
  const expectedMarginals = read3d(crfMarginals(aloneEmissions, [4], params))[0]!;

  const lengthsTensor = tf.tensor1d(inBatch.lengths, 'int32');
  const floatMask = tf.tensor2d(
    inBatch.lengths.map((n) => Array.from({ length: 6 }, (_, t) => (t < n ? 1 : 0))),
  );
  for (const [form, mask] of [
    ['lengths array', inBatch.lengths],
    ['Int32Array', Int32Array.from(inBatch.lengths)],
    ['int32 lengths tensor', lengthsTensor],
    ['float mask tensor', floatMask],
  ] as const) {
    const logLikelihood = read(() => crfLogLikelihood(batchEmissions, batchTags, mask, params))[1]!;
    assertClose(logLikelihood, expectedLogLikelihood, 1e-5, `${form}: log-likelihood`);
    assert.deepEqual(crfViterbi(batchEmissions, mask, params).paths[1], expectedPath, `${form}: path`);
    const marginals = read3d(crfMarginals(batchEmissions, mask, params))[1]!;
    expectedMarginals.forEach((row, t) => {
      row.forEach((p, k) => {
        assertClose(marginals[t]![k]!, p, 1e-5, `${form}: marginal ${t},${k}`);
      });
    });
  }
  tf.dispose([aloneEmissions, aloneTags, batchEmissions, batchTags, lengthsTensor, floatMask]);
  disposeParams(params);
});

const bioLabels = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'];

/** IOB2 rules: I-X only after B-X or I-X, never first. */
function bioConstraints(labels: string[]) {
  const type = (label: string) => label.slice(2);
  const isInside = (label: string) => label.startsWith('I-');
  return {
    allowed: labels.map((from) =>
      labels.map((to) => !isInside(to) || (from !== 'O' && type(from) === type(to))),
    ),
    allowedStart: labels.map((label) => !isInside(label)),
  };
}

function forbiddenSteps(path: number[], labels: string[], c: Constraints): string[] {
  const problems: string[] = [];
  if (path.length > 0 && c.allowedStart && !c.allowedStart[path[0]!])
    problems.push(`starts ${labels[path[0]!]}`);
  path.forEach((tag, t) => {
    if (t > 0 && c.allowed && !c.allowed[path[t - 1]!]![tag])
      problems.push(`${labels[path[t - 1]!]}→${labels[tag]}`);
  });
  return problems;
}

test('forbidden transitions never appear in a decoded path, even when emissions favour them', () => {
  const constraints = bioConstraints(bioLabels);
  const K = bioLabels.length;
  const row = (favoured: string, strength: number) => bioLabels.map((l) => (l === favoured ? strength : 0));
  // Emissions shout "I-PER first" and "O then I-PER"; the transitions are neutral.
  const problem: Problem = {
    numTags: K,
    transitions: bioLabels.map(() => new Array(K).fill(0)),
    start: new Array(K).fill(0),
    end: new Array(K).fill(0),
    emissions: [
      [row('I-PER', 30), row('O', 10), row('I-PER', 50), row('I-LOC', 45)],
      [row('O', 10), row('I-PER', 50), row('O', 0), row('O', 0)],
    ],
    lengths: [4, 2],
    tags: [
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ],
  };
  const params = paramsOf(problem);
  const emissions = emissionsOf(problem);
  const free = crfViterbi(emissions, problem.lengths, params);
  // Without constraints the bad transitions win, so the constrained check below can fail.
  assert.notDeepEqual(forbiddenSteps(free.paths[0]!, bioLabels, constraints), []);
  assert.deepEqual(forbiddenSteps(free.paths[1]!, bioLabels, constraints), ['O→I-PER']);

  const constrained = crfViterbi(
    emissions,
    problem.lengths,
    params,
    constraints.allowed,
    constraints.allowedStart,
  );
  constrained.paths.forEach((p, b) => {
    assert.deepEqual(
      forbiddenSteps(p, bioLabels, constraints),
      [],
      `sentence ${b}: ${p.map((t) => bioLabels[t])}`,
    );
    const expected = bruteForce(problem, b, constraints).best;
    assert.deepEqual(p, expected.path);
    assertClose(constrained.scores[b]!, expected.score, 1e-4, `sentence ${b} constrained score`);
  });
  // The constraints act at decode time only: the raw parameters are untouched.
  assert.deepEqual(
    read(() => params.transitions.clone()),
    new Array(K * K).fill(0),
  );

  // allowedEnd: forbid ending in B-LOC although the last emission favours it.
  const allowedEnd = bioLabels.map((l) => l !== 'B-LOC');
  const endProblem = {
    ...problem,
    emissions: [[row('O', 1), row('B-LOC', 20)]],
    lengths: [2],
    tags: [[0, 0]],
  };
  const endEmissions = emissionsOf(endProblem);
  const endDecoded = crfViterbi(endEmissions, [2], params, undefined, undefined, allowedEnd);
  assert.notEqual(endDecoded.paths[0]![1], bioLabels.indexOf('B-LOC'));
  assert.deepEqual(endDecoded.paths[0], bruteForce(endProblem, 0, { allowedEnd }).best.path);
  tf.dispose([emissions, endEmissions]);
  disposeParams(params);
});

test('constrained Viterbi matches constrained brute force on random problems and constraints', () => {
  for (const c of randomCases.slice(1)) {
    const problem = randomProblem(c.seed + 100, c.numTags, c.steps, c.lengths);
    const random = createRandom(c.seed + 200);
    // Tag 0 is always allowed everywhere, so every sentence keeps at least one valid path.
    const constraints: Constraints = {
      allowed: Array.from({ length: c.numTags }, (_, i) =>
        Array.from({ length: c.numTags }, (_, j) => i === 0 || j === 0 || random() < 0.5),
      ),
      allowedStart: Array.from({ length: c.numTags }, (_, k) => k === 0 || random() < 0.5),
      allowedEnd: Array.from({ length: c.numTags }, (_, k) => k === 0 || random() < 0.5),
    };
    const params = paramsOf(problem);
    const emissions = emissionsOf(problem);
    const decoded = crfViterbi(
      emissions,
      problem.lengths,
      params,
      constraints.allowed,
      constraints.allowedStart,
      constraints.allowedEnd,
    );
    problem.lengths.forEach((_, b) => {
      const expected = bruteForce(problem, b, constraints).best;
      assert.deepEqual(decoded.paths[b], expected.path, `seed ${c.seed} sentence ${b}`);
      assertClose(decoded.scores[b]!, expected.score, 1e-4, `seed ${c.seed} sentence ${b} score`);
    });
    emissions.dispose();
    disposeParams(params);
  }
});

test('an impossible constraint set yields a -Infinity score instead of a wrong finite one', () => {
  const problem = randomProblem(31, 3, 2, [2]);
  const params = paramsOf(problem);
  const emissions = emissionsOf(problem);
  const nothing = [false, false, false];
  const decoded = crfViterbi(emissions, [2], params, undefined, nothing);
  assert.equal(decoded.scores[0], Number.NEGATIVE_INFINITY);
  assert.equal(decoded.paths[0]!.length, 2);
  emissions.dispose();
  disposeParams(params);
});

/** Mean negative log-likelihood in doubles, for finite differences. */
function bruteForceLoss(problem: Problem): number {
  return (
    -problem.lengths.reduce((sum, _, b) => sum + bruteForce(problem, b).logLikelihood, 0) /
    problem.lengths.length
  );
}

test('gradients through tf.variableGrads match finite differences of the brute-force loss', () => {
  const problem = randomProblem(41, 3, 4, [4, 2, 3]);
  const params = variablesOf(paramsOf(problem));
  const { transitions, start, end } = params;
  const emissions = emissionsOf(problem);
  const tags = tagsOf(problem);
  const { value, grads } = tf.variableGrads(
    () => crfLoss(emissions, tags, problem.lengths, params),
    [transitions, start, end],
  );
  assertClose(value.dataSync()[0]!, bruteForceLoss(problem), 1e-4, 'loss value');

  const h = 1e-5;
  const transitionGrad = Array.from(grads[transitions.name]!.dataSync());
  const startGrad = Array.from(grads[start.name]!.dataSync());
  const endGrad = Array.from(grads[end.name]!.dataSync());
  const finiteDifference = (vector: number[], index: number) => {
    const original = vector[index]!;
    vector[index] = original + h;
    const up = bruteForceLoss(problem);
    vector[index] = original - h;
    const down = bruteForceLoss(problem);
    vector[index] = original;
    return (up - down) / (2 * h);
  };
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      assertClose(
        transitionGrad[i * 3 + j]!,
        finiteDifference(problem.transitions[i]!, j),
        1e-4,
        `d/d transitions[${i}][${j}]`,
      );
    }
    assertClose(startGrad[i]!, finiteDifference(problem.start, i), 1e-4, `d/d start[${i}]`);
    assertClose(endGrad[i]!, finiteDifference(problem.end, i), 1e-4, `d/d end[${i}]`);
  }
  assert.ok(
    transitionGrad.some((g) => Math.abs(g) > 1e-2),
    'the gradient is not trivially zero',
  );
  tf.dispose([value, ...Object.values(grads), transitions, start, end, emissions, tags]);
});

test('on a toy case the gradient is expected minus empirical transition counts', () => {
  // K = 2, every score 0, gold path 0,0,0: each of the 8 paths has probability 1/8, so each
  // transition pair is expected 2 × 1/4 = 0.5 times and each tag starts/ends a path half the time.
  const params = variablesOf({
    transitions: tf.zeros([2, 2]) as Tensor2D,
    start: tf.zeros([2]) as Tensor1D,
    end: tf.zeros([2]) as Tensor1D,
  });
  const { transitions, start, end } = params;
  const emissions = tf.zeros([1, 3, 2]) as Tensor3D;
  const tags = tf.tensor2d([[0, 0, 0]], undefined, 'int32');
  const { value, grads } = tf.variableGrads(
    () => crfLoss(emissions, tags, [3], params),
    [transitions, start, end],
  );
  assertClose(value.dataSync()[0]!, Math.log(8), 1e-5, 'loss = log 8');
  const transitionGrad = Array.from(grads[transitions.name]!.dataSync());
  // empirical counts: 0→0 twice, the others never.
  [0.5 - 2, 0.5, 0.5, 0.5].forEach((expected, i) => {
    assertClose(transitionGrad[i]!, expected, 1e-5, `transition gradient ${i}`);
  });
  assert.deepEqual(
    transitionGrad.map((g) => Math.sign(g)),
    [-1, 1, 1, 1],
    'seen transitions are pushed up (negative loss gradient), unseen ones down',
  );
  for (const boundary of [start, end]) {
    const g = Array.from(grads[boundary.name]!.dataSync());
    assertClose(g[0]!, -0.5, 1e-5, `${boundary.name}[0]`);
    assertClose(g[1]!, 0.5, 1e-5, `${boundary.name}[1]`);
  }
  tf.dispose([value, ...Object.values(grads), transitions, start, end, emissions, tags]);
});

test('T = 1 is checked by hand', () => {
  const params: CrfParams = {
    transitions: tf.tensor2d([
      [5, -5],
      [-5, 5],
    ]),
    start: tf.tensor1d([0.5, -0.5]),
    end: tf.tensor1d([0, 1]),
  };
  const emissions = tf.tensor3d([[[1, 2]]]);
  const tags = tf.tensor2d([[1]], undefined, 'int32');
  // Path 0: 0.5 + 1 + 0 = 1.5; path 1: -0.5 + 2 + 1 = 2.5. Transitions play no part.
  const logZ = Math.log(Math.exp(1.5) + Math.exp(2.5));
  assertClose(
    read(() => crfLogLikelihood(emissions, tags, [1], params))[0]!,
    2.5 - logZ,
    1e-5,
    'log-likelihood',
  );
  const decoded = crfViterbi(emissions, [1], params);
  assert.deepEqual(decoded.paths, [[1]]);
  assertClose(decoded.scores[0]!, 2.5, 1e-5, 'score');
  const marginals = read3d(crfMarginals(emissions, [1], params))[0]![0]!;
  assertClose(marginals[0]!, Math.exp(1.5 - logZ), 1e-5, 'P(tag 0)');
  assertClose(marginals[1]!, Math.exp(2.5 - logZ), 1e-5, 'P(tag 1)');
  tf.dispose([emissions, tags]);
  disposeParams(params);
});

test('length-0 and length-1 sentences in a batch, and T = 0, behave', () => {
  const problem = randomProblem(51, 3, 3, [0, 1, 3]);
  // Huge padding emissions must not overflow into NaN anywhere.
  problem.emissions[0] = problem.emissions[0]!.map((row) => row.map(() => 1e4));
  const params = paramsOf(problem);
  const emissions = emissionsOf(problem);
  const tags = tagsOf(problem);
  const logLikelihood = read(() => crfLogLikelihood(emissions, tags, problem.lengths, params));
  assert.equal(logLikelihood[0], 0, 'an empty sentence has one empty path: log-likelihood 0');
  assertClose(logLikelihood[1]!, bruteForce(problem, 1).logLikelihood, 1e-4, 'length 1');
  const decoded = crfViterbi(emissions, problem.lengths, params);
  assert.deepEqual(decoded.paths[0], []);
  assert.equal(decoded.scores[0], 0);
  assert.deepEqual(decoded.paths[1], bruteForce(problem, 1).best.path);
  const marginals = read3d(crfMarginals(emissions, problem.lengths, params));
  assert.ok(
    marginals[0]!.flat().every((p) => p === 0),
    'an empty sentence has all-zero marginals',
  );
  assert.ok(marginals.flat(2).every(Number.isFinite));
  assertClose(
    marginals[1]![0]!.reduce((s, p) => s + p, 0),
    1,
    1e-5,
    'length-1 row sum',
  );

  // One tag: a single path, so the log-likelihood is exactly 0 and Viterbi has no choice.
  const single: CrfParams = {
    transitions: tf.ones([1, 1]) as Tensor2D,
    start: tf.ones([1]) as Tensor1D,
    end: tf.ones([1]) as Tensor1D,
  };
  const singleEmissions = tf.randomNormal([2, 3, 1], 0, 1, 'float32', 3) as Tensor3D;
  const singleTags = tf.zeros([2, 3], 'int32') as Tensor2D;
  read(() => crfLogLikelihood(singleEmissions, singleTags, [3, 1], single)).forEach((v) => {
    assertClose(v, 0, 1e-5, 'one-tag log-likelihood');
  });
  assert.deepEqual(crfViterbi(singleEmissions, [3, 1], single).paths, [[0, 0, 0], [0]]);
  tf.dispose([singleEmissions, singleTags]);
  disposeParams(single);

  const empty = tf.zeros([2, 0, 3]) as Tensor3D;
  const emptyTags = tf.zeros([2, 0], 'int32') as Tensor2D;
  assert.deepEqual(
    read(() => crfLogLikelihood(empty, emptyTags, [0, 0], params)),
    [0, 0],
  );
  assert.deepEqual(crfViterbi(empty, [0, 0], params), { paths: [[], []], scores: [0, 0] });
  const emptyMarginals = crfMarginals(empty, [0, 0], params);
  assert.deepEqual(emptyMarginals.shape, [2, 0, 3]);
  tf.dispose([emissions, tags, empty, emptyTags, emptyMarginals]);
  disposeParams(params);
});

test('bad shapes and lengths are rejected with a message that says what is wrong', () => {
  const problem = randomProblem(61, 3, 2, [2, 1]);
  const params = paramsOf(problem);
  const emissions = emissionsOf(problem);
  const tags = tagsOf(problem);
  const oneSentenceTags = tf.tensor2d([[0, 0]], undefined, 'int32');
  const wrongTransitions = { ...params, transitions: tf.zeros([2, 2]) as Tensor2D };
  const tooWideMask = tf.ones([2, 3]);
  const before = tf.memory().numTensors;
  assert.throws(
    () => crfViterbi(emissions, [2, 3], params),
    /length 3 of sentence 1 is not a whole number in 0\.\.2/,
  );
  assert.throws(() => crfViterbi(emissions, [2], params), /1 lengths for a batch of 2/);
  assert.throws(
    () => crfLogLikelihood(emissions, oneSentenceTags, [2, 1], params),
    /tags must have shape \[2, 2\], got \[1, 2\]/,
  );
  assert.throws(
    () => crfMarginals(emissions, [2, 1], wrongTransitions),
    /transitions must have shape \[3, 3\] for 3 tags, got \[2, 2\]/,
  );
  assert.throws(() => crfViterbi(emissions, [2, 1], params, [[true]]), /allowed transitions must be 3×3/);
  assert.throws(
    () => crfLogPartition(emissions, tooWideMask, params),
    /mask must be lengths \[2\] or a mask \[2, 2\], got \[2, 3\]/,
  );
  assert.throws(() => createCrfParams(0), /positive whole number of tags/);
  assert.equal(tf.memory().numTensors, before, 'a rejected call leaves no tensors behind');
  tf.dispose([emissions, tags, oneSentenceTags, wrongTransitions.transitions, tooWideMask]);
  disposeParams(params);
});

test('no tensor leaks across 100 calls of each function', () => {
  const problem = randomProblem(71, 4, 5, [5, 3, 0]);
  const params = createCrfParams(4, { seed: 7 });
  const emissions = emissionsOf(problem);
  const tags = tagsOf(problem);
  const mask = tf.tensor2d(problem.lengths.map((n) => Array.from({ length: 5 }, (_, t) => (t < n ? 1 : 0))));
  const variables = [params.transitions, params.start, params.end];
  const calls: Record<string, () => void> = {
    logLikelihood: () => crfLogLikelihood(emissions, tags, problem.lengths, params).dispose(),
    logPartition: () => crfLogPartition(emissions, mask, params).dispose(),
    lossGradients: () => {
      const { value, grads } = tf.variableGrads(() => crfLoss(emissions, tags, mask, params), variables);
      tf.dispose([value, ...Object.values(grads)]);
    },
    viterbi: () =>
      void crfViterbi(emissions, mask, params, [
        [true, true, true, true],
        [true, true, false, true],
        [true, true, true, true],
        [true, true, true, true],
      ]),
    marginals: () => crfMarginals(emissions, problem.lengths, params).dispose(),
  };
  for (const [name, call] of Object.entries(calls)) {
    call();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) call();
    assert.equal(tf.memory().numTensors, before, `${name} leaks tensors`);
  }
  tf.dispose([emissions, tags, mask, params.transitions, params.start, params.end]);
});

/** Tag sequences of the first sentences of a CoNLL file (token TAB tag, blank line between sentences). */
function readTagSequences(file: string, limit: number): string[][] {
  return fs
    .readFileSync(file, 'utf8')
    .split(/\n\s*\n/)
    .map((block) =>
      block
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => line.split('\t').at(-1)!.trim()),
    )
    .filter((tags) => tags.length > 0)
    .slice(0, limit);
}

test('on WNUT-17 dev tag sequences: training learns BIO structure and constrained decoding stays valid', () => {
  const sentences = readTagSequences(wnutDev, 64);
  assert.equal(sentences.length, 64);
  const labels = [...new Set(sentences.flat())].sort();
  assert.ok(labels.includes('O') && labels.some((l) => l.startsWith('I-')), `labels: ${labels}`);
  const K = labels.length;
  const steps = Math.max(...sentences.map((s) => s.length));
  const lengths = sentences.map((s) => s.length);
  const gold = sentences.map((s) =>
    Array.from({ length: steps }, (_, t) => (t < s.length ? labels.indexOf(s[t]!) : -1)),
  );
  const constraints = bioConstraints(labels);
  for (const tagsOfSentence of gold) {
    assert.deepEqual(
      forbiddenSteps(
        tagsOfSentence.filter((t) => t >= 0),
        labels,
        constraints,
      ),
      [],
      'the corpus is valid IOB2',
    );
  }

  // Emissions carry no information, so everything learned sits in transitions and start/end.
  const params = createCrfParams(K, { seed: 3, scale: 0.01 });
  const emissions = tf.zeros([sentences.length, steps, K]) as Tensor3D;
  const tags = tf.tensor2d(gold, undefined, 'int32');
  const optimizer = tf.train.adam(0.1);
  const meanLogLikelihood = () =>
    read(() => tf.mean(crfLogLikelihood(emissions, tags, lengths, params)) as Tensor1D)[0]!;
  const initial = meanLogLikelihood();
  for (let step = 0; step < 30; step++) {
    optimizer.minimize(() => crfLoss(emissions, tags, lengths, params))?.dispose();
  }
  const trained = meanLogLikelihood();
  assert.ok(trained > initial + 5, `log-likelihood rose from ${initial} to ${trained}`);

  const learned = params.transitions.arraySync();
  let compared = 0;
  const o = labels.indexOf('O');
  const followsO = new Set(gold.flatMap((s) => s.slice(1).filter((tag, t) => tag >= 0 && s[t] === o)));
  for (const label of labels.filter((l) => l.startsWith('B-') && followsO.has(labels.indexOf(l)))) {
    const inside = labels.indexOf(`I-${label.slice(2)}`);
    if (inside < 0) continue;
    assert.ok(
      learned[o]![labels.indexOf(label)]! > learned[o]![inside]!,
      `O→${label} should outscore O→I-${label.slice(2)}`,
    );
    compared++;
  }
  assert.ok(compared >= 2, `only ${compared} entity types follow O in the sample`);

  // Noisy gold emissions: the constrained best path is valid and at least as good as gold.
  const random = createRandom(81);
  const noisy = tf.tensor3d(
    gold.map((s) => s.map((tag) => labels.map((_, k) => (k === tag ? 2 : 0) + (random() * 2 - 1) * 3))),
  );
  const decoded = crfViterbi(noisy, lengths, params, constraints.allowed, constraints.allowedStart);
  const goldScores = read(() =>
    tf.tidy(() =>
      tf.add(crfLogLikelihood(noisy, tags, lengths, params), crfLogPartition(noisy, lengths, params)),
    ),
  );
  decoded.paths.forEach((p, b) => {
    assert.equal(p.length, lengths[b]);
    assert.deepEqual(forbiddenSteps(p, labels, constraints), [], `sentence ${b}`);
    assert.ok(
      decoded.scores[b]! >= goldScores[b]! - 1e-3,
      `sentence ${b}: best ${decoded.scores[b]} < gold ${goldScores[b]}`,
    );
  });
  optimizer.dispose();
  tf.dispose([emissions, tags, noisy, params.transitions, params.start, params.end]);
});

test('speed at the realistic size B = 32, T = 25, K = 17', (t) => {
  const [batch, steps, numTags] = [32, 25, 17];
  const params = createCrfParams(numTags, { seed: 5 });
  const emissions = tf.randomNormal([batch, steps, numTags], 0, 1, 'float32', 9) as Tensor3D;
  const tags = tf.randomUniform([batch, steps], 0, numTags, 'int32', 10) as Tensor2D;
  const lengths = Array.from({ length: batch }, (_, b) => steps - (b % 10));
  const variables = [params.transitions, params.start, params.end];
  const time = (run: () => void, repeats: number) => {
    run();
    const t0 = performance.now();
    for (let i = 0; i < repeats; i++) run();
    return (performance.now() - t0) / repeats;
  };
  let gradientNorm = 0;
  const trainMs = time(() => {
    const { value, grads } = tf.variableGrads(() => crfLoss(emissions, tags, lengths, params), variables);
    gradientNorm = read(() => tf.norm(grads[params.transitions.name]!))[0]!;
    tf.dispose([value, ...Object.values(grads)]);
  }, 10);
  const viterbiMs = time(() => void crfViterbi(emissions, lengths, params), 10);
  const marginalsMs = time(() => crfMarginals(emissions, lengths, params).dispose(), 10);
  t.diagnostic(
    `forward+backward (loss + gradients) ${trainMs.toFixed(1)} ms, Viterbi ${viterbiMs.toFixed(1)} ms, marginals ${marginalsMs.toFixed(1)} ms`,
  );
  assert.ok(Number.isFinite(gradientNorm) && gradientNorm > 0);
  tf.dispose([emissions, tags, params.transitions, params.start, params.end]);
});

test('gradients flow through a batch of one-token sentences (T = 1)', () => {
  const params = createCrfParams(3, { seed: 5 });
  const emissions = tf.variable(tf.tensor3d([0.5, -1, 2, 1, 0, -0.5], [2, 1, 3]));
  const tags = tf.tensor2d([2, 0], [2, 1], 'int32');
  const { value, grads } = tf.variableGrads(
    () => crfLoss(emissions as unknown as Tensor3D, tags, [1, 1], params) as never,
    [emissions, params.transitions as never, params.start as never, params.end as never],
  );
  // One token: the loss is the softmax cross-entropy of start + emission + end, so the emission
  // gradient of each sentence is (softmax − one-hot) / batch, and transitions get none.
  const gradient = grads[emissions.name]!.dataSync();
  for (let b = 0; b < 2; b++) {
    let rowSum = 0;
    for (let k = 0; k < 3; k++) rowSum += gradient[b * 3 + k]!;
    assert.ok(Math.abs(rowSum) < 1e-6);
  }
  const transitionGradient = grads[(params.transitions as unknown as { name: string }).name];
  assert.ok(
    !transitionGradient || Array.from(transitionGradient.dataSync()).every((g) => Math.abs(g) < 1e-7),
  );
  assert.ok(Number.isFinite(value.dataSync()[0]!));
  tf.dispose([value, ...Object.values(grads), emissions, tags, params.transitions, params.start, params.end]);
});
