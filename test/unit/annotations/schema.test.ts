import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  addLabelToSchemaFile,
  BUILTIN_SCHEMA,
  findTask,
  globToRegExp,
  LABEL_PROPERTIES,
  labelColor,
  labelKeys,
  modelFitsTask,
  parseLabelSchema,
  serializeLabelSchema,
  TASK_PROPERTIES,
  taskForDocument,
} from '../../../src/core/annotations/schema';
import { repoRoot } from './helpers';

const file = [
  '{',
  '  "tasks": {',
  '    "entities": {',
  '      "kind": "spans",',
  '      "files": ["news/**"],',
  '      "languages": ["en"],',
  '      "labels": {',
  '        "PER": { "description": "People", "color": 5, "key": "e" },',
  '        "PRODUCT": { "description": "Things sold", "color": 9 },',
  '        "O": {}',
  '      }',
  '    },',
  '    "recipes": { "kind": "spans", "files": ["**/*.recipe.md"], "labels": { "INGREDIENT": null }, "colour": 2 }',
  '  }',
  '}',
].join('\n');

describe('label schema', () => {
  it('reads labels.json over the built-in tasks, and reports each bad entry with its line', () => {
    const { schema, problems } = parseLabelSchema(file, 'labels.json');
    const entities = findTask(schema, 'entities')!;
    assert.deepEqual(
      entities.labels.map((l) => l.name),
      ['PER', 'PRODUCT'],
      'replaces the built-in entities task',
    );
    assert.deepEqual(entities.labels[0], { name: 'PER', description: 'People', color: 5, key: 'e' });
    assert.equal(entities.labels[1]!.color, undefined, 'an out-of-range colour is dropped');
    assert.deepEqual(findTask(schema, 'recipes')!.labels, [{ name: 'INGREDIENT' }]);
    assert.ok(findTask(schema, 'listings'), 'built-in tasks not named stay');
    assert.deepEqual(
      problems.map((p) => `${p.line}: ${p.message}`),
      [
        '9: label "PRODUCT": "color" must be a colour slot from 1 to 8',
        '10: task "entities": label "O" must be one word and not "O"',
        '13: task "recipes": unknown property "colour"',
      ],
    );
    const broken = parseLabelSchema('{\n  "tasks": {\n    "x": \n}', 'labels.json');
    assert.equal(broken.schema, BUILTIN_SCHEMA);
    assert.match(`${broken.problems[0]!.line}: ${broken.problems[0]!.message}`, /^4: not valid JSON/);
  });

  it('round-trips through its own serialization without problems', () => {
    const text = serializeLabelSchema(BUILTIN_SCHEMA.tasks);
    const { schema, problems } = parseLabelSchema(text, 'labels.json');
    assert.deepEqual(problems, []);
    assert.deepEqual(schema.tasks, BUILTIN_SCHEMA.tasks);
  });

  it('adds a new label to a task, keeping the rest of the file', () => {
    const added = addLabelToSchemaFile(file, 'recipes', { name: 'TOOL' });
    const { schema } = parseLabelSchema(added, 'labels.json');
    assert.deepEqual(
      findTask(schema, 'recipes')!.labels.map((l) => l.name),
      ['INGREDIENT', 'TOOL'],
    );
    assert.ok(findTask(schema, 'entities')!.labels.some((l) => l.name === 'PRODUCT'));
    const fresh = parseLabelSchema(
      addLabelToSchemaFile(undefined, 'entities', { name: 'EVENT' }),
      'labels.json',
    );
    assert.deepEqual(
      findTask(fresh.schema, 'entities')!.labels.map((l) => l.name),
      ['PER', 'ORG', 'LOC', 'MISC', 'EVENT'],
      'a new file starts from the built-in task',
    );
  });

  it('picks a document’s task: chosen, then files, then its annotations, then entities', () => {
    const { schema } = parseLabelSchema(file, 'labels.json');
    assert.equal(taskForDocument(schema, 'news/today.md').id, 'entities');
    assert.equal(taskForDocument(schema, 'cakes/lemon.recipe.md').id, 'recipes');
    assert.equal(taskForDocument(schema, 'cakes/lemon.recipe.md', { chosen: 'listings' }).id, 'listings');
    assert.equal(taskForDocument(schema, 'other.txt', { annotatedTasks: ['listings'] }).id, 'listings');
    assert.equal(taskForDocument(schema, 'other.txt').id, 'entities');
    assert.equal(
      taskForDocument(schema, 'other.txt', { chosen: 'pos' }).id,
      'entities',
      'pos is not a span task',
    );
    assert.ok(globToRegExp('**/*.{md,txt}').test('a/b/c.txt'));
    assert.ok(globToRegExp('**/*.{md,txt}').test('c.md'));
    assert.ok(!globToRegExp('listings/*').test('listings/a/b.txt'));
  });

  it('lets a model tag a task only with the task’s labels and the document’s language', () => {
    const entities = findTask(BUILTIN_SCHEMA, 'entities')!;
    const listings = findTask(BUILTIN_SCHEMA, 'listings')!;
    const ner = { kind: 'spans' as const, labels: ['LOC', 'ORG', 'PER'], language: 'en' };
    const realEstate = {
      kind: 'spans' as const,
      labels: ['OWNER', 'PHONE', 'PRICE', 'REF', 'ROOMS', 'SURFACE', 'YEAR'],
      language: 'fr,en',
    };
    assert.ok(modelFitsTask(ner, entities, 'en'));
    assert.ok(!modelFitsTask(ner, entities, 'fr'), 'an English NER model on a French document');
    assert.ok(!modelFitsTask(ner, listings, 'en'), 'NER labels are not listing fields');
    assert.ok(modelFitsTask(realEstate, listings, 'fr'));
    assert.ok(!modelFitsTask(realEstate, entities, 'fr'));
    assert.ok(
      modelFitsTask({ ...ner, language: undefined }, entities, 'fr'),
      'a model that names no language',
    );
    assert.ok(modelFitsTask(ner, entities, undefined), 'a document whose language is unknown');
    assert.ok(
      !modelFitsTask(ner, { ...entities, languages: ['de'] }, undefined),
      'then the task’s languages',
    );
    assert.ok(!modelFitsTask({ kind: 'tokens', labels: ['NOUN'] }, entities, 'en'));
  });

  it('gives labels their schema colours and keys, then free letters and digits', () => {
    const { schema } = parseLabelSchema(file, 'labels.json');
    const entities = findTask(schema, 'entities')!;
    assert.equal(labelColor(entities, 'PER'), 5);
    assert.equal(labelColor(findTask(BUILTIN_SCHEMA, 'entities'), 'PER'), 1);
    const keys = labelKeys(['PER', 'PRODUCT', 'PRICE', 'P', 'PP'], entities);
    assert.equal(keys.get('PER'), 'e');
    assert.equal(keys.get('PRODUCT'), 'p');
    assert.equal(keys.get('PRICE'), 'r');
    assert.equal(new Set(keys.values()).size, keys.size, 'keys are distinct');
  });

  it('agrees with the JSON schema VS Code validates labels.json with', () => {
    const jsonSchema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas/labels.schema.json'), 'utf8'));
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    assert.deepEqual(pkg.contributes.jsonValidation, [
      { fileMatch: '**/.spanlight/labels.json', url: './schemas/labels.schema.json' },
    ]);
    assert.deepEqual(Object.keys(jsonSchema.definitions.task.properties).sort(), [...TASK_PROPERTIES].sort());
    assert.deepEqual(
      Object.keys(jsonSchema.definitions.label.properties).sort(),
      [...LABEL_PROPERTIES].sort(),
    );
    assert.deepEqual(
      Object.keys(jsonSchema.properties.tasks.properties).sort(),
      BUILTIN_SCHEMA.tasks.map((t) => t.id).sort(),
    );
  });
});
