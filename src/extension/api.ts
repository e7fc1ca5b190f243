import type * as vscode from 'vscode';
import type { Annotation, SentenceReview } from '../core/annotations/annotation-set';
import type { EntitySuggestion } from '../core/annotations/suggestions';

/**
 * What `activate` returns: read-only views used by the integration tests (and by other
 * extensions), so tests wait on events instead of sleeping.
 */
export interface SpanlightApi {
  /** How long `activate` took, in milliseconds (also in the Spanlight output channel). */
  activationMs: number;
  /** Layers last drawn for a document: layer id (`suggested:PER`, `annotated:LOC`…) → [start, end] offsets. */
  drawnLayers(uri: vscode.Uri): Record<string, Array<[number, number]>>;
  annotations(uri: vscode.Uri): Annotation[];
  suggestions(uri: vscode.Uri): EntitySuggestion[];
  /** Fires after each redraw of a document. */
  onDidRender: vscode.Event<vscode.Uri>;
  /** Resolves when no tagging run is pending or running for the document. */
  whenIdle(uri: vscode.Uri): Promise<void>;
  /** Writes pending annotation saves. */
  flushAnnotations(): Promise<void>;
  /** Reviewed sentences of an open document (every task). */
  reviews(uri: vscode.Uri): SentenceReview[];
  /** The span task an open document is annotated for. */
  taskOf(uri: vscode.Uri): string | undefined;
  /** The labels offered for an open document (its task's schema labels, in order). */
  labelsOf(uri: vscode.Uri): string[];
  /** The Review queue (scanning the workspace first if needed): unreviewed sentences, least certain first. */
  reviewQueue(): Promise<Array<{ uri: string; start: number; end: number; text: string; score: number }>>;
  /** Reviewed and total sentences of the Review scope. */
  reviewProgress(): Promise<{ reviewed: number; total: number }>;
  /** The Entities view's occurrences of a task across the workspace. */
  entityOccurrences(
    task: string,
  ): Promise<Array<{ uri: string; start: number; end: number; label: string; text: string; source: string }>>;
  /** Fires when a model-in-the-loop update starts training (never on the web). */
  onDidStartModelUpdate: vscode.Event<{ task: string; reviewed: number }>;
}
