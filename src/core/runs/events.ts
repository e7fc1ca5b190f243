/** Lookups over a run's events; no Node imports, so the dashboard page uses them too. */
import type { EvaluationEvent, RunEvent, StepEvent } from './types';

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
