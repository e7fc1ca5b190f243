/** Lookups over a run's events; no Node imports, so the dashboard page uses them too. */
import type { CellKind } from '../kernels/types';
import type { EvaluationEvent, RunConfig, RunEvent, StepEvent } from './types';

function findLastOf<K extends RunEvent['kind']>(
  events: readonly RunEvent[],
  kind: K,
): Extract<RunEvent, { kind: K }> | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.kind === kind) return event as Extract<RunEvent, { kind: K }>;
  }
  return undefined;
}

/** The final evaluation of a run, if it got that far. */
export const lastEvaluationOf = (events: readonly RunEvent[]): EvaluationEvent | undefined =>
  findLastOf(events, 'evaluation');

export const lastStepOf = (events: readonly RunEvent[]): StepEvent | undefined => findLastOf(events, 'step');

/**
 * The recurrent cell a run trains: its model settings' (the preset's, the user's, or the model
 * it fine-tunes), else the default, as for runs recorded before the cell could be chosen.
 */
export const runCell = (config: RunConfig): CellKind => config.model.cell ?? 'lstm';

/** How the dashboard names a cell: `LSTM`, `GRU`. */
export const cellName = (cell: CellKind): string => cell.toUpperCase();
