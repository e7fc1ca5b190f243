import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { posixPath, unavailableModule } from '../../../src/extension/web/node-stubs';

test("the web bundle's path module agrees with Node's POSIX path", () => {
  const parts = ['', '/', '.', '..', 'a', 'b.c', '.spanlight', 'x/y', '/root', 'a/../b', './q'];
  let seed = 5;
  const pick = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return parts[seed % parts.length]!;
  };
  for (let i = 0; i < 2000; i++) {
    const a = pick();
    const b = pick();
    const c = pick();
    assert.equal(posixPath.join(a, b, c), path.posix.join(a, b, c), `join(${a}, ${b}, ${c})`);
    if (a) {
      assert.equal(posixPath.normalize(a), path.posix.normalize(a), `normalize(${a})`);
      assert.equal(posixPath.dirname(a), path.posix.dirname(a), `dirname(${a})`);
      assert.equal(posixPath.basename(a), path.posix.basename(a), `basename(${a})`);
      assert.equal(posixPath.extname(a), path.posix.extname(a), `extname(${a})`);
    }
    const absolute = (p: string) => `/${p}`;
    assert.equal(
      posixPath.relative(absolute(a), absolute(b)),
      path.posix.relative(absolute(a), absolute(b)),
      `relative(/${a}, /${b})`,
    );
    assert.equal(posixPath.resolve('/w', a, b), path.posix.resolve('/w', a, b), `resolve(/w, ${a}, ${b})`);
  }
});

test('a stubbed Node module says it is not available, when used, not when imported', () => {
  const fs = unavailableModule('fs') as { promises: { readFile(): unknown }; constants: object };
  assert.deepEqual(fs.constants, {});
  assert.throws(() => fs.promises.readFile(), /Node's fs module is not available in VS Code for the Web/);
});
