/** The webview side of the VS Code API, typed with this page's messages and state. */
import type { FromWebview, WebviewState } from '../protocol';

export interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): WebviewState | undefined;
  setState(state: WebviewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** Can be called once per page load (VS Code's rule), so the page asks here and passes it around. */
export function vscodeApi(): VsCodeApi {
  return acquireVsCodeApi();
}
