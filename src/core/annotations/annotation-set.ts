import type { Span } from '../types';
import { keepMatchingSpans, shiftSpans, type TextChange } from './edits';

/**
 * A human decision about a span of a document. `label` is the entity label, or `O` for a model
 * suggestion the annotator rejected (it hides the suggestion and exports as outside).
 */
export interface Annotation extends Span {
  /** The text the span was made for: a span is dropped rather than left on other text. */
  text: string;
  /** `human` when labelled by hand, `accepted` when a model suggestion was accepted as is. */
  origin: 'human' | 'accepted';
}

export const REJECTED_LABEL = 'O';

/** One undoable step: the annotations it removed and the ones it added. */
export interface AnnotationAction {
  removed: Annotation[];
  added: Annotation[];
}

export type AddResult = { ok: true; action: AnnotationAction } | { ok: false; conflict: Annotation };

export function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

const byPosition = (a: Annotation, b: Annotation) => a.start - b.start || a.end - b.end;
const sameAnnotation = (a: Annotation, b: Annotation) =>
  a.start === b.start && a.end === b.end && a.label === b.label;

/**
 * The annotations of one document with an undo/redo history. Spans never overlap; edits shift
 * both the spans and the history, so undo after typing restores the right text.
 */
export class AnnotationSet {
  private items: Annotation[];
  private undoStack: AnnotationAction[] = [];
  private redoStack: AnnotationAction[] = [];

  constructor(
    initial: readonly Annotation[] = [],
    private readonly historyLimit = 200,
  ) {
    this.items = [...initial].sort(byPosition);
  }

  /** Sorted by start offset. */
  get annotations(): readonly Annotation[] {
    return this.items;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /** The annotation covering `offset` (a cursor right after a span counts as in it). */
  at(offset: number): Annotation | undefined {
    return (
      this.items.find((a) => a.start <= offset && offset < a.end) ?? this.items.find((a) => a.end === offset)
    );
  }

  overlapping(range: { start: number; end: number }): Annotation[] {
    return this.items.filter((a) => overlaps(a, range));
  }

  /**
   * Labels a span. Refused when it overlaps a labelled annotation (other than an exact replacement
   * of the same range); rejections (`O`) under it are replaced.
   */
  label(span: Annotation): AddResult {
    const under = this.overlapping(span);
    const conflict = under.find(
      (a) => a.label !== REJECTED_LABEL && !(a.start === span.start && a.end === span.end),
    );
    if (conflict) return { ok: false, conflict };
    const action = { removed: under, added: [span] };
    this.perform(action);
    return { ok: true, action };
  }

  /** Adds several spans at once (one undo step), skipping those that would overlap. */
  labelAll(spans: readonly Annotation[]): AnnotationAction {
    const added: Annotation[] = [];
    const removed: Annotation[] = [];
    for (const span of spans) {
      const under = [...this.items, ...added].filter((a) => overlaps(a, span));
      if (under.some((a) => a.label !== REJECTED_LABEL || added.includes(a))) continue;
      removed.push(...under);
      added.push(span);
    }
    const action = { removed, added };
    if (added.length > 0) this.perform(action);
    return action;
  }

  /**
   * Removes `remove` and labels `add` as one undo step (a form correction: the field's old value
   * out, the new one in). Refused, changing nothing, when a span of `add` overlaps a labelled
   * annotation that stays (other than an exact replacement of its range); rejections under `add`
   * are replaced.
   */
  replace(remove: readonly Annotation[], add: readonly Annotation[]): AddResult {
    const removed = this.items.filter((a) => remove.some((r) => sameAnnotation(a, r)));
    const staying = this.items.filter((a) => !removed.includes(a));
    const under = staying.filter((a) => add.some((s) => overlaps(a, s)));
    const conflict = under.find(
      (a) => a.label !== REJECTED_LABEL && !add.some((s) => s.start === a.start && s.end === a.end),
    );
    if (conflict) return { ok: false, conflict };
    const action = { removed: [...removed, ...under], added: [...add] };
    if (action.removed.length > 0 || action.added.length > 0) this.perform(action);
    return { ok: true, action };
  }

  /** The step `undo` would take back, if any. */
  get nextUndo(): AnnotationAction | undefined {
    return this.undoStack.at(-1);
  }

  /** The step `redo` would do again, if any. */
  get nextRedo(): AnnotationAction | undefined {
    return this.redoStack.at(-1);
  }

  remove(annotation: Annotation): AnnotationAction | undefined {
    if (!this.items.some((a) => sameAnnotation(a, annotation))) return undefined;
    const action = { removed: [annotation], added: [] };
    this.perform(action);
    return action;
  }

  undo(): AnnotationAction | undefined {
    const action = this.undoStack.pop();
    if (!action) return undefined;
    this.applyAction({ removed: action.added, added: action.removed });
    this.redoStack.push(action);
    return action;
  }

  redo(): AnnotationAction | undefined {
    const action = this.redoStack.pop();
    if (!action) return undefined;
    this.applyAction(action);
    this.undoStack.push(action);
    return action;
  }

  /**
   * Follows an edit of the document: spans and history entries are shifted, and those the edit
   * touched are dropped. With `newText`, every span is also checked against the text it was made
   * for. Returns whether the current annotations changed (offsets or set).
   */
  applyEdits(changes: readonly TextChange[], newText?: string): boolean {
    const follow = (spans: readonly Annotation[]) => {
      const shifted = shiftSpans(spans, changes);
      return newText === undefined ? shifted : keepMatchingSpans(shifted, newText);
    };
    const before = this.items;
    this.items = follow(this.items);
    const followAction = (a: AnnotationAction) => ({ removed: follow(a.removed), added: follow(a.added) });
    this.undoStack = this.undoStack.map(followAction);
    this.redoStack = this.redoStack.map(followAction);
    return before.length !== this.items.length || before.some((a, i) => a.start !== this.items[i]!.start);
  }

  private perform(action: AnnotationAction): void {
    this.applyAction(action);
    this.undoStack.push(action);
    if (this.undoStack.length > this.historyLimit) this.undoStack.shift();
    this.redoStack = [];
  }

  private applyAction(action: AnnotationAction): void {
    const kept = this.items.filter((a) => !action.removed.some((r) => sameAnnotation(a, r)));
    // A span an edit has since made overlap another is not restored: overlaps are never allowed.
    const restored = action.added.filter((a) => !kept.some((k) => overlaps(k, a)));
    this.items = [...kept, ...restored].sort(byPosition);
  }
}
