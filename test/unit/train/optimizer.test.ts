import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs-node';
import { loadTensorflow } from '../../../src/core/backend';
import { ClippedAdam, ClippedSgd } from '../../../src/core/train/optimizer';

const tf = loadTensorflow();
const shapes = [[7, 5], [5], [3, 4, 2], [1]];

function makeVariables(prefix: string): Variable[] {
  return shapes.map((shape, i) =>
    tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 100 + i), true, `${prefix}_${i}`),
  );
}

/** A loss with curvature and different scales per variable, so Adam's per-coordinate steps differ. */
function loss(variables: Variable[], step: number) {
  return tf.tidy(() =>
    tf.addN(
      variables.map((v, i) =>
        tf.sum(tf.mul(tf.square(tf.sub(v, Math.sin(step + i))), (i + 1) * (step % 2 === 0 ? 30 : 0.01))),
      ),
    ),
  ) as Scalar;
}

/** The trainer's former code: tf.train.adam after global-norm clipping. */
function clipped(grads: Record<string, Tensor>, clipNorm: number): Record<string, Tensor> {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
    const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
    return Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.mul(g, scale)]));
  });
}

function maxDifference(a: Variable[], b: Variable[]): number {
  return Math.max(...a.map((v, i) => tf.tidy(() => tf.sub(v, b[i]!).abs().max().dataSync()[0]!)));
}

/**
 * One step of the reference tf.train optimiser on `reference` (gradients clipped here) and of
 * ours on `flat`, from the same loss; returns the unclipped gradient norm.
 */
function stepBoth(
  reference: Variable[],
  referenceOptimizer: { applyGradients(grads: never): void },
  flat: Variable[],
  ours: { applyGradients(grads: Record<string, Tensor>): void },
  step: number,
  clipNorm: number,
): number {
  const r = tf.variableGrads(() => loss(reference, step), reference);
  const norm = tf.tidy(() =>
    Math.sqrt(Object.values(r.grads).reduce((s, g) => s + g.square().sum().dataSync()[0]!, 0)),
  );
  const referenceGrads = clipNorm > 0 ? clipped(r.grads, clipNorm) : r.grads;
  referenceOptimizer.applyGradients(referenceGrads as never);
  const f = tf.variableGrads(() => loss(flat, step), flat);
  tf.tidy(() => ours.applyGradients(f.grads));
  tf.dispose([
    r.value,
    f.value,
    ...Object.values(r.grads),
    ...Object.values(referenceGrads),
    ...Object.values(f.grads),
  ]);
  return norm;
}

/** Runs `body` with graph sessions on (the default) and off (eager ops), restoring the setting. */
function inBothModes(body: (mode: string) => void) {
  const saved = process.env.SPANLIGHT_GRAPHS;
  try {
    for (const mode of ['graph', 'eager']) {
      if (mode === 'eager') process.env.SPANLIGHT_GRAPHS = '0';
      else delete process.env.SPANLIGHT_GRAPHS;
      body(mode);
    }
  } finally {
    if (saved === undefined) delete process.env.SPANLIGHT_GRAPHS;
    else process.env.SPANLIGHT_GRAPHS = saved;
  }
}

test('matches tf.train.adam with global-norm clipping over steps with and without clipping', () =>
  inBothModes((mode) => {
    for (const clipNorm of [0, 5]) {
      const reference = makeVariables(`ref${clipNorm}`);
      const flat = makeVariables(`flat${clipNorm}`);
      const adam = tf.train.adam(0.05);
      const clippedAdam = new ClippedAdam(flat, { learningRate: 0.05, clipNorm });
      let clippedSteps = 0;
      for (let step = 0; step < 8; step++) {
        const norm = stepBoth(reference, adam, flat, clippedAdam, step, clipNorm);
        if (clipNorm > 0 && norm > clipNorm) clippedSteps++;
        const difference = maxDifference(reference, flat);
        assert.ok(
          difference <= 1e-5,
          `${mode}, clip ${clipNorm}, step ${step}: variables differ by ${difference}`,
        );
      }
      if (clipNorm > 0)
        assert.ok(clippedSteps >= 2 && clippedSteps < 8, `clipping active on ${clippedSteps} of 8 steps`);
      // The variables did move: a no-op optimiser would fail the comparison above only by luck.
      const initial = makeVariables(`init${clipNorm}`);
      assert.ok(maxDifference(initial, flat) > 0.1);
      assert.equal(clippedAdam.iterations, 8);
      adam.dispose();
      clippedAdam.dispose();
      tf.dispose([...reference, ...flat, ...initial]);
    }
  }));

test('a gradient list in variable order works like the name map', () => {
  const a = makeVariables('list_a');
  const b = makeVariables('list_b');
  const adamA = new ClippedAdam(a, { learningRate: 0.1, clipNorm: 1 });
  const adamB = new ClippedAdam(b, { learningRate: 0.1, clipNorm: 1 });
  for (let step = 0; step < 3; step++) {
    const ga = tf.variableGrads(() => loss(a, step), a);
    const gb = tf.variableGrads(() => loss(b, step), b);
    adamA.applyGradients(ga.grads);
    adamB.applyGradients(b.map((v) => gb.grads[v.name]!));
    tf.dispose([ga.value, gb.value, ...Object.values(ga.grads), ...Object.values(gb.grads)]);
  }
  assert.equal(maxDifference(a, b), 0);
  adamA.dispose();
  adamB.dispose();
  tf.dispose([...a, ...b]);
});

test('state saved after some steps and restored into a fresh optimiser continues identically', () => {
  const original = makeVariables('save_a');
  const adam = new ClippedAdam(original, { learningRate: 0.05, clipNorm: 5 });
  const step = (variables: Variable[], optimizer: ClippedAdam, i: number) => {
    const { value, grads } = tf.variableGrads(() => loss(variables, i), variables);
    optimizer.applyGradients(grads);
    tf.dispose([value, ...Object.values(grads)]);
  };
  for (let i = 0; i < 3; i++) step(original, adam, i);
  const state = adam.getWeights();
  assert.deepEqual(
    state.map((w) => [w.name, w.shape]),
    [
      ['adam/iteration', [1]],
      ['adam/m', [7 * 5 + 5 + 3 * 4 * 2 + 1]],
      ['adam/v', [7 * 5 + 5 + 3 * 4 * 2 + 1]],
    ],
  );
  const copy = original.map((v, i) => tf.variable(v.clone(), true, `save_b_${i}`));
  const restored = new ClippedAdam(copy, { learningRate: 0.05, clipNorm: 5 });
  restored.setWeights(state);
  assert.equal(restored.iterations, 3);
  for (let i = 3; i < 6; i++) {
    step(original, adam, i);
    step(copy, restored, i);
  }
  assert.equal(maxDifference(original, copy), 0);
  assert.throws(() => restored.setWeights(state.slice(1)), /adam\/iteration missing/);
  assert.throws(
    () =>
      restored.setWeights([state[0]!, state[1]!, { ...state[2]!, data: new Float32Array(3), shape: [3] }]),
    /adam\/v holds 3 values, the variables 65/,
  );
  adam.dispose();
  restored.dispose();
  tf.dispose([...original, ...copy]);
});

test('steps leave no tensors behind, inside or outside a tidy', () =>
  inBothModes(() => {
    const variables = makeVariables(`leak_${process.env.SPANLIGHT_GRAPHS ?? 'graph'}`);
    const adam = new ClippedAdam(variables, { learningRate: 0.01, clipNorm: 1 });
    const run = (i: number) => {
      const { value, grads } = tf.variableGrads(() => loss(variables, i), variables);
      if (i % 2) tf.tidy(() => adam.applyGradients(grads));
      else adam.applyGradients(grads);
      tf.dispose([value, ...Object.values(grads)]);
    };
    run(0);
    const before = tf.memory().numTensors;
    for (let i = 1; i < 6; i++) run(i);
    adam.getWeights();
    assert.equal(tf.memory().numTensors, before);
    adam.dispose();
    // The two moments of each variable are gone.
    assert.equal(tf.memory().numTensors, before - 2 * variables.length);
    tf.dispose(variables);
  }));

test('momentum SGD matches tf.train.momentum with global-norm clipping, and its state round-trips', () =>
  inBothModes((mode) => {
    const reference = makeVariables(`sgd_ref_${mode}`);
    const flat = makeVariables(`sgd_flat_${mode}`);
    const momentum = tf.train.momentum(0.02, 0.9);
    const sgd = new ClippedSgd(flat, { learningRate: 0.02, momentum: 0.9, clipNorm: 5 });
    for (let step = 0; step < 6; step++) {
      stepBoth(reference, momentum, flat, sgd, step, 5);
      const difference = maxDifference(reference, flat);
      assert.ok(difference <= 1e-5, `${mode}, step ${step}: variables differ by ${difference}`);
    }
    const initial = makeVariables(`sgd_init_${mode}`);
    assert.ok(maxDifference(initial, flat) > 0.1, 'the variables moved');
    const state = sgd.getWeights();
    assert.deepEqual(
      state.map((w) => w.name),
      ['sgd/iteration', 'sgd/velocity'],
    );
    const restored = new ClippedSgd(initial, { learningRate: 0.02, momentum: 0.9, clipNorm: 5 });
    restored.setWeights(state);
    assert.equal(restored.iterations, 6);
    assert.throws(() => restored.setWeights(state.slice(0, 1)), /sgd\/velocity missing/);
    momentum.dispose();
    sgd.dispose();
    restored.dispose();
    tf.dispose([...reference, ...flat, ...initial]);
  }));
