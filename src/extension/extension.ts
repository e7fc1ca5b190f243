/**
 * The extension's entry on Node (desktop VS Code, remote hosts, code-server): the shared wiring
 * (activate.ts) on the Node platform. VS Code for the Web starts web/extension.ts instead.
 */
import type * as vscode from 'vscode';
import { activateOn } from './activate';
import type { SpanlightApi } from './api';
import { nodePlatform } from './platform-node';

export function activate(context: vscode.ExtensionContext): SpanlightApi {
  return activateOn(context, nodePlatform);
}

export { deactivate } from './activate';
