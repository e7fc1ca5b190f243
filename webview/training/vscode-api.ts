/** The webview side of the VS Code API, typed with the dashboard's messages and state. */
import type { FromWebview, WebviewState } from '../protocol';
import { type VsCodeApi as SharedVsCodeApi, vscodeApi as sharedVsCodeApi } from '../shared/vscode-api';

export type VsCodeApi = SharedVsCodeApi<FromWebview, WebviewState>;

export const vscodeApi = (): VsCodeApi => sharedVsCodeApi<FromWebview, WebviewState>();
