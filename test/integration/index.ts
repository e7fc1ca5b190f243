/**
 * Mocha entry for `--extensionTestsPath` (what @vscode/test-electron, @vscode/test-cli and
 * ../shared/vscode-offline/run-extension-tests.mjs all load): the extension host requires this
 * module and awaits `run()`. The suites are bundled into this file (see build.mjs) and defined
 * after mocha has installed its `suite`/`test` globals.
 */
import path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  mocha.suite.emit('pre-require', globalThis, path.join(__dirname, 'suites'), mocha);
  return import('./suites').then(
    () =>
      new Promise<void>((resolve, reject) => {
        mocha.run((failures) => {
          console.log(`[spanlight integration] ${failures} failure(s)`);
          if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
          else resolve();
        });
      }),
  );
}
