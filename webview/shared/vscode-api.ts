/** The webview side of the VS Code API, typed with a page's messages and state. */
export interface VsCodeApi<Message, State> {
  postMessage(message: Message): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): VsCodeApi<unknown, unknown>;

/** Can be called once per page load (VS Code's rule), so each page asks once and passes it around. */
export function vscodeApi<Message, State>(): VsCodeApi<Message, State> {
  return acquireVsCodeApi() as VsCodeApi<Message, State>;
}
