/**
 * `Spanlight: Extract Listing`: a panel beside the editor with the listing record of the active
 * document (the seven template fields), re-extracted after edits (debounced) and annotation
 * changes. Corrections made in the form become human annotations of the document, so they end up
 * in the training data like inline corrections.
 */
import * as vscode from 'vscode';
import {
  assertNever,
  parseTemplateFromWebview,
  type TemplateFromWebview,
  type TemplateRecord,
  type TemplateState,
  type TemplateToWebview,
} from '../../../webview/protocol';
import { LISTINGS_TASK } from '../../core/annotations/annotation-set';
import { extractRecord, LISTING_TAG_OPTIONS } from '../../core/extract';
import type { AnnotationManager } from '../annotations';
import type { Config } from '../config';
import { Disposable } from '../dispose';
import { USER_DOCUMENT_SCHEMES } from '../documents';
import type { ModelManager } from '../models';
import { toRange } from '../spans';
import { webviewPageHtml } from '../webview-page';
import { attachPanelPage, createPanelBeside } from '../webview-panel';
import {
  type Correction,
  correctionChange,
  describeAction,
  editCorrection,
  pickCorrection,
  templateRecord,
} from './record';

export const TEMPLATE_VIEW_TYPE = 'spanlight.listingTemplate';

export interface TemplateDeps {
  extensionUri: vscode.Uri;
  config: Config;
  log: vscode.LogOutputChannel;
  models: ModelManager;
  annotations: AnnotationManager;
}

/** Documents the panel follows: the user's text documents, not output or settings views. */
const followable = (document: vscode.TextDocument) => USER_DOCUMENT_SCHEMES.includes(document.uri.scheme);

export class TemplatePanelController extends Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private followed: vscode.Uri | undefined;
  private record: TemplateRecord | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Bumped per extraction: a slower, older extraction never overwrites a newer one. */
  private generation = 0;
  private readonly updated = this._register(new vscode.EventEmitter<TemplateRecord>());
  /** Fires with every record sent to the panel (tests and scripts wait on it). */
  readonly onDidUpdateRecord = this.updated.event;

  constructor(private readonly deps: TemplateDeps) {
    super();
    this._register(
      vscode.window.registerWebviewPanelSerializer(TEMPLATE_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const uri = (state as Partial<TemplateState> | undefined)?.documentUri;
          this.followed = typeof uri === 'string' ? vscode.Uri.parse(uri) : this.activeDocument()?.uri;
          this.attach(panel);
        },
      }),
    );
    this._register(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (!this.panel || !editor || !followable(editor.document)) return;
        if (editor.document.uri.toString() === this.followed?.toString()) return;
        this.followed = editor.document.uri;
        this.schedule(0);
      }),
    );
    this._register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.isFollowed(e.document.uri) && e.contentChanges.length > 0)
          this.schedule(this.deps.config.get('tagging.debounceMs'));
      }),
    );
    this._register(
      deps.annotations.onDidChangeAnnotations((uri) => this.isFollowed(uri) && this.schedule(0)),
    );
    this._register(deps.models.onDidChangeModel((task) => task === 'listings' && this.schedule(0)));
  }

  /** The record last sent to the panel. */
  get current(): TemplateRecord | undefined {
    return this.record;
  }

  private isFollowed(uri: vscode.Uri): boolean {
    return this.panel !== undefined && uri.toString() === this.followed?.toString();
  }

  private activeDocument(): vscode.TextDocument | undefined {
    const document = vscode.window.activeTextEditor?.document;
    return document && followable(document) ? document : undefined;
  }

  /** Opens (or reveals) the panel beside the editor, following the active document. */
  show(): void {
    const document = this.activeDocument();
    if (document) this.followed = document.uri;
    if (this.panel) {
      this.panel.reveal(undefined, true);
      this.schedule(0);
      return;
    }
    this.attach(createPanelBeside(TEMPLATE_VIEW_TYPE, 'Listing', this.deps.extensionUri));
  }

  /** Sets up a new or restored panel (the serializer hands restored ones here). */
  private attach(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'icon.png');
    attachPanelPage(panel, {
      extensionUri: this.deps.extensionUri,
      bundle: 'template',
      html: (options) => webviewPageHtml({ ...options, title: 'Spanlight Listing' }),
      name: 'listing panel',
      log: this.deps.log,
      parse: parseTemplateFromWebview,
      handle: (message: TemplateFromWebview) => this.handle(message),
      showError: (message) => this.post({ type: 'notice', level: 'error', message }),
      onDispose: () => {
        if (this.panel !== panel) return;
        this.panel = undefined;
        this.record = undefined;
        if (this.timer) clearTimeout(this.timer);
      },
    });
  }

  private post(message: TemplateToWebview): void {
    void this.panel?.webview.postMessage(message);
  }

  private schedule(delayMs: number): void {
    if (!this.panel) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh().catch((err: Error) => {
        this.deps.log.error(`listing panel: extraction failed: ${err.stack ?? err.message}`);
        this.post({ type: 'notice', level: 'error', message: `Extraction failed: ${err.message}` });
      });
    }, delayMs);
  }

  private async followedDocument(): Promise<vscode.TextDocument | undefined> {
    const uri = this.followed;
    if (!uri) return undefined;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return open;
    return vscode.workspace.openTextDocument(uri).then(
      (d) => d,
      () => undefined,
    );
  }

  /** Extracts the followed document again and sends the record; returns it (undefined when none). */
  async refresh(): Promise<TemplateRecord | undefined> {
    const generation = ++this.generation;
    const document = await this.followedDocument();
    if (!document) {
      this.record = undefined;
      this.post({ type: 'templateEmpty', reason: 'Open a listing (a text document) to extract its fields.' });
      return undefined;
    }
    const limit = this.deps.config.get('maxDocumentLength');
    if (document.getText().length > limit) {
      this.post({
        type: 'templateEmpty',
        reason: `${vscode.workspace.asRelativePath(document.uri)} is longer than spanlight.maxDocumentLength (${limit} characters).`,
      });
      return undefined;
    }
    this.post({ type: 'templateBusy', busy: true });
    try {
      const record = await this.extract(document);
      if (generation !== this.generation) return this.record;
      this.record = record;
      this.post({ type: 'templateRecord', record });
      this.updated.fire(record);
      return record;
    } finally {
      if (generation === this.generation) this.post({ type: 'templateBusy', busy: false });
    }
  }

  private async extract(document: vscode.TextDocument): Promise<TemplateRecord> {
    const version = document.version;
    const text = document.getText();
    const model = await this.deps.models.tagger('listings').catch((err: Error) => {
      this.deps.log.warn(
        `listing panel: the listing model cannot be loaded, using rules only: ${err.message}`,
      );
      return undefined;
    });
    await this.deps.annotations.load(document);
    const tagged = model
      ? { spans: (await model.tagger.tagTexts([text], LISTING_TAG_OPTIONS))[0]!.spans }
      : null;
    const extracted = extractRecord(text, tagged, { id: document.uri.toString() });
    const annotations = this.deps.annotations;
    return templateRecord(
      extracted,
      this.listingAnnotations(document),
      {
        documentUri: document.uri.toString(),
        documentName: vscode.workspace.asRelativePath(document.uri),
        version,
        extractor: model ? `${model.info.name} (model + rules)` : 'rules only (no listing model)',
      },
      annotations.history(document),
    );
  }

  private async handle(message: TemplateFromWebview): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.followed ??= this.activeDocument()?.uri;
        this.post({ type: 'templateInit', record: this.record ?? null });
        this.schedule(0);
        return;
      }
      case 'reveal':
        await this.reveal(vscode.Uri.parse(message.documentUri), message);
        return;
      case 'pickAlternative':
      case 'editField': {
        const record = this.record;
        const document = await this.followedDocument();
        if (!record || !document || record.documentUri !== message.documentUri) {
          this.post({ type: 'notice', level: 'error', message: 'That listing is no longer shown.' });
          return;
        }
        const correction =
          message.type === 'pickAlternative'
            ? pickCorrection(record, message.label, message.display)
            : editCorrection(record, document.getText(), message.label, message.value);
        await this.apply(document, correction);
        return;
      }
      case 'undo':
      case 'redo': {
        const document = await this.followedDocument();
        if (!document || document.uri.toString() !== message.documentUri) {
          this.post({ type: 'notice', level: 'error', message: 'That listing is no longer shown.' });
          return;
        }
        const action = await this.deps.annotations[message.type](document);
        this.post({
          type: 'notice',
          level: 'info',
          message: action
            ? `${message.type === 'undo' ? 'Undone' : 'Redone'}: ${describeAction(action)}.`
            : `Nothing to ${message.type}.`,
        });
        return;
      }
      default:
        assertNever(message);
    }
  }

  private async reveal(uri: vscode.Uri, span: { start: number; end: number }): Promise<void> {
    const visible = vscode.window.visibleTextEditors.find(
      (e) => e.document.uri.toString() === uri.toString(),
    );
    const document = visible?.document ?? (await vscode.workspace.openTextDocument(uri));
    const range = toRange(document, span);
    const editor = await vscode.window.showTextDocument(document, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      selection: range,
    });
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /**
   * Records a correction as one annotation step (undone by the form's Undo and the editor's Undo
   * Annotation alike) and answers the form with what became of the field.
   */
  private async apply(document: vscode.TextDocument, correction: Correction): Promise<void> {
    const answer = (outcome: 'saved' | 'refused', message: string) => {
      this.post({
        type: 'fieldResult',
        documentUri: document.uri.toString(),
        label: correction.label,
        outcome,
        message,
      });
    };
    if (correction.kind === 'refused') {
      answer('refused', correction.message);
      // A candidate that is gone means the record is stale: read the listing again.
      this.schedule(0);
      return;
    }
    const text = document.getText();
    const spans = correction.kind === 'label' ? [correction.span] : correction.spans;
    if (spans.some((s) => text.slice(s.start, s.end) !== s.text)) {
      answer('refused', 'The listing changed meanwhile; nothing was saved. Try again.');
      this.schedule(0);
      return;
    }
    const change = correctionChange(correction, this.listingAnnotations(document));
    const result = await this.deps.annotations.replace(document, change.remove, change.add);
    if (!result.ok) {
      answer(
        'refused',
        `Nothing was saved: “${result.conflict.text}” is already annotated as ${result.conflict.label}; remove that label first.`,
      );
      return;
    }
    answer('saved', correction.message);
  }

  /** The document's listing-field annotations (other tasks' spans are not the form's). */
  private listingAnnotations(document: vscode.TextDocument) {
    return this.deps.annotations.annotations(document).filter((a) => a.task === LISTINGS_TASK);
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.panel?.dispose();
    super.dispose();
  }
}
