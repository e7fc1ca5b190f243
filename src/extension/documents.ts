/** Which documents Spanlight tags or shows, decided from the settings alone. */
import type * as vscode from 'vscode';
import type { SpanlightConfig } from './settings';

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
