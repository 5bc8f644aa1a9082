// An approval's context (its `show` fields, or a run's input and outputs) rendered for people:
// numbers and amounts grouped; an array of records as a table; long text (an email draft) as
// text with its line breaks; a diff with its added and removed lines marked; an email with its
// header; nested objects as a collapsible tree. Everything is text (dom.js).
import { h } from '../lib/dom.js';
import { dateTime, isAmountKey, label, looksLikeTime, number, plural } from '../lib/format.js';

const TABLE_ROWS = 50;     // rows shown of a long array of records; the count says how many
const TABLE_COLUMNS = 8;
const LONG_TEXT = 100;     // characters past which a string is a block of its own
const OPEN_DEPTH = 2;      // nested objects shallower than this start open
// A risk or severity reads at a glance: its word in a colour.
const LEVEL_KEY = /(^|_)(risk|severity|priority|impact)$/i;
const LEVELS = { low: 'low', medium: 'medium', moderate: 'medium', high: 'high', critical: 'high' };

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const isScalar = (value) => value === null || typeof value !== 'object';
const isRecords = (value) => Array.isArray(value) && value.length > 0 && value.every(isObject);
const isLongText = (value) => typeof value === 'string' &&
    (value.includes('\n') || value.length > LONG_TEXT);
const isDiff = (text) => /^(@@|\+\+\+|---|[+-] )/m.test(text) && /^[+-]/m.test(text);
const isAmount = (key, value) => typeof value === 'number' && isAmountKey(key);
const isEmail = (value) => isObject(value) && typeof value.body === 'string' &&
    ('subject' in value || 'to' in value);
// A tool gate's approval shows the call it lets through (docs/workflows.md, "Tool-level gates").
const isCall = (value) => typeof value.method === 'string' && typeof value.url === 'string' &&
    isObject(value.headers);

// The whole context: a list of fields, scalars first in a grid, then blocks at full width.
export function renderContext(show, { empty = 'No details were shown with this request.' } = {}) {
  if (!isObject(show)) return renderValue(show, '', 0);
  if (isEmail(show)) return h('div', { class: 'context' }, renderEmail(show, 0));  // a draft
  if (isCall(show)) {  // the gate's own context first, then the exact request
    const { method, url, headers, body, ...context } = show;
    return h('div', { class: 'context' },
      Object.keys(context).length > 0 && renderContext(context),
      renderCall(method, url, headers, body));
  }
  const entries = Object.entries(show);
  if (entries.length === 0) return h('p', { class: 'muted' }, empty);
  const currency = typeof show.currency === 'string' ? show.currency : undefined;
  const facts = entries.filter(([, value]) => isScalar(value) && !isLongText(value));
  const blocks = entries.filter(([, value]) => !isScalar(value) || isLongText(value));
  return h('div', { class: 'context' },
    facts.length > 0 && h('dl', { class: 'facts' }, facts.map(([key, value]) =>
      h('div', { class: isAmount(key, value) ? 'fact fact-amount' : 'fact' },
        h('dt', {}, label(key)),
        h('dd', {}, renderScalar(value, key, currency))))),
    blocks.map(([key, value]) => h('section', { class: 'block' },
      h('h3', { class: 'block-title' }, label(key), countNote(value)),
      renderValue(value, key, 1, currency))));
}

// The request as it will be sent (credentials already masked by the server): the request line,
// the headers, a blank line and the body.
function renderCall(method, url, headers, body) {
  const lines = [`${method} ${url}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (body !== undefined) lines.push('', JSON.stringify(body, null, 2));
  return h('section', { class: 'block' },
    h('h3', { class: 'block-title' }, 'Request'),
    h('pre', { class: 'request' }, lines.join('\n')));
}

function countNote(value) {
  if (Array.isArray(value)) return h('span', { class: 'count-note' }, plural(value.length, 'item'));
  return null;
}

function renderValue(value, key, depth, currency) {
  if (isScalar(value) && !isLongText(value)) return renderScalar(value, key, currency);
  if (typeof value === 'string') return renderText(value);
  if (isEmail(value)) return renderEmail(value, depth);
  if (isRecords(value)) return renderTable(value);
  if (Array.isArray(value)) return renderList(value, key, depth);
  return renderTree(value, depth);
}

function renderScalar(value, key, currency) {
  if (value === null || value === undefined) return h('span', { class: 'empty-value' }, 'empty');
  if (typeof value === 'boolean') {
    return h('span', { class: `pill ${value ? 'pill-yes' : 'pill-no'}` }, value ? 'Yes' : 'No');
  }
  if (typeof value === 'number') {
    return h('span', { class: 'num' }, number(value, key, currency));
  }
  if (looksLikeTime(value)) return h('time', { datetime: value, title: value }, dateTime(value));
  if (value === '') return h('span', { class: 'empty-value' }, 'empty');
  const level = LEVEL_KEY.test(String(key)) && LEVELS[String(value).toLowerCase()];
  if (level) return h('span', { class: `pill level-${level}` }, value);
  return h('span', { class: 'text-value' }, value);
}

// Long text keeps its line breaks (white-space: pre-wrap); a diff gets its lines marked.
function renderText(text) {
  if (!isDiff(text)) return h('div', { class: 'long-text' }, text);
  return h('pre', { class: 'diff' }, text.split('\n').map((line) => {
    const kind = line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' :
      line.startsWith('@@') ? 'hunk' : 'ctx';
    return h('span', { class: `diff-line diff-${kind}` }, line, '\n');
  }));
}

const EMAIL_HEADER_ORDER = ['from', 'to', 'cc', 'bcc', 'reply_to', 'subject'];

function renderEmail(email, depth) {
  const { body, ...header } = email;
  const rank = (key) => {
    const at = EMAIL_HEADER_ORDER.indexOf(key.toLowerCase());
    return at < 0 ? EMAIL_HEADER_ORDER.length : at;
  };
  const fields = Object.entries(header).sort(([a], [b]) => rank(a) - rank(b));
  return h('article', { class: 'email' },
    h('dl', { class: 'email-header' }, fields.map(([key, value]) =>
      h('div', {}, h('dt', {}, label(key)), h('dd', {}, renderValue(value, key, depth + 1))))),
    h('div', { class: 'long-text email-body' }, body));
}

function renderTable(records) {
  const columns = [];
  for (const record of records) {
    for (const key of Object.keys(record)) {
      if (!columns.includes(key) && columns.length < TABLE_COLUMNS) columns.push(key);
    }
  }
  // An id reads best first; otherwise the order the records gave.
  columns.sort((a, b) => Number(/(^|_)id$/i.test(b)) - Number(/(^|_)id$/i.test(a)));
  const shown = records.slice(0, TABLE_ROWS);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'records' },
      h('thead', {}, h('tr', {}, columns.map((key) => h('th', { scope: 'col' }, label(key))))),
      h('tbody', {}, shown.map((record) => h('tr', {}, columns.map((key) => {
        const value = record[key];
        const cell = isScalar(value) && !isLongText(value) ?
          renderScalar(value, key) : h('code', {}, JSON.stringify(value));
        return h('td', { class: typeof value === 'number' ? 'td-num' : null }, cell);
      }))))),
    records.length > shown.length &&
      h('p', { class: 'muted table-more' },
        `Showing ${shown.length} of ${plural(records.length, 'record')}.`));
}

function renderList(values, key, depth) {
  if (values.length === 0) return h('span', { class: 'empty-value' }, 'none');
  if (values.every((value) => isScalar(value) && !isLongText(value))) {
    return h('ul', { class: 'chips' },
      values.map((value) => h('li', {}, renderScalar(value, key))));
  }
  return h('ol', { class: 'value-list' },
    values.map((value) => h('li', {}, renderValue(value, key, depth + 1))));
}

// Nested objects: a tree of fields, each nested level collapsible (<details>).
function renderTree(object, depth) {
  const entries = Object.entries(object);
  if (entries.length === 0) return h('span', { class: 'empty-value' }, 'empty');
  return h('dl', { class: 'tree' }, entries.map(([key, value]) => {
    if (isScalar(value) && !isLongText(value)) {
      return h('div', { class: 'tree-row' },
        h('dt', {}, label(key)), h('dd', {}, renderScalar(value, key)));
    }
    const summary = Array.isArray(value) ? plural(value.length, 'item') :
      isObject(value) ? plural(Object.keys(value).length, 'field') : '';
    return h('div', { class: 'tree-row tree-nested' },
      h('details', { open: depth < OPEN_DEPTH },
        h('summary', {}, h('span', { class: 'tree-key' }, label(key)),
          summary && h('span', { class: 'muted' }, ` · ${summary}`)),
        h('div', { class: 'tree-body' }, renderValue(value, key, depth + 1))));
  }));
}

// The few fields a queue row shows: scalars first, in the order the workflow gave them.
export function keyFields(show, count = 3) {
  if (!isObject(show)) return [];
  const out = [];
  for (const [key, value] of Object.entries(show)) {
    if (out.length === count) break;
    if (isScalar(value) && value !== null && value !== '') {
      out.push([key, typeof value === 'string' ? value.split('\n')[0] : value]);
    } else if (Array.isArray(value)) {
      out.push([key, plural(value.length, 'item')]);
    }
  }
  return out;
}
