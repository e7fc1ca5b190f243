/**
 * Command, view and context-key ids, declared once. A unit test checks them against package.json.
 * This file imports nothing, so tests can read it without VS Code.
 */
export const CommandId = {
  ShowBackendInfo: 'spanlight.showBackendInfo',
  SelectModel: 'spanlight.selectModel',
  LabelSelection: 'spanlight.labelSelection',
  ChangeLabel: 'spanlight.changeLabel',
  RemoveLabel: 'spanlight.removeLabel',
  AcceptSuggestions: 'spanlight.acceptSuggestions',
  AcceptSentence: 'spanlight.acceptSentence',
  AcceptDocument: 'spanlight.acceptDocument',
  ReopenSentence: 'spanlight.reopenSentence',
  AcceptSpan: 'spanlight.acceptSpan',
  RejectSpan: 'spanlight.rejectSpan',
  RelabelSpan: 'spanlight.relabelSpan',
  GrowSpanEnd: 'spanlight.growSpanEnd',
  ShrinkSpanEnd: 'spanlight.shrinkSpanEnd',
  GrowSpanStart: 'spanlight.growSpanStart',
  ShrinkSpanStart: 'spanlight.shrinkSpanStart',
  MergeSpans: 'spanlight.mergeSpans',
  SplitSpan: 'spanlight.splitSpan',
  SelectNextToken: 'spanlight.selectNextToken',
  SelectPreviousToken: 'spanlight.selectPreviousToken',
  SelectFirstToken: 'spanlight.selectFirstToken',
  SelectLastToken: 'spanlight.selectLastToken',
  StartReview: 'spanlight.startReview',
  ReviewNext: 'spanlight.reviewNext',
  StopReview: 'spanlight.stopReview',
  ReviewKey: 'spanlight.reviewKey',
  OpenReviewItem: 'spanlight.openReviewItem',
  ReviewFolder: 'spanlight.reviewFolder',
  ReviewWorkspace: 'spanlight.reviewWorkspace',
  AcceptAllOccurrences: 'spanlight.acceptAllOccurrences',
  RejectAllOccurrences: 'spanlight.rejectAllOccurrences',
  RelabelAllOccurrences: 'spanlight.relabelAllOccurrences',
  SearchEntities: 'spanlight.searchEntities',
  ClearEntitySearch: 'spanlight.clearEntitySearch',
  ChooseTask: 'spanlight.chooseTask',
  OpenLabelSchema: 'spanlight.openLabelSchema',
  NextEntity: 'spanlight.nextEntity',
  PreviousEntity: 'spanlight.previousEntity',
  UndoAnnotation: 'spanlight.undoAnnotation',
  RedoAnnotation: 'spanlight.redoAnnotation',
  ExportAnnotations: 'spanlight.exportAnnotations',
  ToggleEntities: 'spanlight.toggleEntities',
  TogglePos: 'spanlight.togglePos',
  ChooseDisplayMode: 'spanlight.chooseDisplayMode',
  RetagDocument: 'spanlight.retagDocument',
  ShowOutput: 'spanlight.showOutput',
  RevealEntity: 'spanlight.revealEntity',
  Train: 'spanlight.train',
  ShowTrainingDashboard: 'spanlight.showTrainingDashboard',
  StopTraining: 'spanlight.stopTraining',
  UpdateModel: 'spanlight.updateModel',
  CancelModelUpdate: 'spanlight.cancelModelUpdate',
  ChooseModelVersion: 'spanlight.chooseModelVersion',
  ExtractListing: 'spanlight.extractListing',
  ExtractListingsInFolder: 'spanlight.extractListingsInFolder',
} as const;

export type CommandIdValue = (typeof CommandId)[keyof typeof CommandId];

/** Commands that take arguments from links and views, hidden from the Command Palette. */
export const INTERNAL_COMMANDS: readonly CommandIdValue[] = [
  CommandId.RevealEntity,
  CommandId.OpenReviewItem,
  CommandId.RelabelSpan,
  CommandId.ReviewKey,
];

export const ViewId = { Entities: 'spanlight.entities', Review: 'spanlight.review' } as const;

export const ContextKey = {
  /** The active editor's document is one Spanlight tags. */
  Active: 'spanlight.active',
  /** Review mode is on in the active editor (single keys accept, reject, relabel). */
  ReviewMode: 'spanlight.reviewMode',
  /** The Entities view shows a search result. */
  EntitiesFiltered: 'spanlight.entitiesFiltered',
} as const;

export const OUTPUT_CHANNEL = 'Spanlight';
