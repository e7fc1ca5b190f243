import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunConfig, RunEvent } from '../../../src/core/runs/types';
import {
  assertNever,
  EMPTY_STATE,
  type FromWebview,
  parseFromWebview,
  reduceState,
  type ToWebview,
} from '../../../webview/protocol';

/** Handles every message type; adding a type without a case here fails type-checking. */
function describeMessage(message: FromWebview): string {
  switch (message.type) {
    case 'ready':
      return 'ready';
    case 'stop':
    case 'useModel':
    case 'openModelFolder':
    case 'loadRun':
      return `${message.type} ${message.runId}`;
    case 'exportMetrics':
      return `export ${message.runId} as ${message.format}`;
    case 'exportChart':
      return `chart ${message.chart}`;
    default:
      return assertNever(message);
  }
}

const config = { id: 'run-1', name: 'ner' } as RunConfig;
const step: RunEvent = {
  kind: 'step',
  epoch: 1,
  step: 1,
  stepsPerEpoch: 1,
  globalStep: 1,
  loss: 1,
  tokensPerSecond: 1,
  eta: 0,
  elapsed: 0,
};

describe('dashboard protocol', () => {
  it('accepts each well-formed message from the page', () => {
    const valid: FromWebview[] = [
      { type: 'ready' },
      { type: 'stop', runId: 'a' },
      { type: 'useModel', runId: 'a' },
      { type: 'openModelFolder', runId: 'a' },
      { type: 'loadRun', runId: 'a' },
      { type: 'exportMetrics', runId: 'a', format: 'json' },
      { type: 'exportChart', chart: 'dev', png: 'data:image/png;base64,AAAA' },
    ];
    for (const m of valid) {
      assert.deepEqual(parseFromWebview(m), m);
      assert.ok(describeMessage(m).length > 0);
    }
  });

  it('refuses malformed or hostile messages', () => {
    const invalid: unknown[] = [
      null,
      'ready',
      {},
      { type: 'nope' },
      { type: 'stop' },
      { type: 'stop', runId: 3 },
      { type: 'stop', runId: '' },
      { type: 'exportMetrics', runId: 'a', format: 'xml' },
      { type: 'exportChart', chart: 'loss', png: 'javascript:alert(1)' },
      { type: 'exportChart', chart: 'other', png: 'data:image/png;base64,AA' },
    ];
    for (const m of invalid) assert.equal(parseFromWebview(m), undefined, JSON.stringify(m));
    // Extra fields do not travel on.
    assert.deepEqual(parseFromWebview({ type: 'ready', extra: '<script>' }), { type: 'ready' });
  });

  it('folds a run’s messages into the page state without touching the old state', () => {
    const messages: ToWebview[] = [
      { type: 'init', runs: [], records: [] },
      { type: 'runStarted', config },
      { type: 'runEvent', runId: 'run-1', event: step },
      { type: 'runEvent', runId: 'other', event: step },
      { type: 'notice', level: 'info', message: 'hi' },
    ];
    const states = [EMPTY_STATE];
    for (const m of messages) states.push(reduceState(states.at(-1)!, m));
    const running = states.at(-1)!;
    assert.equal(running.activeRunId, 'run-1');
    assert.equal(running.shownRunId, 'run-1');
    assert.equal(running.records[0]!.events.length, 1);
    assert.equal(states[2]!.records[0]!.events.length, 0, 'earlier states are unchanged');
    const outcome = {
      status: 'completed' as const,
      finishedAt: '',
      epochs: 1,
      bestEpoch: 1,
      tokensPerSecond: 1,
      seconds: 1,
    };
    const done = reduceState(running, { type: 'runFinished', runId: 'run-1', outcome });
    assert.equal(done.activeRunId, undefined);
    assert.equal(done.records[0]!.outcome, outcome);
    const loaded = reduceState(done, {
      type: 'runRecord',
      record: { config: { ...config, id: 'run-0' }, events: [] },
    });
    assert.deepEqual(
      loaded.records.map((r) => r.config.id),
      ['run-1', 'run-0'],
    );
  });
});
