/**
 * The listing template page: the seven fields of the followed document as a form. Every value
 * comes from a user's document, so the DOM is built with text nodes only (webview/shared/dom.ts).
 * State is kept with `setState` so a reload shows the last record at once.
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

// ---- skeleton ---------------------------------------------------------------------------------

const title = h('h1', { id: 'document-name' }, 'Listing');
const extractor = h('p', { id: 'extractor', class: 'muted' });
const busy = h('vscode-progress-ring', { id: 'busy', 'aria-label': 'Extracting' });
const notice = h('p', { id: 'notice', class: 'notice', role: 'status', 'aria-live': 'polite' });
const empty = h('p', { id: 'empty', class: 'muted' });
const form = h('form', { id: 'fields', class: 'fields', 'aria-label': 'Listing fields' });
form.addEventListener('submit', (e) => e.preventDefault());
busy.hidden = true;

document.body.append(
  h('header', {}, h('div', { class: 'title-row' }, title, busy), extractor, notice),
  empty,
  form,
);

// ---- rendering --------------------------------------------------------------------------------

type TextField = HTMLElement & { value: string };

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

function fieldRow(
  record: TemplateRecord,
  label: TemplateFieldLabel,
  field: TemplateField | null,
): HTMLElement {
  const inputId = `value-${label}`;
  const input = h('vscode-textfield', {
    id: inputId,
    class: 'value',
    placeholder: 'not found',
    'aria-label': FIELD_NAMES[label],
  }) as TextField;
  input.value = field?.display ?? '';
  input.setAttribute('value', field?.display ?? '');
  const original = field?.display ?? '';
  input.addEventListener('change', () => {
    const typed = input.value;
    if (typed.trim() !== original)
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
    h('div', { class: 'main' }, input, details),
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

function render(): void {
  const record = state.record;
  form.replaceChildren();
  if (!record) {
    title.textContent = 'Listing';
    extractor.textContent = '';
    empty.textContent = state.emptyReason ?? 'Extracting…';
    empty.hidden = false;
    return;
  }
  empty.hidden = true;
  title.textContent = record.documentName;
  extractor.textContent = `Extracted by ${record.extractor}. Edit a value or pick an alternative to correct it: corrections are saved as annotations (training data).`;
  for (const label of TEMPLATE_FIELDS) form.append(fieldRow(record, label, record.fields[label]));
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
    case 'templateInit':
    case 'templateRecord':
    case 'templateEmpty': {
      const before = state.record;
      state = reduceTemplateState(state, message);
      api.setState(state);
      // A record for another document clears the last notice, which was about the old one.
      if (before?.documentUri !== state.record?.documentUri) notice.textContent = '';
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
