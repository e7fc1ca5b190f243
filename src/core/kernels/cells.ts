import type { Cell } from './cell';
import { gruCell } from './gru-cell';
import { lstmCell } from './lstm-cell';
import type { CellKind, CellWeights, GruWeights, LstmWeights } from './types';

/** The cell of each kind. */
export function cellFor(kind: 'lstm'): Cell<LstmWeights>;
export function cellFor(kind: 'gru'): Cell<GruWeights>;
export function cellFor(kind: CellKind): Cell;
export function cellFor(kind: CellKind): Cell {
  return (kind === 'gru' ? gruCell : lstmCell) as Cell;
}

/** The cell whose weights these are (a GRU's have gate and candidate kernels, an LSTM's one kernel). */
export function cellOf<W extends CellWeights>(weights: W): Cell<W> {
  return ('gateKernel' in weights ? gruCell : lstmCell) as unknown as Cell<W>;
}
