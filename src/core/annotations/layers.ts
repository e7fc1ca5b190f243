/**
 * What to draw in one editor, independent of the editor API: a list of spans per decoration
 * layer. Human annotations win over model suggestions they overlap; a rejection (`O`) hides the
 * suggestion and is drawn as a struck-through hint, so the decision stays visible.
 */
import type { Span } from '../types';
import { type Annotation, overlaps, REJECTED_LABEL } from './annotation-set';
import type { GoldToken } from './gold';
import type { EntitySuggestion, TokenSuggestion } from './suggestions';

export type DisplayMode = 'entities' | 'pos' | 'both' | 'off';

/** The display mode with one layer (entities or part of speech) switched on or off, the other kept. */
export function toggleLayer(mode: DisplayMode, layer: 'entities' | 'pos'): DisplayMode {
  const shows = { entities: mode === 'entities' || mode === 'both', pos: mode === 'pos' || mode === 'both' };
  shows[layer] = !shows[layer];
  if (shows.entities) return shows.pos ? 'both' : 'entities';
  return shows.pos ? 'pos' : 'off';
}

export type LayerKind = 'suggested' | 'annotated' | 'rejected' | 'gold' | 'pos';

export interface LayerKey {
  kind: LayerKind;
  label: string;
}

export const layerId = (key: LayerKey) => `${key.kind}:${key.label}`;

/** The kind and label of a layer id (the inverse of `layerId`; labels may contain `:`). */
export function parseLayerId(id: string): LayerKey {
  const at = id.indexOf(':');
  return { kind: id.slice(0, at) as LayerKind, label: id.slice(at + 1) };
}

export interface LayerInput {
  mode: DisplayMode;
  annotations: readonly Annotation[];
  entities: readonly EntitySuggestion[];
  posTokens: readonly TokenSuggestion[];
  gold?: readonly GoldToken[];
  /** Suggestions below this confidence are not drawn. */
  minConfidence?: number;
  /** POS is drawn only when true (long documents turn it off). */
  showPos?: boolean;
}

/** Spans per layer id (`annotated:PER` …), each list sorted by offset. */
export function planLayers(input: LayerInput): Map<string, Span[]> {
  const layers = new Map<string, Span[]>();
  const add = (kind: LayerKind, span: Span) => {
    const id = layerId({ kind, label: span.label });
    const list = layers.get(id);
    if (list) list.push({ start: span.start, end: span.end, label: span.label });
    else layers.set(id, [{ start: span.start, end: span.end, label: span.label }]);
  };
  const entitiesOn = input.mode === 'entities' || input.mode === 'both';
  const posOn = (input.mode === 'pos' || input.mode === 'both') && (input.showPos ?? true);
  if (entitiesOn) {
    for (const token of input.gold ?? []) add('gold', token);
    for (const a of input.annotations) add(a.label === REJECTED_LABEL ? 'rejected' : 'annotated', a);
    const minConfidence = input.minConfidence ?? 0;
    for (const s of visibleSuggestions(input.entities, input.annotations)) {
      if (s.confidence >= minConfidence) add('suggested', s);
    }
  }
  if (posOn) for (const t of input.posTokens) add('pos', t);
  for (const list of layers.values()) list.sort((a, b) => a.start - b.start);
  return layers;
}

/** Suggestions not covered by an annotation (annotations are sorted, so this is a merge). */
export function visibleSuggestions<T extends { start: number; end: number }>(
  suggestions: readonly T[],
  annotations: readonly Annotation[],
): T[] {
  if (annotations.length === 0) return [...suggestions];
  return suggestions.filter((s) => !annotations.some((a) => overlaps(a, s)));
}
