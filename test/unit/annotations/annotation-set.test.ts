import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Annotation, AnnotationSet } from '../../../src/core/annotations/annotation-set';
import { applyChanges } from '../../../src/core/annotations/edits';

const text = 'Apple hired Tim Cook in London last year.';
const ann = (s: string, label: string, origin: Annotation['origin'] = 'human'): Annotation => {
  const start = text.indexOf(s);
  assert.ok(start >= 0, s);
  return { start, end: start + s.length, label, text: s, origin, task: 'entities' };
};

describe('AnnotationSet', () => {
  it('refuses a span that overlaps a labelled one and says which', () => {
    const set = new AnnotationSet();
    assert.ok(set.label(ann('Tim Cook', 'PER')).ok);
    const refused = set.label(ann('Cook in London', 'LOC'));
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.conflict.text, 'Tim Cook');
    assert.deepEqual(
      set.annotations.map((a) => a.text),
      ['Tim Cook'],
    );
  });

  it('relabels the same range and replaces rejections under a new label', () => {
    const set = new AnnotationSet([ann('London', 'O')]);
    assert.ok(set.label(ann('London', 'LOC')).ok);
    assert.ok(set.label(ann('London', 'GPE')).ok);
    assert.deepEqual(
      set.annotations.map((a) => `${a.text}/${a.label}`),
      ['London/GPE'],
    );
  });

  it('undoes and redoes labelling, removal and bulk accepts step by step', () => {
    const set = new AnnotationSet();
    set.label(ann('Apple', 'ORG'));
    set.labelAll([ann('Tim Cook', 'PER', 'accepted'), ann('London', 'LOC', 'accepted'), ann('Cook', 'PER')]);
    assert.deepEqual(
      set.annotations.map((a) => a.text),
      ['Apple', 'Tim Cook', 'London'],
      'overlapping one skipped',
    );
    set.remove(set.at(text.indexOf('London'), 'entities')!);
    assert.deepEqual(
      set.annotations.map((a) => a.text),
      ['Apple', 'Tim Cook'],
    );
    set.undo();
    assert.deepEqual(
      set.annotations.map((a) => a.text),
      ['Apple', 'Tim Cook', 'London'],
    );
    set.undo();
    assert.deepEqual(
      set.annotations.map((a) => a.text),
      ['Apple'],
    );
    set.redo();
    assert.deepEqual(
      set.annotations.map((a) => a.text),
      ['Apple', 'Tim Cook', 'London'],
    );
    assert.ok(set.canRedo);
    set.label(ann('year', 'DATE'));
    assert.equal(set.canRedo, false, 'a new action clears the redo stack');
  });

  it('replaces a value as one step (a form correction), refusing overlaps, and tells what undo and redo would do', () => {
    const set = new AnnotationSet([ann('last year', 'O')]);
    set.label(ann('Apple', 'ORG'));
    const old = ann('Tim', 'PER');
    set.label(old);
    const result = set.replace([old], [ann('Tim Cook', 'PER'), ann('last year', 'DATE')]);
    assert.ok(result.ok);
    const shown = () => set.annotations.map((a) => `${a.text}/${a.label}`);
    assert.deepEqual(shown(), ['Apple/ORG', 'Tim Cook/PER', 'last year/DATE']);
    assert.deepEqual(
      set.nextUndo?.added.map((a) => a.text),
      ['Tim Cook', 'last year'],
    );
    // One undo takes the whole correction back (the old value and the rejection return).
    set.undo();
    assert.deepEqual(shown(), ['Apple/ORG', 'Tim/PER', 'last year/O']);
    assert.deepEqual(
      set.nextRedo?.removed.map((a) => a.text),
      ['Tim', 'last year'],
    );
    set.redo();
    assert.deepEqual(shown(), ['Apple/ORG', 'Tim Cook/PER', 'last year/DATE']);
    // A span over a labelled annotation that stays is refused, and nothing changes.
    const refused = set.replace([], [ann('Apple hired', 'ORG')]);
    assert.equal(!refused.ok && refused.conflict.text, 'Apple');
    assert.deepEqual(shown(), ['Apple/ORG', 'Tim Cook/PER', 'last year/DATE']);
    assert.equal(set.nextRedo, undefined);
  });

  it('follows edits, and undo after an edit restores the span on its moved text', () => {
    const set = new AnnotationSet();
    set.label(ann('London', 'LOC'));
    const change = { rangeOffset: 0, rangeLength: 0, text: 'Yesterday, ' };
    const edited = applyChanges(text, [change]);
    assert.ok(set.applyEdits([change], edited));
    const london = set.annotations[0]!;
    assert.equal(edited.slice(london.start, london.end), 'London');
    set.undo();
    assert.equal(set.annotations.length, 0);
    set.redo();
    assert.equal(edited.slice(set.annotations[0]!.start, set.annotations[0]!.end), 'London');
  });

  it('drops a span whose text an edit deleted, also from the history', () => {
    const set = new AnnotationSet();
    set.label(ann('Tim Cook', 'PER'));
    const start = text.indexOf('Tim Cook');
    set.applyEdits([{ rangeOffset: start, rangeLength: 8, text: 'someone' }]);
    assert.equal(set.annotations.length, 0);
    set.undo();
    set.redo();
    assert.equal(set.annotations.length, 0, 'redo cannot bring back a span on deleted text');
  });

  it('finds the annotation at a cursor, including right after it', () => {
    const set = new AnnotationSet([ann('Tim Cook', 'PER')]);
    const start = text.indexOf('Tim Cook');
    assert.equal(set.at(start, 'entities')?.text, 'Tim Cook');
    assert.equal(set.at(start + 8, 'entities')?.text, 'Tim Cook');
    assert.equal(set.at(start - 1, 'entities'), undefined);
    assert.equal(set.at(start, 'listings'), undefined, 'another task has nothing there');
  });
});
