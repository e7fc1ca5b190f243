import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { enNerRecipe, poolFiles, WITHOUT_POOL, withoutPool } from '../../../bench/loop-start-model';

const root = path.resolve(__dirname, '..', '..', '..');
// Where scripts/train-models.mjs reads the corpora from.
const data = process.env.SPANLIGHT_DATA ?? path.resolve(root, '..', 'shared', 'data');
const pool = path.resolve(data, 'uner-en-ewt', 'en_ewt-ud-dev.iob2');
const valuesOf = (args: readonly string[], flag: string) =>
  args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));

test("bench:loop's start model without the pool is en-ner's recipe minus the pool and what is made of it, from scripts/train-models.mjs", async () => {
  const recipe = await enNerRecipe(root);
  const files = poolFiles(root, pool);
  const made = path.join(root, 'gen', 'en-ner');
  const fromPool = (f: string) =>
    path.resolve(f) === pool || path.resolve(f).startsWith(`${made}${path.sep}`);
  // The recipe is the one train-models.mjs runs (read, not copied): it trains on files made from
  // the pool (the split of UNER EWT dev, the silver data) and picks its epoch on a part of it.
  assert.ok(valuesOf(recipe, '--train').some(fromPool));
  assert.ok(valuesOf(recipe, '--dev').some(fromPool));
  assert.deepEqual(valuesOf(recipe, '--name'), ['en-ner']);
  const args = withoutPool(recipe, files, 7);
  assert.deepEqual(
    valuesOf(args, '--train'),
    valuesOf(recipe, '--train').filter((f) => !fromPool(f)),
  );
  assert.ok(valuesOf(args, '--train').length > 0);
  assert.deepEqual(
    valuesOf(args, '--dev'),
    valuesOf(recipe, '--dev').filter((f) => !fromPool(f)),
  );
  assert.ok(valuesOf(args, '--dev').length > 0);
  for (const flag of ['--test', '--preset', '--map-labels', '--seed', '--task'])
    assert.deepEqual(valuesOf(args, flag), valuesOf(recipe, flag), flag);
  assert.equal(args.includes('--vectors'), recipe.includes('--vectors'));
  assert.deepEqual(valuesOf(args, '--name'), [WITHOUT_POOL]);
  assert.deepEqual(valuesOf(args, '--epochs'), ['7']);
  assert.match(valuesOf(args, '--description')[0]!, /without en_ewt-ud-dev\.iob2/);
  // A second call reads the same recipe (the script is evaluated once per process).
  assert.deepEqual(await enNerRecipe(root), recipe);
});

test('a recipe that tests on the pool or does not train on it cannot be made pool-free', () => {
  const files = poolFiles(root, pool);
  assert.throws(() => withoutPool(['--train', pool, '--test', pool], files, 5), /uses the pool as --test/);
  assert.throws(
    () => withoutPool(['--train', 'a.conll', '--test', path.join(root, 'gen', 'en-ner', 'x.iob2')], files, 5),
    /uses the pool as --test/,
  );
  assert.throws(
    () => withoutPool(['--train', 'a.conll', '--dev', pool], files, 5),
    /does not train on the pool/,
  );
  assert.deepEqual(
    withoutPool(['--train', 'a.conll', '--train', pool, '--dev', pool], files, 5).slice(0, 2),
    ['--train', 'a.conll'],
  );
});
