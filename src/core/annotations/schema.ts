/**
 * The project's label schema, per task: `.spanlight/labels.json` in a workspace folder, laid over
 * built-in tasks (`entities`, `listings`, `pos`). A task has a kind (spans or one tag per token),
 * its labels (with a description, a colour slot and a picker key each), and optionally the files
 * it applies to and the languages of its documents. The label picker, colours, keys and hovers
 * come from it; "New label…" adds to it.
 *
 * The file is JSON; `schemas/labels.schema.json` (contributed to VS Code) validates and completes
 * it, and this parser checks the same rules, reporting `labels.json:line: what is wrong`.
 */
import { FIELD_LABELS, FIELD_NAMES } from '../extract/fields';
import { languageFits } from '../tokens/language';
import { ENTITIES_TASK, LISTINGS_TASK, REJECTED_LABEL } from './annotation-set';
import { LABEL_SLOTS, labelSlot } from './palette';

export const SCHEMA_FILE = '.spanlight/labels.json';
export const POS_TASK = 'pos';

export type TaskKind = 'spans' | 'tokens';

export interface LabelDefinition {
  name: string;
  description?: string;
  /** Colour slot 1…8 (the theme colours `spanlight.label<N>Background`/`Border`). */
  color?: number;
  /** The key that picks the label in the label picker (one letter or digit). */
  key?: string;
}

export interface TaskDefinition {
  id: string;
  kind: TaskKind;
  title?: string;
  description?: string;
  labels: LabelDefinition[];
  /** Globs of workspace-relative paths whose documents belong to this task. */
  files?: string[];
  /** Languages of the task's documents (`en`, `fr`): models for other languages are not used. */
  languages?: string[];
}

export interface LabelSchema {
  tasks: TaskDefinition[];
}

export interface SchemaProblem {
  path: string;
  line: number;
  message: string;
}

/** The keys a label may have in labels.json (the JSON schema declares the same). */
export const LABEL_PROPERTIES = ['description', 'color', 'key'] as const;
/** The keys a task may have in labels.json. */
export const TASK_PROPERTIES = ['kind', 'title', 'description', 'labels', 'files', 'languages'] as const;

const UPOS: Array<[string, string]> = [
  ['ADJ', 'adjective'],
  ['ADP', 'adposition'],
  ['ADV', 'adverb'],
  ['AUX', 'auxiliary'],
  ['CCONJ', 'coordinating conjunction'],
  ['DET', 'determiner'],
  ['INTJ', 'interjection'],
  ['NOUN', 'noun'],
  ['NUM', 'numeral'],
  ['PART', 'particle'],
  ['PRON', 'pronoun'],
  ['PROPN', 'proper noun'],
  ['PUNCT', 'punctuation'],
  ['SCONJ', 'subordinating conjunction'],
  ['SYM', 'symbol'],
  ['VERB', 'verb'],
  ['X', 'other'],
];

/** The tasks every project has unless its labels.json redefines them. */
export const BUILTIN_SCHEMA: LabelSchema = {
  tasks: [
    {
      id: ENTITIES_TASK,
      kind: 'spans',
      title: 'Entities',
      description: 'Named entities in running text',
      labels: [
        { name: 'PER', description: 'Person (real or fictional), not a job title', color: 1, key: 'p' },
        { name: 'ORG', description: 'Organization: company, institution, team, agency', color: 2, key: 'o' },
        {
          name: 'LOC',
          description: 'Location: city, country, region, address, landmark',
          color: 3,
          key: 'l',
        },
        {
          name: 'MISC',
          description: 'Other names: events, nationalities, products, works',
          color: 4,
          key: 'm',
        },
      ],
    },
    {
      id: LISTINGS_TASK,
      kind: 'spans',
      title: 'Listing fields',
      description: 'Fields of a real-estate listing (the Extract Listing form)',
      labels: FIELD_LABELS.map((name) => ({ name, description: FIELD_NAMES[name] })),
    },
    {
      id: POS_TASK,
      kind: 'tokens',
      title: 'Part of speech',
      description: 'Universal POS tags, one per token',
      labels: UPOS.map(([name, description]) => ({ name, description })),
    },
  ],
};

export function findTask(schema: LabelSchema, id: string): TaskDefinition | undefined {
  return schema.tasks.find((t) => t.id === id);
}

/** The line (1-based) of the first `"needle"` in `content`, or 1. */
function lineOf(content: string, needle: string, from = 0): number {
  const at = content.indexOf(JSON.stringify(needle), from);
  return at < 0 ? 1 : content.slice(0, at).split('\n').length;
}

/**
 * The line (1-based) where JSON text stops being valid. JSON.parse's messages do not always say
 * where, so this finds the longest prefix that is still the start of some JSON text (a prefix
 * of a valid start is itself one, so a binary search works).
 */
function parseErrorLine(content: string): number {
  const viable = (length: number) => {
    try {
      JSON.parse(content.slice(0, length));
      return true;
    } catch (err) {
      // Cut short, not wrong: the input ended, or the error is at its very end.
      const message = (err as Error).message;
      const position = /position (\d+)/.exec(message);
      return /end of JSON input/i.test(message) || (position !== null && Number(position[1]) >= length);
    }
  };
  let good = 0;
  let bad = content.length;
  while (bad - good > 1) {
    const middle = (good + bad) >> 1;
    if (viable(middle)) good = middle;
    else bad = middle;
  }
  return content.slice(0, bad).split('\n').length;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '');

/**
 * Reads labels.json. Its tasks replace the built-in tasks of the same id; the others stay. Bad
 * entries are reported and left out; a file that is not JSON gives the built-in schema.
 */
export function parseLabelSchema(
  content: string,
  filePath: string,
): { schema: LabelSchema; problems: SchemaProblem[] } {
  const problems: SchemaProblem[] = [];
  const problem = (line: number, message: string) => problems.push({ path: filePath, line, message });
  let raw: unknown;
  try {
    raw = JSON.parse(content);
  } catch (err) {
    const message = (err as Error).message;
    problem(parseErrorLine(content), `not valid JSON: ${message}`);
    return { schema: BUILTIN_SCHEMA, problems };
  }
  if (!isObject(raw) || !isObject(raw.tasks)) {
    problem(1, 'expected an object with "tasks": { "<task>": { "kind", "labels" } }');
    return { schema: BUILTIN_SCHEMA, problems };
  }
  const own: TaskDefinition[] = [];
  for (const [id, value] of Object.entries(raw.tasks)) {
    const taskLine = lineOf(content, id);
    if (!/^[A-Za-z][\w.-]*$/.test(id)) {
      problem(taskLine, `task id ${JSON.stringify(id)} must start with a letter (letters, digits, _ . -)`);
      continue;
    }
    if (!isObject(value)) {
      problem(taskLine, `task "${id}" must be an object`);
      continue;
    }
    for (const key of Object.keys(value)) {
      if (!(TASK_PROPERTIES as readonly string[]).includes(key))
        problem(
          lineOf(content, key, content.indexOf(JSON.stringify(id))),
          `task "${id}": unknown property "${key}"`,
        );
    }
    const builtin = findTask(BUILTIN_SCHEMA, id);
    const kind = value.kind ?? builtin?.kind ?? 'spans';
    if (kind !== 'spans' && kind !== 'tokens') {
      problem(taskLine, `task "${id}": "kind" must be "spans" or "tokens"`);
      continue;
    }
    if (!isObject(value.labels)) {
      problem(taskLine, `task "${id}": "labels" must be an object of label names`);
      continue;
    }
    const labels: LabelDefinition[] = [];
    for (const [name, def] of Object.entries(value.labels)) {
      const line = lineOf(content, name, content.indexOf(JSON.stringify(id)));
      if (!/^\S+$/.test(name) || name === REJECTED_LABEL) {
        problem(line, `task "${id}": label ${JSON.stringify(name)} must be one word and not "O"`);
        continue;
      }
      const label: LabelDefinition = { name };
      if (def !== null && !isObject(def)) {
        problem(line, `label "${name}" must be an object (or {})`);
        continue;
      }
      const d = def ?? {};
      for (const key of Object.keys(d)) {
        if (!(LABEL_PROPERTIES as readonly string[]).includes(key))
          problem(line, `label "${name}": unknown property "${key}"`);
      }
      if (d.description !== undefined) {
        if (typeof d.description === 'string') label.description = d.description;
        else problem(line, `label "${name}": "description" must be a string`);
      }
      if (d.color !== undefined) {
        if (Number.isInteger(d.color) && (d.color as number) >= 1 && (d.color as number) <= LABEL_SLOTS)
          label.color = d.color as number;
        else problem(line, `label "${name}": "color" must be a colour slot from 1 to ${LABEL_SLOTS}`);
      }
      if (d.key !== undefined) {
        if (typeof d.key === 'string' && /^[a-z0-9]$/.test(d.key)) label.key = d.key;
        else problem(line, `label "${name}": "key" must be one lowercase letter or digit`);
      }
      if (label.key && labels.some((l) => l.key === label.key)) {
        problem(line, `label "${name}": key "${label.key}" is already used in task "${id}"`);
        delete label.key;
      }
      labels.push(label);
    }
    const task: TaskDefinition = { id, kind, labels };
    for (const field of ['title', 'description'] as const) {
      if (typeof value[field] === 'string') task[field] = value[field] as string;
      else if (value[field] !== undefined) problem(taskLine, `task "${id}": "${field}" must be a string`);
    }
    for (const field of ['files', 'languages'] as const) {
      if (isStringArray(value[field])) task[field] = value[field] as string[];
      else if (value[field] !== undefined)
        problem(taskLine, `task "${id}": "${field}" must be an array of strings`);
    }
    own.push(task);
  }
  const tasks = [...own, ...BUILTIN_SCHEMA.tasks.filter((b) => !own.some((t) => t.id === b.id))];
  return { schema: { tasks }, problems };
}

/** labels.json text for a schema's tasks (those given; by default all). */
export function serializeLabelSchema(tasks: readonly TaskDefinition[]): string {
  const out: Record<string, unknown> = {};
  for (const task of tasks) {
    const labels: Record<string, unknown> = {};
    for (const l of task.labels) {
      labels[l.name] = {
        ...(l.description !== undefined ? { description: l.description } : {}),
        ...(l.color !== undefined ? { color: l.color } : {}),
        ...(l.key !== undefined ? { key: l.key } : {}),
      };
    }
    out[task.id] = {
      kind: task.kind,
      ...(task.title !== undefined ? { title: task.title } : {}),
      ...(task.description !== undefined ? { description: task.description } : {}),
      ...(task.files ? { files: task.files } : {}),
      ...(task.languages ? { languages: task.languages } : {}),
      labels,
    };
  }
  return `${JSON.stringify({ tasks: out }, null, 2)}\n`;
}

/**
 * The labels.json content after adding `label` to `taskId`. `content` is the current file (or
 * undefined when there is none: the file starts with the built-in task). The file's other tasks
 * and labels are kept as they are.
 */
export function addLabelToSchemaFile(
  content: string | undefined,
  taskId: string,
  label: LabelDefinition,
): string {
  const raw: { tasks: Record<string, Record<string, unknown>> } & Record<string, unknown> =
    content === undefined ? { tasks: {} } : JSON.parse(content);
  if (!isObject(raw.tasks)) raw.tasks = {};
  let task = raw.tasks[taskId];
  if (!isObject(task)) {
    const builtin = findTask(BUILTIN_SCHEMA, taskId);
    task = JSON.parse(serializeLabelSchema([builtin ?? { id: taskId, kind: 'spans', labels: [] }])).tasks[
      taskId
    ] as Record<string, unknown>;
    raw.tasks[taskId] = task;
  }
  if (!isObject(task.labels)) task.labels = {};
  const labels = task.labels as Record<string, unknown>;
  if (!(label.name in labels)) {
    labels[label.name] = {
      ...(label.description !== undefined ? { description: label.description } : {}),
      ...(label.color !== undefined ? { color: label.color } : {}),
      ...(label.key !== undefined ? { key: label.key } : {}),
    };
  }
  return `${JSON.stringify(raw, null, 2)}\n`;
}

/** The colour slot of a label in a task: its schema colour, else the deterministic slot. */
export function labelColor(task: TaskDefinition | undefined, label: string): number {
  return task?.labels.find((l) => l.name === label)?.color ?? labelSlot(label);
}

/** The schema's description of a label, if it has one. */
export function labelDescription(task: TaskDefinition | undefined, label: string): string | undefined {
  return task?.labels.find((l) => l.name === label)?.description;
}

/**
 * Picker keys for labels: the schema's own keys first, then each label's first free letter, then
 * digits.
 */
export function labelKeys(labels: readonly string[], task?: TaskDefinition): Map<string, string> {
  const keys = new Map<string, string>();
  const taken = new Set<string>();
  for (const label of labels) {
    const key = task?.labels.find((l) => l.name === label)?.key;
    if (key && !taken.has(key)) {
      keys.set(label, key);
      taken.add(key);
    }
  }
  for (const label of labels) {
    if (keys.has(label)) continue;
    const key = [...label.toLowerCase()].find((ch) => /[a-z]/.test(ch) && !taken.has(ch));
    if (key) {
      keys.set(label, key);
      taken.add(key);
    }
  }
  let digit = 1;
  for (const label of labels) {
    while (taken.has(String(digit)) && digit <= 9) digit++;
    if (keys.has(label) || digit > 9) continue;
    keys.set(label, String(digit));
    taken.add(String(digit++));
  }
  return keys;
}

/** A glob (`**`, `*`, `?`, `{a,b}`) as a regular expression over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) out += '\\{';
      else {
        out += `(?:${glob
          .slice(i + 1, close)
          .split(',')
          .map((part) => part.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
          .join('|')})`;
        i = close;
      }
    } else out += ch.replace(/[.+^$()|[\]\\}]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/**
 * The span task a document is annotated for: the one chosen for it (remembered per document),
 * else the first task whose `files` match its path, else the task of its existing annotations,
 * else `entities`.
 */
export function taskForDocument(
  schema: LabelSchema,
  relativePath: string | undefined,
  hints: { chosen?: string | undefined; annotatedTasks?: readonly string[] } = {},
): TaskDefinition {
  const spanTasks = schema.tasks.filter((t) => t.kind === 'spans');
  const byId = (id: string | undefined) => spanTasks.find((t) => t.id === id);
  const chosen = byId(hints.chosen);
  if (chosen) return chosen;
  if (relativePath !== undefined) {
    const path = relativePath.replace(/\\/g, '/');
    const matched = spanTasks.find((t) => t.files?.some((glob) => globToRegExp(glob).test(path)));
    if (matched) return matched;
  }
  for (const id of hints.annotatedTasks ?? []) {
    const annotated = byId(id);
    if (annotated) return annotated;
  }
  return byId(ENTITIES_TASK) ?? spanTasks[0] ?? findTask(BUILTIN_SCHEMA, ENTITIES_TASK)!;
}

/** What choosing a model for a task needs to know about it. */
export interface ModelFacts {
  kind: TaskKind;
  /** Entity types (span models) or tags (token models). */
  labels: readonly string[];
  /** The card's `language` (`en`, `fr,en`); unknown when absent. */
  language?: string | undefined;
}

/**
 * Whether a model may tag a task's documents in `language`: the same kind, a span model's labels
 * all in the task's schema (an English NER model never fills listing fields), and its language
 * the document's (or, when the document's is unknown, one of the task's languages).
 */
export function modelFitsTask(
  model: ModelFacts,
  task: TaskDefinition,
  language: string | undefined,
): boolean {
  if (model.kind !== task.kind) return false;
  if (task.kind === 'spans') {
    const known = new Set(task.labels.map((l) => l.name));
    if (model.labels.length === 0 || !model.labels.every((l) => known.has(l))) return false;
  }
  if (language !== undefined) return languageFits(model.language, language);
  return !task.languages || task.languages.some((l) => languageFits(model.language, l));
}
