import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { enNerRecipe, WITHOUT_POOL, withoutPool } from '../../../bench/loop-start-model';

const root = path.resolve(__dirname, '..', '..', '..');
// Where scripts/train-models.mjs reads the corpora from.
const data = process.env.SPANLIGHT_DATA ?? path.resolve(root, '..', 'shared', 'data');
const pool = path.resolve(data, 'uner-en-ewt', 'en_ewt-ud-dev.iob2');
const valuesOf = (args: readonly string[], flag: string) =>
  args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));

test("bench:loop's start model without the pool is en-ner's recipe minus the pool, from scripts/train-models.mjs", async () => {
  const recipe = await enNerRecipe(root);
  // The recipe is the one train-models.mjs runs (read, not copied): it trains on the pool.
  assert.ok(valuesOf(recipe, '--train').some((f) => path.resolve(f) === pool));
  assert.deepEqual(valuesOf(recipe, '--name'), ['en-ner']);
  const args = withoutPool(recipe, pool, 7);
  assert.deepEqual(
    valuesOf(args, '--train'),
    valuesOf(recipe, '--train').filter((f) => path.resolve(f) !== pool),
  );
  assert.equal(valuesOf(args, '--train').length, valuesOf(recipe, '--train').length - 1);
  for (const flag of ['--dev', '--test', '--preset', '--map-labels', '--seed', '--task'])
    assert.deepEqual(valuesOf(args, flag), valuesOf(recipe, flag), flag);
  assert.equal(args.includes('--vectors'), recipe.includes('--vectors'));
  assert.deepEqual(valuesOf(args, '--name'), [WITHOUT_POOL]);
  assert.deepEqual(valuesOf(args, '--epochs'), ['7']);
  assert.match(valuesOf(args, '--description')[0]!, /without en_ewt-ud-dev\.iob2/);
  // A second call reads the same recipe (the script is evaluated once per process).
  assert.deepEqual(await enNerRecipe(root), recipe);
});

test('a recipe that scores or selects on the pool cannot be made pool-free', () => {
  assert.throws(() => withoutPool(['--train', 'a.conll', '--dev', pool], pool, 5), /uses the pool as --dev/);
  assert.throws(() => withoutPool(['--train', 'a.conll'], pool, 5), /trains on the pool 0 times/);
});
