/**
 * The extension's entry in VS Code for the Web (package.json `browser`): the shared wiring
 * (activate.ts) on the web platform: tagging and annotation on the portable backend in this
 * worker, files through `workspace.fs`. Bundled for the browser by scripts/build.mjs.
 */
import type * as vscode from 'vscode';
import { activateOn } from '../activate';
import type { SpanlightApi } from '../api';
import { webPlatform } from './platform';

export function activate(context: vscode.ExtensionContext): SpanlightApi {
  return activateOn(context, webPlatform);
}

export { deactivate } from '../activate';
