// A <select> of the workflows this user can see, with "All workflows" first. A value not (yet)
// among them (from a URL) is kept as an option of its own, so the filter shows what is applied.
import { h, replace } from '../lib/dom.js';

export class WorkflowSelect {
  constructor(api, id, onChange) {
    this.names = [];
    this.element = h('select', { id, class: 'select' },
                     h('option', { value: '' }, 'All workflows'));
    this.element.addEventListener('change', () => onChange(this.element.value));
    this.load(api);
  }

  async load(api) {
    try {
      const { workflows } = await api.workflows();
      this.names = workflows.map((workflow) => workflow.name).sort();
      this.set(this.wanted ?? '');
    } catch { /* the filter stays at "All workflows"; the lists still work */ }
  }

  set(value) {
    this.wanted = value;
    const names = value && !this.names.includes(value) ? [...this.names, value] : this.names;
    replace(this.element, h('option', { value: '' }, 'All workflows'),
            names.map((name) => h('option', { value: name }, name)));
    this.element.value = value;
  }
}
