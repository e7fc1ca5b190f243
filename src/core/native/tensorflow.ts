/**
 * The bundle entry of `dist/tensorflow.js` in package builds (scripts/build.mjs): tfjs-node's
 * JavaScript and every module it needs, in one file of its own, which the tagging process and the
 * training worker require only when they load native TensorFlow. The tagging process starts on
 * the portable backend, so the first highlights wait for none of it.
 */
module.exports = require('@tensorflow/tfjs-node');
