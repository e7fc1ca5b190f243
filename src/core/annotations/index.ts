/** Editor-independent logic of the editor experience: spans through edits, caches, storage, layers. */
export * from './annotation-set';
export * from './cache';
export * from './edits';
export * from './export';
export * from './gold';
export * from './layers';
export * from './markdown';
export * from './palette';
export * from './regions';
export * from './store';
export * from './suggestions';
