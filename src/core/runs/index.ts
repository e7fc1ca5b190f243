export * from './events';
export * from './store';
export type * from './types';
