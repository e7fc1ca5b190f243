/**
 * The HTML shell every Spanlight webview page uses: a strict CSP with a fresh nonce, the bundled
 * script and stylesheet, nothing inline. No `vscode` import, so the Playwright tests serve the
 * very same page.
 */

export interface WebviewPageOptions {
  /** `webview.cspSource`: the origin the script and stylesheet are served from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

export const newNonce = (): string =>
  // Web Crypto: the same in Node and in VS Code for the Web's worker.
  btoa(String.fromCharCode(...globalThis.crypto.getRandomValues(new Uint8Array(16))));

const attribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function webviewPageHtml(options: WebviewPageOptions & { title: string }): string {
  const nonce = options.nonce ?? newNonce();
  const csp = [
    "default-src 'none'",
    `img-src ${options.cspSource} data:`,
    `style-src ${options.cspSource}`,
    `font-src ${options.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attribute(options.styleUri)}">
<title>${attribute(options.title)}</title>
</head>
<body>
<script nonce="${attribute(nonce)}" src="${attribute(options.scriptUri)}"></script>
</body>
</html>
`;
}
