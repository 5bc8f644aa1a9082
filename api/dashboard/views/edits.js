// Approve with edits: the approve panel's fields for the shown values a reviewer may change (the
// step's `edits`: true, false or a list of fields), and a decision's edits as "field: before →
// after" lines for the timeline and the outcome.
import { h } from '../lib/dom.js';
import { label } from '../lib/format.js';

// A value as the reviewer edits it: text as it is, anything else as JSON.
const asText = (value) => (typeof value === 'string' ? value : JSON.stringify(value));

// The fields of `show` that `rule` lets a decision change.
function editable(show, rule) {
  if (rule === false || !show) return [];
  const fields = Object.keys(show);
  return Array.isArray(rule) ? fields.filter((field) => rule.includes(field)) : fields;
}

// {element, read()}: read() gives {edits} (only the fields changed) or {error}.
export function buildEditFields(show, rule) {
  const fields = editable(show, rule);
  if (fields.length === 0) return { element: null, read: () => ({ edits: {} }) };
  const inputs = fields.map((field) => {
    const text = asText(show[field]);
    const long = text.length > 80 || text.includes('\n');
    const input = h(long ? 'textarea' : 'input', {
      class: long ? 'input textarea' : 'input', id: `edit-${field}`, rows: long ? '4' : undefined,
      dataset: { field },
    });
    input.value = text;
    return { field, original: show[field], text, input };
  });
  const element = h('details', { class: 'edit-fields', id: 'edit-fields' },
    h('summary', {}, 'Edit values before approving'),
    h('p', { class: 'muted' }, 'Later steps use the values as you leave them. ' +
      'Text stays text; other values are JSON (a number, true, false, a list).'),
    inputs.map(({ field, input }) => h('div', { class: 'edit-field' },
      h('label', { class: 'field-label', for: input.id }, label(field)), input)));
  const read = () => {
    const edits = {};
    for (const { field, original, text, input } of inputs) {
      if (input.value === text) continue;
      if (typeof original === 'string') {
        edits[field] = input.value;
        continue;
      }
      try {
        edits[field] = JSON.parse(input.value);
      } catch {
        return { error: `${label(field)} must be JSON, such as 6500, true or "text".` };
      }
    }
    return { edits };
  };
  return { element, read };
}

// What a decision's edits changed, one line a field.
export function renderEditDiff(diff) {
  if (!Array.isArray(diff) || diff.length === 0) return null;
  const shown = (value) => (value === undefined ? '(none)' : asText(value));
  return h('ul', { class: 'edit-diff' }, diff.map((change) => h('li', {},
    h('code', {}, change.path.replace(/^\//, '')), ': ',
    h('del', {}, shown(change.before)), ' → ', h('ins', {}, shown(change.after)))));
}
