#!/usr/bin/env node
// Runs every test/unit/**/*.test.ts with node's built-in test runner (TypeScript through tsx).
// Node 20's `--test` takes no globs, so the files are listed here. Extra arguments pass through
// (e.g. `npm run test:unit -- --test-name-pattern=tokens`), and so do file paths to run a subset
// and folders to run the tests below them instead (`node scripts/run-tests.mjs test/hostile`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const isFolder = (a) => !a.startsWith('-') && fs.existsSync(a) && fs.statSync(a).isDirectory();
const fileArgs = args.filter((a) => a.endsWith('.ts'));
const folderArgs = args.filter(isFolder);
const flags = args.filter((a) => !a.endsWith('.ts') && !isFolder(a));

function collect(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return collect(p);
    return d.name.endsWith('.test.ts') ? [p] : [];
  });
}

const folders = folderArgs.length > 0 ? folderArgs : ['test/unit'];
const files = fileArgs.length > 0 ? fileArgs : folders.flatMap(collect).sort();
if (files.length === 0) {
  console.error(`no test files found under ${folders.join(', ')}`);
  process.exit(1);
}

// Most unit suites read real corpora from ../shared/data (test/unit/data.ts). Without that folder
// they would fail one by one, minutes later, with ENOENT: say it once, before anything runs.
const dataDir = process.env.SPANLIGHT_DATA ?? path.resolve('..', 'shared', 'data');
const testRoot = path.resolve('test');
/** A test file that reads the corpora: it, or a local helper it imports, imports test/unit/data.ts. */
function readsCorpora(file, seen = new Set()) {
  if (seen.has(file) || !fs.existsSync(file)) return false;
  seen.add(file);
  const text = fs.readFileSync(file, 'utf8');
  if (/from '(\.\.?\/)+(unit\/)?data'/.test(text)) return true;
  return [...text.matchAll(/from '(\.\.?\/[^']+)'/g)]
    .map((m) => path.resolve(path.dirname(file), `${m[1]}.ts`))
    .filter((helper) => helper.startsWith(testRoot))
    .some((helper) => readsCorpora(helper, seen));
}
if (!fs.existsSync(dataDir)) {
  const readers = files.filter((file) => readsCorpora(path.resolve(file)));
  if (readers.length > 0) {
    console.error(
      `test:unit: ${readers.length} of ${files.length} test files read the corpora in ../shared/data, which is missing (${dataDir}); see README "Set up", or set SPANLIGHT_DATA.`,
    );
    process.exit(1);
  }
}
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...flags, ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '3' },
  },
);
process.exit(res.status ?? 1);
