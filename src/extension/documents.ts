/** Which documents Spanlight tags or shows, decided from the settings alone. */
import type * as vscode from 'vscode';
import type { SpanlightConfig } from './settings';

/**
 * Where the documents a user edits live: files on disk, untitled editors, and in VS Code for the
 * Web the workspace's own file systems (a remote's, a virtual one). Not output channels, settings
 * or diff views.
 */
export const USER_DOCUMENT_SCHEMES = ['file', 'untitled', 'vscode-remote', 'vscode-vfs', 'vscode-test-web'];

/** The selector of hovers and inlay hints: every user document (they check what they show). */
export const USER_DOCUMENTS: vscode.DocumentFilter[] = USER_DOCUMENT_SCHEMES.map((scheme) => ({ scheme }));

/** A CoNLL file: shown with its own gold labels, never tagged. */
export function isConll(settings: SpanlightConfig, document: vscode.TextDocument): boolean {
  return settings.conllLanguages.includes(document.languageId);
}

/** A document the models tag. */
export function isTaggable(settings: SpanlightConfig, document: vscode.TextDocument): boolean {
  return (
    settings.languages.includes(document.languageId) &&
    !isConll(settings, document) &&
    document.getText().length <= settings.maxDocumentLength
  );
}

/** A document Spanlight shows anything for. */
export function isHandled(settings: SpanlightConfig, document: vscode.TextDocument): boolean {
  return isTaggable(settings, document) || isConll(settings, document);
}
