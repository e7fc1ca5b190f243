import type { GradSaveFunc, Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-node';
import { loadTensorflow } from '../backend';
import { runNativeFloatOp } from './native';

/**
 * Weighted softmax cross-entropy `−Σₙ weights[n] · log softmax(logits[n])[targets[n]]` as one
 * `tf.customGrad` op: TensorFlow's own `LogSoftmax` (one op instead of tfjs's six) forward, and
 * the closed-form gradient `weights[n] · softmax(logits[n]) − weights[n] · onehot(targets[n])`
 * backward. Rows of weight 0 (padding) contribute nothing and get zero gradient.
 *
 * @param logits `[rows, classes]`.
 * @param targets one class index per row (ignored where the weight is 0).
 * @param weights one weight per row, e.g. 1 / real tokens on real tokens and 0 on padding.
 */
export function maskedCrossEntropy(logits: Tensor2D, targets: Int32Array, weights: Float32Array): Scalar {
  const tf = loadTensorflow();
  const [rows, classes] = logits.shape;
  if (targets.length !== rows || weights.length !== rows) {
    throw new Error(
      `cross-entropy: ${rows} rows of logits, ${targets.length} targets, ${weights.length} weights`,
    );
  }
  const op = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const [input, save] = args as [Tensor2D, GradSaveFunc];
    const logProbs = runNativeFloatOp<Tensor2D>(tf, 'LogSoftmax', [input]) ?? tf.logSoftmax(input);
    // −weight at each row's target class: the loss is one multiply and one sum away.
    const negativeTargets = new Float32Array(rows * classes);
    weights.forEach((weight, row) => {
      if (weight === 0) return;
      const target = targets[row]!;
      if (!(target >= 0 && target < classes))
        throw new Error(`cross-entropy: row ${row} has target ${target}`);
      negativeTargets[row * classes + target] = -weight;
    });
    const targetTensor = tf.tensor2d(negativeTargets, [rows, classes]);
    const rowWeights = tf.tensor2d(weights, [rows, 1]);
    save([logProbs, targetTensor, rowWeights]);
    return {
      value: tf.sum(tf.mul(logProbs, targetTensor)),
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        tf.tidy(() => {
          const [savedLogProbs, savedTargets, savedWeights] = saved as [Tensor2D, Tensor2D, Tensor2D];
          return tf.mul(tf.add(tf.mul(tf.exp(savedLogProbs), savedWeights), savedTargets), dy);
        }),
    };
  });
  return op(logits) as Scalar;
}
