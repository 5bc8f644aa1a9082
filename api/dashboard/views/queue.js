// The queue pane: the views (Mine / All I can see / Decided), a workflow filter and a search,
// and the list itself, drawn a screenful at a time and read from the server page by page.
import { h, replace } from '../lib/dom.js';
import { age, dateTime, label, quorumProgress, scalar } from '../lib/format.js';
import { VIEWS } from '../lib/queue_store.js';
import { approvalPath, href } from '../lib/router.js';
import { VirtualList } from '../lib/virtual_list.js';
import { keyFields } from './context.js';
import { statusBadge } from './badges.js';
import { WorkflowSelect } from './workflow_select.js';

const ROW_HEIGHT = 92;
const SEARCH_DEBOUNCE_MS = 250;
const AGE_REFRESH_MS = 60000;

// The queue's own query parameters, kept on every link so the list stays as it was.
export function queueParams(params) {
  const out = {};
  if (params.view && params.view !== 'mine') out.view = params.view;
  if (params.workflow) out.workflow = params.workflow;
  if (params.q) out.q = params.q;
  return out;
}

export class QueueView {
  constructor({ store, api, navigate }) {
    this.store = store;
    this.api = api;
    this.navigate = navigate;
    this.params = {};
    this.selectedId = null;

    this.tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Queue views' });
    this.workflows = new WorkflowSelect(api, 'queue-workflow',
                                        (name) => this.setParam('workflow', name));
    this.search = h('input', { id: 'queue-search', class: 'input search', type: 'search',
                               placeholder: 'Search message, workflow, fields',
                               autocomplete: 'off' });
    let debounce = null;
    this.search.addEventListener('input', () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => this.setParam('q', this.search.value.trim()), SEARCH_DEBOUNCE_MS);
    });
    this.summary = h('div', { class: 'queue-summary', 'aria-live': 'polite' });
    this.list = new VirtualList({
      rowHeight: ROW_HEIGHT,
      key: (approval) => approval.id,
      renderRow: (approval, index, selected) => this.renderRow(approval, selected),
      onNearEnd: () => this.store.loadMore(),
      label: 'Approvals',
    });
    this.state = h('div', { class: 'queue-state' });
    this.element = h('section', { class: 'queue-pane', 'aria-label': 'Queue' },
      h('div', { class: 'queue-head' },
        this.tabs,
        h('div', { class: 'filters' },
          h('label', { class: 'visually-hidden', for: 'queue-workflow' }, 'Workflow'),
          this.workflows.element,
          h('label', { class: 'visually-hidden', for: 'queue-search' }, 'Search approvals'),
          this.search),
        this.summary),
      this.state,
      this.list.element);
    // Ages ("4 min") move on while the page stays open all day.
    this.ageTimer = setInterval(() => this.list.redrawAll(), AGE_REFRESH_MS);
    this.onChange = () => this.render();
    store.addEventListener('change', this.onChange);
  }

  destroy() {
    clearInterval(this.ageTimer);
    this.store.removeEventListener('change', this.onChange);
  }

  // route: the queue or an approval route; its query holds the view and filters.
  update(route) {
    this.params = queueParams(route.params);
    this.selectedId = route.name === 'approval' ? route.id : null;
    this.workflows.set(this.params.workflow ?? '');
    if (document.activeElement !== this.search) this.search.value = this.params.q ?? '';
    this.renderTabs();
    this.store.configure({ view: this.params.view ?? 'mine', workflow: this.params.workflow,
                           q: this.params.q });
    this.render();
  }

  setParam(name, value) {
    const params = { ...this.params, [name]: value };
    const base = this.selectedId ? approvalPath(this.selectedId) : '/';
    this.navigate(href(base, params), { replace: name === 'q' });
  }

  renderTabs() {
    const current = this.params.view ?? 'mine';
    replace(this.tabs, Object.entries(VIEWS).map(([view, { title }]) => h('a', {
      class: 'tab', role: 'tab',
      href: href('/', { ...this.params, view: view === 'mine' ? '' : view }),
      'aria-selected': String(view === current), dataset: { view },
    }, title)));
  }

  render() {
    const { store } = this;
    const items = store.items;
    this.list.selected = items.findIndex((item) => item.id === this.selectedId);
    if (this.list.selected >= 0) this.lastIndex = this.list.selected;
    this.list.setItems(items);
    const view = store.filters.view;
    const filtered = Boolean(store.filters.workflow || store.filters.q);
    if (store.error) {
      this.showState('error', 'The queue could not be loaded',
                     store.error.message, h('button', { class: 'button', type: 'button',
                       onclick: () => store.reload() }, 'Try again'));
    } else if (items.length === 0 && (store.loading || !store.pager)) {
      this.showSkeleton();
    } else if (items.length === 0 && !store.done) {
      // A narrow search read its share of pages without a match; there are more to read.
      this.showState('empty', 'No matches among the newest',
                     'Older approvals have not been searched yet.',
                     h('button', { class: 'button', type: 'button',
                                   onclick: () => store.loadMore() }, 'Search older ones'));
    } else if (items.length === 0) {
      const [title, text] = filtered ? ['No approvals match', 'Try another workflow or search.'] :
        view === 'mine' ? ['Nothing waits for you', 'New requests appear here as they arrive.'] :
        view === 'all' ? ['No pending approvals', 'New requests appear here as they arrive.'] :
        ['Nothing decided yet', 'Approvals appear here once someone decides them.'];
      this.showState('empty', title, text);
    } else {
      this.state.hidden = true;
    }
    const more = store.done ? '' : '+';
    this.summary.textContent = items.length === 0 ? '' :
      `${items.length}${more} ${view === 'decided' ? 'decided' : 'pending'}` +
      (store.loading ? ' · loading…' : '');
  }

  showState(kind, title, text, action) {
    this.state.hidden = false;
    this.state.className = `queue-state state-${kind}`;
    replace(this.state, h('div', { class: 'state-box' },
      h('div', { class: `state-art state-art-${kind}`, 'aria-hidden': 'true' }),
      h('p', { class: 'state-title' }, title), h('p', { class: 'muted' }, text), action));
  }

  showSkeleton() {
    this.state.hidden = false;
    this.state.className = 'queue-state state-loading';
    replace(this.state, Array.from({ length: 6 }, () => h('div', { class: 'skeleton-row' },
      h('span', { class: 'skeleton skeleton-short' }), h('span', { class: 'skeleton' }),
      h('span', { class: 'skeleton skeleton-mid' }))));
    this.state.setAttribute('aria-label', 'Loading approvals');
  }

  renderRow(approval, selected) {
    const fields = keyFields(approval.show);
    // A pending approval's decisions are votes toward its quorum, not its outcome.
    const decision = approval.status === 'pending' ? null :
      approval.decisions?.[approval.decisions.length - 1];
    const progress = approval.status === 'pending' ? quorumProgress(approval) : '';
    const link = h('a', {
      class: 'qrow-link', href: href(approvalPath(approval.id), this.params),
      'aria-current': selected ? 'true' : null, dataset: { id: approval.id },
    },
      h('div', { class: 'qrow-top' },
        h('span', { class: 'wf' }, approval.gate ? 'Agent gate' : approval.workflow),
        approval.status !== 'pending' && statusBadge(approval.status),
        progress && h('span', { class: 'quorum' }, progress),
        h('time', { class: 'qrow-age', datetime: approval.requested_at,
                    title: `Requested ${dateTime(approval.requested_at)}` },
          age(approval.requested_at))),
      h('div', { class: 'qrow-message' },
        approval.gate ? approval.title : approval.message || approval.step_id),
      h('div', { class: 'qrow-fields' }, decision ?
        `${decision.decision === 'approve' ? 'Approved' : 'Rejected'} by ${decision.reviewer}` :
        fields.map(([key, value], index) => [index > 0 ? ' · ' : '',
          h('span', { class: 'qrow-key' }, label(key)), ' ', scalar(value, key)])));
    return h('div', { class: `qrow${selected ? ' is-selected' : ''}`, role: 'listitem' }, link);
  }

  // j / k: the approval after or before the selected one. When the selected one has just left
  // the queue (decided), its successor has taken its place: j goes there.
  move(step) {
    const items = this.store.items;
    if (items.length === 0) return;
    const at = items.findIndex((item) => item.id === this.selectedId);
    const from = at >= 0 ? at + step : (this.lastIndex ?? 0) + Math.min(step, 0);
    const next = Math.min(items.length - 1, Math.max(0, from));
    this.list.reveal(next);
    this.navigate(href(approvalPath(items[next].id), this.params),
                  { replace: this.selectedId !== null });
  }

  focusSearch() {
    this.search.focus();
    this.search.select();
  }
}
