/**
 * Debian's Chromium as every browser test here starts it (test/webview pages, test/e2e VS Code).
 * CHROMIUM (or CHROMIUM_PATH) names another binary.
 */
export const chromiumPath = process.env.CHROMIUM || process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Headless-friendly switches: no sandbox (root in a container), no GPU, nothing phoning home. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
