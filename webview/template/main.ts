/**
 * The listing template page: the seven fields of the followed document as a form. Every value
 * comes from a user's document, so the DOM is built with text nodes only (webview/shared/dom.ts).
 * State is kept with `setState` so a reload shows the last record at once.
 *
 * A value typed in a field is kept as typed while the user types (a new record from the extension
 * does not overwrite it) and while it is being saved; the extension then answers for that field:
 * saved (the new record follows), or refused, and the field shows its real value again. The answer
 * stays under the field, saying what was saved and, when it differs from what was typed, why.
 * Undo and Redo (also Ctrl+Alt+Z, Ctrl+Alt+Shift+Z) walk the document's annotation history, the
 * same one as the editor's Undo/Redo Annotation.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import './main.css';
import { FIELD_NAMES } from '../../src/core/extract/fields';
import {
  assertNever,
  EMPTY_TEMPLATE_STATE,
  reduceTemplateState,
  TEMPLATE_FIELDS,
  type TemplateChoice,
  type TemplateField,
  type TemplateFieldLabel,
  type TemplateFieldNote,
  type TemplateFromWebview,
  type TemplateRecord,
  type TemplateState,
  type TemplateToWebview,
} from '../protocol';
import { h } from '../shared/dom';
import { vscodeApi } from '../shared/vscode-api';

const SOURCE_NAMES: Record<TemplateChoice['source'], string> = {
  model: 'model',
  rules: 'rules',
  annotation: 'your correction',
};

const api = vscodeApi<TemplateFromWebview, TemplateState>();
let state: TemplateState = api.getState() ?? EMPTY_TEMPLATE_STATE;
const post = (message: TemplateFromWebview) => api.postMessage(message);

const percent = (confidence: number) => `${Math.round(100 * confidence)}%`;

/** Values typed and not yet answered for, by field: redraws show them instead of the record's. */
const drafts = new Map<TemplateFieldLabel, string>();
/** Fields whose typed value was sent and awaits the extension's answer. */
const pending = new Set<TemplateFieldLabel>();
let redrawing = false;

// ---- skeleton ---------------------------------------------------------------------------------

const title = h('h1', { id: 'document-name' }, 'Listing');
const extractor = h('p', { id: 'extractor', class: 'muted' });
const busy = h('vscode-progress-ring', { id: 'busy', 'aria-label': 'Extracting' });
const notice = h('p', { id: 'notice', class: 'notice', role: 'status', 'aria-live': 'polite' });
const empty = h('p', { id: 'empty', class: 'muted' });
const form = h('form', { id: 'fields', class: 'fields', 'aria-label': 'Listing fields' });
form.addEventListener('submit', (e) => e.preventDefault());
busy.hidden = true;

const historyButton = (kind: 'undo' | 'redo', text: string, keys: string) => {
  const button = h('vscode-button', { id: kind, secondary: '', 'data-keys': keys }, text);
  button.addEventListener('click', () => requestHistory(kind));
  return button;
};
const undoButton = historyButton('undo', 'Undo', 'Ctrl+Alt+Z');
const redoButton = historyButton('redo', 'Redo', 'Ctrl+Alt+Shift+Z');
const toolbar = h(
  'div',
  { class: 'toolbar', role: 'toolbar', 'aria-label': 'Annotation history' },
  undoButton,
  redoButton,
);

document.body.append(
  h('header', {}, h('div', { class: 'title-row' }, title, busy), extractor, toolbar, notice),
  empty,
  form,
);

function requestHistory(kind: 'undo' | 'redo'): void {
  const record = state.record;
  if (record && record.history[kind] !== null) post({ type: kind, documentUri: record.documentUri });
}

// The editor's keys for Undo/Redo Annotation work in the form too (Cmd on macOS).
window.addEventListener('keydown', (e) => {
  if (!(e.ctrlKey || e.metaKey) || !e.altKey || e.code !== 'KeyZ') return;
  e.preventDefault();
  requestHistory(e.shiftKey ? 'redo' : 'undo');
});

// ---- rendering --------------------------------------------------------------------------------

type TextField = HTMLElement & { value: string; updateComplete: Promise<unknown> };

function revealLink(record: TemplateRecord, label: TemplateFieldLabel, choice: TemplateChoice): HTMLElement {
  const span = choice.spans[0]!;
  const link = h(
    'a',
    {
      href: '#',
      class: 'reveal',
      'data-start': String(span.start),
      'data-end': String(span.end),
      title: `Select “${span.text}” in ${record.documentName}`,
      'aria-label': `Show the ${FIELD_NAMES[label]} in the text`,
    },
    `“${span.text}”`,
  );
  link.addEventListener('click', (e) => {
    e.preventDefault();
    post({ type: 'reveal', documentUri: record.documentUri, start: span.start, end: span.end });
  });
  return link;
}

function alternativeButton(
  record: TemplateRecord,
  label: TemplateFieldLabel,
  choice: TemplateChoice,
): HTMLElement {
  const b = h(
    'vscode-button',
    {
      secondary: '',
      class: 'alternative',
      'data-display': choice.display,
      title: `Use ${choice.display} (${SOURCE_NAMES[choice.source]}, ${percent(choice.confidence)}) from “${choice.spans[0]?.text ?? ''}”`,
    },
    choice.display,
  );
  b.addEventListener('click', () =>
    post({ type: 'pickAlternative', documentUri: record.documentUri, label, display: choice.display }),
  );
  return b;
}

function noteLine(label: TemplateFieldLabel, note: TemplateFieldNote | undefined): HTMLElement {
  const line = h('p', {
    id: `note-${label}`,
    class: `note ${note?.outcome ?? ''}`,
    role: note?.outcome === 'refused' ? 'alert' : 'status',
  });
  line.textContent = note?.message ?? '';
  line.hidden = !note;
  return line;
}

function fieldRow(
  record: TemplateRecord,
  label: TemplateFieldLabel,
  field: TemplateField | null,
): HTMLElement {
  const inputId = `value-${label}`;
  const original = field?.display ?? '';
  const input = h('vscode-textfield', {
    id: inputId,
    class: 'value',
    placeholder: 'not found',
    'aria-label': FIELD_NAMES[label],
    'aria-describedby': `note-${label}`,
  }) as TextField;
  const draft = drafts.get(label);
  input.value = draft ?? original;
  input.setAttribute('value', draft ?? original);
  input.classList.toggle('pending', pending.has(label));
  input.addEventListener('input', () => {
    drafts.set(label, input.value);
    // A new value starts a new story: the last answer no longer applies.
    setNote(label, undefined);
  });
  input.addEventListener('change', () => {
    // A field taken out by a redraw loses the focus and reports a change: that is no commit.
    if (redrawing || !input.isConnected) return;
    const typed = input.value;
    if (typed.trim() === original) {
      drafts.delete(label);
      return;
    }
    drafts.set(label, typed);
    pending.add(label);
    input.classList.add('pending');
    post({ type: 'editField', documentUri: record.documentUri, label, value: typed });
  });
  const details = h('div', { class: 'details' });
  if (field) {
    details.append(
      h(
        'vscode-badge',
        { class: `confidence source-${field.source}`, title: 'Confidence' },
        percent(field.confidence),
      ),
      h('span', { class: 'source' }, SOURCE_NAMES[field.source]),
      revealLink(record, label, field),
    );
    for (const warning of field.warnings) details.append(h('span', { class: 'warning' }, warning));
  } else {
    details.append(h('span', { class: 'muted' }, 'not found in the listing'));
  }
  const alternatives = field?.alternatives ?? [];
  return h(
    'div',
    { class: field ? 'field' : 'field missing', id: `field-${label}`, 'data-label': label },
    h('label', { for: inputId, class: 'name' }, FIELD_NAMES[label]),
    h('div', { class: 'main' }, input, details, noteLine(label, state.notes?.[label])),
    alternatives.length > 0
      ? h(
          'div',
          { class: 'alternatives' },
          h('span', { class: 'muted' }, 'Alternatives:'),
          ...alternatives.map((a) => alternativeButton(record, label, a)),
        )
      : h('div', { class: 'alternatives' }),
  );
}

/** Shows (or clears) a field's answer in place and in the saved state. */
function setNote(label: TemplateFieldLabel, note: TemplateFieldNote | undefined): void {
  if (!note && !state.notes?.[label]) return;
  const notes = { ...state.notes };
  if (note) notes[label] = note;
  else delete notes[label];
  state = { ...state, notes };
  api.setState(state);
  document.getElementById(`note-${label}`)?.replaceWith(noteLine(label, note));
}

function renderHistory(record: TemplateRecord | null): void {
  for (const [button, kind] of [
    [undoButton, 'undo'],
    [redoButton, 'redo'],
  ] as const) {
    const step = record?.history[kind] ?? null;
    button.toggleAttribute('disabled', step === null);
    const keys = button.getAttribute('data-keys');
    button.title = step ? `${kind === 'undo' ? 'Undo' : 'Redo'} ${step} (${keys})` : `Nothing to ${kind}`;
  }
}

function render(): void {
  const record = state.record;
  // The focused field keeps the focus (and its caret) across the redraw.
  const focused = (document.activeElement as HTMLElement | null)?.id;
  redrawing = true;
  try {
    form.replaceChildren();
  } finally {
    redrawing = false;
  }
  renderHistory(record);
  if (!record) {
    title.textContent = 'Listing';
    extractor.textContent = '';
    empty.textContent = state.emptyReason ?? 'Extracting…';
    empty.hidden = false;
    return;
  }
  empty.hidden = true;
  title.textContent = record.documentName;
  extractor.textContent = `Extracted by ${record.extractor}. Edit a value or pick an alternative to correct it: corrections are saved as annotations (training data), and Undo takes them back, like Undo Annotation in the editor.`;
  for (const label of TEMPLATE_FIELDS) form.append(fieldRow(record, label, record.fields[label]));
  const refocus = focused?.startsWith('value-') ? document.getElementById(focused) : null;
  // The text field draws its inner input after it is attached: focus it once that is done.
  if (refocus) void (refocus as TextField).updateComplete.then(() => refocus.focus());
}

function receive(message: TemplateToWebview): void {
  switch (message.type) {
    case 'notice':
      notice.textContent = message.message;
      notice.className = `notice ${message.level}`;
      return;
    case 'templateBusy':
      busy.hidden = !message.busy;
      return;
    case 'fieldResult': {
      if (message.documentUri !== state.record?.documentUri) return;
      state = reduceTemplateState(state, message);
      api.setState(state);
      drafts.delete(message.label);
      pending.delete(message.label);
      // Refused: the field shows its real value again. Saved: the typed value stays until the
      // new record (which follows) is drawn.
      if (message.outcome === 'refused') render();
      else setNote(message.label, state.notes?.[message.label]);
      return;
    }
    case 'templateInit':
    case 'templateRecord':
    case 'templateEmpty': {
      const before = state.record;
      state = reduceTemplateState(state, message);
      api.setState(state);
      // A record for another document clears the last notice and the drafts, which were about the old one.
      if (before?.documentUri !== state.record?.documentUri) {
        notice.textContent = '';
        drafts.clear();
        pending.clear();
      }
      // An unchanged record is not redrawn, so a value being typed in the form is not lost.
      if (message.type === 'templateEmpty' || JSON.stringify(before) !== JSON.stringify(state.record))
        render();
      return;
    }
    default:
      assertNever(message);
  }
}

window.addEventListener('message', (event: MessageEvent<TemplateToWebview>) => receive(event.data));
render();
post({ type: 'ready' });
