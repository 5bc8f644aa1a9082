// The runs list: every run this user can see, newest first, filtered by workflow and status,
// read page by page as the reviewer scrolls.
import { h, replace } from '../lib/dom.js';
import { age, dateTime, shortId } from '../lib/format.js';
import { Pager } from '../lib/pager.js';
import { href, runPath } from '../lib/router.js';
import { VirtualList } from '../lib/virtual_list.js';
import { statusBadge } from './badges.js';
import { WorkflowSelect } from './workflow_select.js';

const ROW_HEIGHT = 56;
const PAGE = 50;
const STATUSES = ['running', 'waiting', 'completed', 'failed', 'cancelled'];

export class RunsView {
  constructor({ api, navigate }) {
    this.api = api;
    this.navigate = navigate;
    this.params = {};
    this.items = [];
    this.generation = 0;
    this.loading = false;
    const go = (name, value) => this.navigate(href('/runs', { ...this.params, [name]: value }));
    this.workflows = new WorkflowSelect(api, 'runs-workflow', (value) => go('workflow', value));
    this.statusSelect = h('select', { id: 'runs-status', class: 'select' },
      h('option', { value: '' }, 'Any status'),
      STATUSES.map((status) =>
        h('option', { value: status }, status[0].toUpperCase() + status.slice(1))));
    this.statusSelect.addEventListener('change', () => go('status', this.statusSelect.value));
    this.list = new VirtualList({
      rowHeight: ROW_HEIGHT, key: (run) => run.run_id, label: 'Runs',
      renderRow: (run) => this.renderRow(run), onNearEnd: () => this.loadMore(),
    });
    this.state = h('div', { class: 'queue-state' });
    this.summary = h('p', { class: 'muted runs-summary', 'aria-live': 'polite' });
    this.element = h('section', { class: 'runs-page', 'aria-labelledby': 'runs-title' },
      h('div', { class: 'page-head' },
        h('h1', { class: 'page-title', id: 'runs-title' }, 'Runs'),
        h('div', { class: 'filters' },
          h('label', { class: 'visually-hidden', for: 'runs-workflow' }, 'Workflow'),
          this.workflows.element,
          h('label', { class: 'visually-hidden', for: 'runs-status' }, 'Status'),
          this.statusSelect),
        this.summary),
      h('div', { class: 'runs-table', role: 'presentation' },
        h('div', { class: 'runs-header', 'aria-hidden': 'true' },
          h('span', {}, 'Status'), h('span', {}, 'Workflow'), h('span', {}, 'Run'),
          h('span', {}, 'Started by'), h('span', {}, 'Started'), h('span', {}, 'Updated')),
        this.state, this.list.element));
  }

  update(route) {
    const params = { workflow: route.params.workflow ?? '', status: route.params.status ?? '' };
    document.title = 'Runs';
    this.workflows.set(params.workflow);
    this.statusSelect.value = params.status;
    if (this.pager && params.workflow === this.params.workflow &&
        params.status === this.params.status) return;
    this.params = params;
    this.reload();
  }

  reload() {
    this.generation += 1;
    const { workflow, status } = this.params;
    this.pager = new Pager(async (after, limit) => {
      const answer = await this.api.runs({ workflow, status, limit, after });
      return { items: answer.runs ?? [], next: answer.next };
    });
    this.items = [];
    this.error = null;
    this.loading = false;
    this.render();
    this.loadMore();
  }

  async loadMore() {
    if (this.loading || this.pager.done || this.error) return;
    const generation = this.generation;
    this.loading = true;
    this.render();
    try {
      const page = await this.pager.more(PAGE);
      if (generation !== this.generation) return;
      const known = new Set(this.items.map((run) => run.run_id));
      this.items.push(...page.filter((run) => !known.has(run.run_id)));
    } catch (error) {
      if (generation === this.generation) this.error = error;
    } finally {
      if (generation === this.generation) {
        this.loading = false;
        this.render();
      }
    }
  }

  // Approvals changed: runs moved on. The top of the list is read again when in view.
  onNotification() {
    if (this.list.element.scrollTop === 0 && !this.loading) this.reload();
  }

  onResync() {
    this.reload();
  }

  render() {
    this.list.setItems(this.items);
    if (this.error) {
      this.state.hidden = false;
      replace(this.state, h('div', { class: 'state-box state-error' },
        h('p', { class: 'state-title' }, 'Runs could not be loaded'),
        h('p', { class: 'muted' }, this.error.message),
        h('button', { class: 'button', type: 'button', onclick: () => this.reload() },
          'Try again')));
    } else if (this.items.length === 0 && (this.loading || !this.pager?.done)) {
      this.state.hidden = false;
      replace(this.state, Array.from({ length: 5 }, () => h('div', { class: 'skeleton-row short' },
        h('span', { class: 'skeleton' }))));
    } else if (this.items.length === 0) {
      this.state.hidden = false;
      replace(this.state, h('div', { class: 'state-box' },
        h('p', { class: 'state-title' }, 'No runs'),
        h('p', { class: 'muted' }, this.params.workflow || this.params.status ?
          'None match these filters.' : 'Runs appear here once a workflow is started.')));
    } else {
      this.state.hidden = true;
    }
    this.summary.textContent = this.items.length ?
      `${this.items.length}${this.pager?.done ? '' : '+'} runs` : '';
  }

  renderRow(run) {
    const time = (iso) => h('time', { datetime: iso, title: dateTime(iso) }, age(iso));
    return h('div', { class: 'run-row', role: 'listitem' },
      h('a', { class: 'run-link', href: runPath(run.run_id), dataset: { id: run.run_id } },
        h('span', {}, statusBadge(run.status)),
        h('span', { class: 'wf' }, run.workflow),
        h('span', { class: 'mono', title: run.run_id }, shortId(run.run_id)),
        h('span', { class: 'muted' }, run.started_by ?? '—'),
        h('span', { class: 'muted' }, time(run.started_at)),
        h('span', { class: 'muted' }, time(run.updated_at))));
  }
}
