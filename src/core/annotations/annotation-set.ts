import type { Span } from '../types';
import { keepMatchingSpans, type OffsetRange, shiftSpans, type TextChange } from './edits';

/**
 * A human decision about a span of a document, for one task (`entities`, `listings`, …: tasks are
 * kept apart, so a listing field and a news entity never meet in one export). `label` is the
 * entity label, or `O` for a model suggestion the annotator rejected: a rejection hides the
 * suggestion and makes its tokens outside (`O`) in the training data; it is never a label.
 */
export interface Annotation extends Span {
  /** The text the span was made for: a span is dropped rather than left on other text. */
  text: string;
  /** `human` when labelled by hand, `accepted` when a model suggestion was accepted as is. */
  origin: 'human' | 'accepted';
  /** The task (label schema) the span belongs to. */
  task: string;
}

export const REJECTED_LABEL = 'O';

/** The task of news-style entities (PER, ORG, LOC, …), the default. */
export const ENTITIES_TASK = 'entities';
/** The task of listing-template fields (REF, PRICE, …). */
export const LISTINGS_TASK = 'listings';

/**
 * A sentence the annotator reviewed for a task: every entity in it is annotated (anything else is
 * outside), so it may become training data. Kept with its text, like an annotation.
 */
export interface SentenceReview extends OffsetRange {
  text: string;
  task: string;
}

/** One undoable step: the annotations and sentence reviews it removed and the ones it added. */
export interface AnnotationAction {
  removed: Annotation[];
  added: Annotation[];
  unreviewed: SentenceReview[];
  reviewed: SentenceReview[];
}

export type AddResult = { ok: true; action: AnnotationAction } | { ok: false; conflict: Annotation };

export function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Two spans that may not both be kept: they overlap within one task. */
export const clashes = (a: Annotation, b: Annotation) => a.task === b.task && overlaps(a, b);

const byPosition = (a: OffsetRange, b: OffsetRange) => a.start - b.start || a.end - b.end;
const sameAnnotation = (a: Annotation, b: Annotation) =>
  a.start === b.start && a.end === b.end && a.label === b.label && a.task === b.task;
const sameReview = (a: SentenceReview, b: SentenceReview) =>
  a.start === b.start && a.end === b.end && a.task === b.task;

const action = (parts: Partial<AnnotationAction>): AnnotationAction => ({
  removed: [],
  added: [],
  unreviewed: [],
  reviewed: [],
  ...parts,
});

/** An action that changed nothing (every span skipped, every sentence already reviewed). */
export const isNoAction = (a: AnnotationAction) =>
  a.removed.length + a.added.length + a.unreviewed.length + a.reviewed.length === 0;

/**
 * The annotations and sentence reviews of one document with an undo/redo history. Spans of one
 * task never overlap; edits shift spans, reviews and the history, so undo after typing restores
 * the right text.
 */
export class AnnotationSet {
  private items: Annotation[];
  private reviewItems: SentenceReview[];
  private undoStack: AnnotationAction[] = [];
  private redoStack: AnnotationAction[] = [];

  constructor(
    initial: readonly Annotation[] = [],
    reviews: readonly SentenceReview[] = [],
    private readonly historyLimit = 200,
  ) {
    this.items = [...initial].sort(byPosition);
    this.reviewItems = [...reviews].sort(byPosition);
  }

  /** Sorted by start offset (every task). */
  get annotations(): readonly Annotation[] {
    return this.items;
  }

  /** Reviewed sentences, sorted by start offset (every task). */
  get reviews(): readonly SentenceReview[] {
    return this.reviewItems;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /** Whether nothing is kept and nothing can be undone or redone. */
  get isBlank(): boolean {
    return this.items.length === 0 && this.reviewItems.length === 0 && !this.canUndo && !this.canRedo;
  }

  /** The annotation of `task` covering `offset` (a cursor right after a span counts as in it). */
  at(offset: number, task: string): Annotation | undefined {
    const own = this.items.filter((a) => a.task === task);
    return own.find((a) => a.start <= offset && offset < a.end) ?? own.find((a) => a.end === offset);
  }

  overlapping(range: { start: number; end: number }, task: string): Annotation[] {
    return this.items.filter((a) => a.task === task && overlaps(a, range));
  }

  /** Whether the sentence `[start, end)` is reviewed for `task`. */
  isReviewed(sentence: OffsetRange, task: string): boolean {
    return this.reviewItems.some(
      (r) => r.task === task && r.start === sentence.start && r.end === sentence.end,
    );
  }

  /**
   * Labels a span. Refused when it overlaps a labelled annotation of its task (other than an exact
   * replacement of the same range); rejections (`O`) under it are replaced.
   */
  label(span: Annotation): AddResult {
    const under = this.overlapping(span, span.task);
    const conflict = under.find(
      (a) => a.label !== REJECTED_LABEL && !(a.start === span.start && a.end === span.end),
    );
    if (conflict) return { ok: false, conflict };
    const done = action({ removed: under, added: [span] });
    this.perform(done);
    return { ok: true, action: done };
  }

  /** Adds several spans at once (one undo step), skipping those that would overlap. */
  labelAll(spans: readonly Annotation[]): AnnotationAction {
    return this.review(spans, []);
  }

  /**
   * Marks sentences reviewed and adds spans (a sentence's remaining suggestions, accepted) in one
   * undo step. Spans that would overlap a labelled annotation are skipped; sentences already
   * reviewed are not marked twice.
   */
  review(spans: readonly Annotation[], sentences: readonly SentenceReview[]): AnnotationAction {
    const added: Annotation[] = [];
    const removed: Annotation[] = [];
    for (const span of spans) {
      const under = [...this.items, ...added].filter((a) => clashes(a, span));
      if (under.some((a) => a.label !== REJECTED_LABEL || added.includes(a))) continue;
      removed.push(...under);
      added.push(span);
    }
    const reviewed = sentences.filter((s) => !this.isReviewed(s, s.task));
    const done = action({ removed, added, reviewed });
    if (!isNoAction(done)) this.perform(done);
    return done;
  }

  /** Marks sentences as not reviewed (one undo step). */
  unreview(sentences: readonly SentenceReview[]): AnnotationAction {
    const unreviewed = this.reviewItems.filter((r) => sentences.some((s) => sameReview(r, s)));
    const done = action({ unreviewed });
    if (!isNoAction(done)) this.perform(done);
    return done;
  }

  /**
   * Removes `remove` and labels `add` as one undo step: a form correction (the field's old value
   * out, the new one in), a boundary edit, a merge or a split. Refused, changing nothing, when a
   * span of `add` overlaps a labelled annotation of its task that stays (other than an exact
   * replacement of its range); rejections under `add` are replaced.
   */
  replace(remove: readonly Annotation[], add: readonly Annotation[]): AddResult {
    const removed = this.items.filter((a) => remove.some((r) => sameAnnotation(a, r)));
    const staying = this.items.filter((a) => !removed.includes(a));
    const under = staying.filter((a) => add.some((s) => clashes(a, s)));
    const conflict = under.find(
      (a) => a.label !== REJECTED_LABEL && !add.some((s) => s.start === a.start && s.end === a.end),
    );
    if (conflict) return { ok: false, conflict };
    const done = action({ removed: [...removed, ...under], added: [...add] });
    if (!isNoAction(done)) this.perform(done);
    return { ok: true, action: done };
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
    return this.removeAll([annotation]);
  }

  /** Removes several annotations in one undo step; undefined when none of them is here. */
  removeAll(annotations: readonly Annotation[]): AnnotationAction | undefined {
    const removed = this.items.filter((a) => annotations.some((r) => sameAnnotation(a, r)));
    if (removed.length === 0) return undefined;
    const done = action({ removed });
    this.perform(done);
    return done;
  }

  undo(): AnnotationAction | undefined {
    const done = this.undoStack.pop();
    if (!done) return undefined;
    this.applyAction({
      removed: done.added,
      added: done.removed,
      unreviewed: done.reviewed,
      reviewed: done.unreviewed,
    });
    this.redoStack.push(done);
    return done;
  }

  redo(): AnnotationAction | undefined {
    const done = this.redoStack.pop();
    if (!done) return undefined;
    this.applyAction(done);
    this.undoStack.push(done);
    return done;
  }

  /**
   * Follows an edit of the document: spans, reviews and history entries are shifted, and those the
   * edit touched are dropped (a sentence typed into must be reviewed again). With `newText`, each
   * is also checked against the text it was made for. Returns whether anything current changed.
   */
  applyEdits(changes: readonly TextChange[], newText?: string): boolean {
    const follow = <T extends OffsetRange & { text: string }>(spans: readonly T[]) => {
      const shifted = shiftSpans(spans, changes);
      return newText === undefined ? shifted : keepMatchingSpans(shifted, newText);
    };
    const before = [...this.items, ...this.reviewItems];
    this.items = follow(this.items);
    this.reviewItems = follow(this.reviewItems);
    const followAction = (a: AnnotationAction): AnnotationAction => ({
      removed: follow(a.removed),
      added: follow(a.added),
      unreviewed: follow(a.unreviewed),
      reviewed: follow(a.reviewed),
    });
    this.undoStack = this.undoStack.map(followAction);
    this.redoStack = this.redoStack.map(followAction);
    const after = [...this.items, ...this.reviewItems];
    return before.length !== after.length || before.some((a, i) => a.start !== after[i]!.start);
  }

  private perform(done: AnnotationAction): void {
    this.applyAction(done);
    this.undoStack.push(done);
    if (this.undoStack.length > this.historyLimit) this.undoStack.shift();
    this.redoStack = [];
  }

  private applyAction(done: AnnotationAction): void {
    const kept = this.items.filter((a) => !done.removed.some((r) => sameAnnotation(a, r)));
    // A span an edit has since made overlap another is not restored: overlaps are never allowed.
    const restored = done.added.filter((a) => !kept.some((k) => clashes(k, a)));
    this.items = [...kept, ...restored].sort(byPosition);
    const reviews = this.reviewItems.filter((r) => !done.unreviewed.some((u) => sameReview(r, u)));
    const marked = done.reviewed.filter((r) => !reviews.some((k) => sameReview(k, r)));
    this.reviewItems = [...reviews, ...marked].sort(byPosition);
  }
}
