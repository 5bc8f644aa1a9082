// One run: its status, input, output or error, the approvals it waits for, and its full event
// history (who did what, when). It follows the run live: a long poll until it finishes, and a
// redraw when a notification concerns it. A failed run shows a Retry button to those who may
// retry it (the server's can_retry): it goes on from the step it failed at.
import { h, replace } from '../lib/dom.js';
import { ago, dateTime } from '../lib/format.js';
import { approvalPath, href } from '../lib/router.js';
import { statusBadge } from './badges.js';
import { renderContext } from './context.js';
import { renderTimeline } from './timeline.js';

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

export class RunView {
  constructor({ api, id, toasts }) {
    this.api = api;
    this.id = id;
    this.toasts = toasts;
    this.run = null;
    this.abort = new AbortController();
    this.element = h('article', { class: 'run-page', 'aria-busy': 'true' },
      h('a', { class: 'back-link always', href: '/runs' }, '← Runs'),
      h('div', { class: 'skeleton skeleton-title' }),
      h('div', { class: 'skeleton skeleton-block' }));
    this.load().then(() => this.watch());
  }

  destroy() {
    this.abort.abort();
  }

  async load() {
    try {
      const [run, events] = await Promise.all([this.api.run(this.id), this.api.events(this.id)]);
      if (this.abort.signal.aborted) return;
      this.run = run;
      this.render(run, events.events);
    } catch (error) {
      if (this.abort.signal.aborted) return;
      this.element.setAttribute('aria-busy', 'false');
      replace(this.element, h('a', { class: 'back-link always', href: '/runs' }, '← Runs'),
        h('div', { class: 'state-box state-error' },
          h('p', { class: 'state-title' }, error.status === 404 ? 'Run not found' :
            'The run could not be loaded'),
          h('p', { class: 'muted' }, error.status === 404 ?
            'It does not exist, or you may not see it.' : error.message)));
    }
  }

  // Long polls the run while it has not finished; one at a time (see ApprovalView.watchRun).
  async watch() {
    if (this.watching) return;
    this.watching = true;
    try {
      while (!this.abort.signal.aborted && this.run && !FINISHED.has(this.run.status)) {
        const run = await this.api.run(this.id, { wait: '30s', signal: this.abort.signal });
        if (run.updated_at !== this.run.updated_at || run.status !== this.run.status) {
          await this.load();
        }
      }
    } catch { /* aborted, or offline */ } finally {
      this.watching = false;
    }
  }

  async retry(button) {
    button.disabled = true;
    button.textContent = 'Retrying…';
    try {
      this.run = await this.api.retry(this.id);
      this.toasts?.show('Retried: the run goes on from the step it failed at.', 'ok');
      await this.load();
      this.watch();
    } catch (error) {
      if (this.abort.signal.aborted) return;
      button.disabled = false;
      button.textContent = 'Retry';
      this.toasts?.show(error.status === 409 ? `Not retried: ${error.message}.` :
        error.status === 0 ? error.message : `Not retried: ${error.message}`, 'error');
    }
  }

  onNotification(message) {
    if (message.approval?.run_id === this.id) this.load();
  }

  onResync() {
    this.load().then(() => this.watch());
  }

  render(run, events) {
    document.title = `Run ${run.workflow}`;
    this.element.setAttribute('aria-busy', 'false');
    const fact = (term, ...value) => h('div', { class: 'side-fact' }, h('dt', {}, term),
                                       h('dd', {}, value));
    const time = (iso) => h('time', { datetime: iso, title: dateTime(iso) }, ago(iso));
    replace(this.element,
      h('a', { class: 'back-link always', href: '/runs' }, '← Runs'),
      h('header', { class: 'detail-head' },
        h('div', { class: 'crumbs' },
          h('a', { class: 'wf', href: href('/runs', { workflow: run.workflow }) }, run.workflow),
          h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '/'),
          h('span', { class: 'mono' }, run.run_id)),
        h('h1', { class: 'detail-title' }, `${run.workflow} run`),
        h('div', { class: 'detail-meta' }, statusBadge(run.status),
          h('span', {}, 'Started ', time(run.started_at),
            run.started_by ? ` by ${run.started_by}` : ''),
          h('span', {}, 'Updated ', time(run.updated_at)))),
      run.error && h('div', { class: 'outcome outcome-rejected', role: 'status' },
        h('p', { class: 'outcome-line' }, 'Failed'),
        h('div', { class: 'comment-body' }, run.error),
        run.can_retry && h('div', { class: 'outcome-actions' }, h('button', {
          class: 'button button-primary', type: 'button', id: 'retry-run',
          onclick: (event) => this.retry(event.currentTarget),
        }, 'Retry'), h('span', { class: 'muted' },
          ' runs it again from the step it failed at; completed steps do not run again.'))),
      (run.pending_approvals ?? []).length > 0 && h('div', { class: 'outcome outcome-pending' },
        h('p', { class: 'outcome-line' }, 'Waiting for a decision'),
        h('ul', { class: 'plain-list' }, run.pending_approvals.map((approval) =>
          h('li', {},
            h('a', { href: approvalPath(approval.id) }, approval.message || approval.id))))),
      h('div', { class: 'detail-grid' },
        h('div', { class: 'detail-main' },
          h('section', { class: 'card', 'aria-labelledby': 'history-title' },
            h('h2', { class: 'card-title', id: 'history-title' }, 'History',
              h('span', { class: 'count-note' }, `${events.length} events`)),
            h('div', { class: 'card-body' }, renderTimeline(events)))),
        h('aside', { class: 'detail-side' },
          h('section', { class: 'side-section' },
            h('h2', { class: 'side-title' }, 'Run'),
            h('dl', { class: 'side-facts' },
              fact('Status', statusBadge(run.status)),
              fact('Workflow', run.workflow, ` v${run.version}`),
              run.started_by && fact('Started by', run.started_by),
              fact('Started', time(run.started_at)),
              fact('Updated', time(run.updated_at)))),
          h('section', { class: 'side-section' },
            h('h2', { class: 'side-title' }, 'Input'),
            renderContext(run.input, { empty: 'No input.' })),
          run.output !== undefined && h('section', { class: 'side-section' },
            h('h2', { class: 'side-title' }, 'Output'),
            renderContext(run.output, { empty: 'No output.' })))));
  }
}
