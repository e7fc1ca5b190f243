/**
 * What the training dashboard and the listing panel share as webview panels: the hardened
 * options, opening beside the editor, and wiring a new or restored panel to its bundled page
 * (the HTML shell of ./webview-page) and to a typed, checked message handler.
 */
import * as vscode from 'vscode';
import { newNonce, type WebviewPageOptions } from './webview-page';

/** Scripts on, and only dist/webview and media readable (STYLE.md rule 5). */
export function webviewPanelOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
  };
}

/** A new panel beside the active editor that leaves the focus where it is. */
export function createPanelBeside(
  viewType: string,
  title: string,
  extensionUri: vscode.Uri,
): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(
    viewType,
    title,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    webviewPanelOptions(extensionUri),
  );
}

export interface PanelPage<FromPage extends { type: string }> {
  extensionUri: vscode.Uri;
  /** The page's bundle in dist/webview: `<bundle>.js` and `<bundle>.css`. */
  bundle: string;
  /** The page's HTML for these URIs (the shared shell with the page's title). */
  html(options: WebviewPageOptions): string;
  /** How log lines name the page. */
  name: string;
  log: vscode.LogOutputChannel;
  /** Checks an incoming message; undefined when it is malformed (it is then logged and ignored). */
  parse(raw: unknown): FromPage | undefined;
  handle(message: FromPage): Promise<void>;
  /** Shows the error of a failed `handle` in the page. */
  showError(message: string): void;
  /** Called once when the panel closes, before its listeners are freed. */
  onDispose(): void;
}

/** Sets up a new or restored panel: options, a freshly rendered page, the message and close listeners. */
export function attachPanelPage<FromPage extends { type: string }>(
  panel: vscode.WebviewPanel,
  page: PanelPage<FromPage>,
): void {
  const webview = panel.webview;
  webview.options = webviewPanelOptions(page.extensionUri);
  const asset = (file: string) =>
    webview.asWebviewUri(vscode.Uri.joinPath(page.extensionUri, 'dist', 'webview', file)).toString();
  webview.html = page.html({
    cspSource: webview.cspSource,
    scriptUri: asset(`${page.bundle}.js`),
    styleUri: asset(`${page.bundle}.css`),
    nonce: newNonce(),
  });
  const listeners: vscode.Disposable[] = [];
  webview.onDidReceiveMessage(
    (raw: unknown) => {
      const message = page.parse(raw);
      if (!message) {
        page.log.warn(`${page.name}: ignored a malformed message ${JSON.stringify(raw)?.slice(0, 200)}`);
        return;
      }
      page.handle(message).catch((err: Error) => {
        page.log.error(`${page.name}: ${message.type} failed: ${err.stack ?? err.message}`);
        page.showError(err.message);
      });
    },
    undefined,
    listeners,
  );
  panel.onDidDispose(
    () => {
      page.onDispose();
      for (const l of listeners) l.dispose();
    },
    undefined,
    listeners,
  );
}
