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
  ExtractListing: 'spanlight.extractListing',
  ExtractListingsInFolder: 'spanlight.extractListingsInFolder',
} as const;

export type CommandIdValue = (typeof CommandId)[keyof typeof CommandId];

/** Commands that take arguments from links and views, hidden from the Command Palette. */
export const INTERNAL_COMMANDS: readonly CommandIdValue[] = [CommandId.RevealEntity];

export const ViewId = { Entities: 'spanlight.entities' } as const;

export const ContextKey = {
  /** The active editor's document is one Spanlight tags. */
  Active: 'spanlight.active',
} as const;

export const OUTPUT_CHANNEL = 'Spanlight';
