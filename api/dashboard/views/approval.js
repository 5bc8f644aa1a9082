// One approval: the message, the context rendered for people, who may decide, the run's
// timeline with its comments, and Approve / Reject (with feedback) / Comment. It stays current:
// a notification about it (someone else decided, a comment) or the run moving on redraws it.
import { h, replace } from '../lib/dom.js';
import { ago, dateTime, plural, quorumProgress, shortId, timeLeft } from '../lib/format.js';
import { href, runPath } from '../lib/router.js';
import { statusBadge } from './badges.js';
import { renderContext } from './context.js';
import { explain } from './decision_errors.js';
import { buildEditFields, renderEditDiff } from './edits.js';
import { gateEvents, renderTimeline } from './timeline.js';

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

// The decision panel in each mode.
const PANELS = {
  approve: { title: 'Approve this request?', label: 'Note (optional)', button: 'button-approve',
             submit: 'Confirm approval' },
  reject: { title: 'Reject with feedback',
            label: 'Feedback (required): why, and what would change your mind',
            button: 'button-reject', submit: 'Reject with feedback' },
};

export class ApprovalView {
  constructor({ api, id, store, toasts, backHref }) {
    this.api = api;
    this.id = id;
    this.store = store;
    this.toasts = toasts;
    this.approval = null;
    this.run = null;
    this.events = null;
    this.mode = null;  // the open decision panel: 'approve' | 'reject' | null
    this.busy = false;
    this.abort = new AbortController();

    this.head = h('header', { class: 'detail-head' });
    this.outcome = h('div', { class: 'outcome', hidden: true, role: 'status' });
    this.actions = h('div', { class: 'actionbar' });
    this.panel = this.buildPanel();
    this.context = h('div', { class: 'card-body' });
    this.timeline = h('div', { class: 'card-body' });
    this.composer = this.buildComposer();
    this.side = h('aside', { class: 'detail-side', 'aria-label': 'About this request' });
    this.body = h('div', { class: 'detail-body', hidden: true },
      this.outcome, this.actions, this.panel.element,
      h('div', { class: 'detail-grid' },
        h('div', { class: 'detail-main' },
          h('section', { class: 'card', 'aria-labelledby': 'details-title' },
            h('h2', { class: 'card-title', id: 'details-title' }, 'Details'), this.context),
          h('section', { class: 'card', 'aria-labelledby': 'activity-title' },
            h('h2', { class: 'card-title', id: 'activity-title' }, 'Activity'), this.timeline,
            this.composer.element)),
        this.side));
    this.status = h('div', { class: 'detail-state' });
    this.element = h('article', { class: 'approval', 'aria-busy': 'true' },
      h('a', { class: 'back-link', href: backHref }, '← Queue'),
      this.head, this.status, this.body);
    this.showLoading();
    this.load();
  }

  destroy() {
    this.abort.abort();
  }

  showLoading() {
    replace(this.status, h('div', { class: 'skeleton skeleton-title' }),
      h('div', { class: 'skeleton skeleton-block' }),
      h('div', { class: 'skeleton skeleton-block' }));
  }

  async load() {
    try {
      this.approval = await this.api.approval(this.id);
      if (this.abort.signal.aborted) return;
      this.renderApproval();
      replace(this.status);
      this.body.hidden = false;
      this.element.setAttribute('aria-busy', 'false');
      await this.loadRun();
      this.watchRun();
    } catch (error) {
      if (this.abort.signal.aborted) return;
      this.element.setAttribute('aria-busy', 'false');
      replace(this.status, h('div', { class: 'state-box state-error' },
        h('p', { class: 'state-title' }, error.status === 404 ? 'Approval not found' :
          'The approval could not be loaded'),
        h('p', { class: 'muted' }, error.status === 404 ?
          'It does not exist, or you may not see it.' : error.message),
        error.status !== 404 && h('button', { class: 'button', type: 'button',
          onclick: () => { this.showLoading(); this.load(); } }, 'Try again')));
    }
  }

  // An outside agent's gate belongs to no run: its page shows the gate's own history.
  async loadRun() {
    if (this.approval.gate) {
      this.events = gateEvents(this.approval);
      return this.renderRun();
    }
    const runId = this.approval.run_id;
    const [run, events] = await Promise.all([this.api.run(runId), this.api.events(runId)]);
    if (this.abort.signal.aborted) return;
    this.run = run;
    this.events = events.events;
    this.renderRun();
  }

  // Long polls the run while it has not finished, so its timeline moves on by itself. One poll
  // at a time; one that failed (offline) is started again by onResync once the stream is back.
  async watchRun() {
    if (this.watching || this.approval.gate) return;
    this.watching = true;
    try {
      while (!this.abort.signal.aborted && this.run && !FINISHED.has(this.run.status)) {
        const run = await this.api.run(this.approval.run_id,
                                       { wait: '30s', signal: this.abort.signal });
        if (run.updated_at !== this.run.updated_at) await this.refresh();
      }
    } catch { /* aborted, or offline */ } finally {
      this.watching = false;
    }
  }

  // Everything again, keeping what the reviewer is typing.
  async refresh() {
    try {
      this.approval = await this.api.approval(this.id);
      if (this.abort.signal.aborted) return;
      this.renderApproval();
      await this.loadRun();
    } catch { /* shown as it was; the next change or resync tries again */ }
  }

  onNotification(message) {
    if (message.type === 'approval.cancelled' && message.approval?.id === this.id) {
      this.cancelledBy = message.by;  // who cancelled the run, when the server says
    }
    if (message.approval?.id === this.id ||
        message.approval?.run_id === this.approval?.run_id) {
      this.refresh();
    }
  }

  onResync() {
    this.refresh().then(() => this.watchRun());
  }

  renderApproval() {
    const approval = this.approval;
    document.title = approval.message || 'Approval';
    const comments = approval.comments?.length ?? 0;
    const gate = approval.gate;
    replace(this.head,
      gate ? h('div', { class: 'crumbs' }, h('span', { class: 'wf' }, 'Agent gate')) :
        h('div', { class: 'crumbs' },
          h('a', { href: href('/', { workflow: approval.workflow, view: 'all' }), class: 'wf' },
            approval.workflow),
          h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '/'),
          h('span', {}, 'step ', h('code', {}, approval.step_id)),
          h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '/'),
          h('a', { href: runPath(approval.run_id), title: approval.run_id },
            `Run ${shortId(approval.run_id)}`)),
      h('h1', { class: 'detail-title' }, gate ? approval.title :
        approval.message || `Approval at ${approval.step_id}`),
      gate && approval.message !== approval.title &&
        h('p', { class: 'detail-message', id: 'gate-message' }, approval.message),
      h('div', { class: 'detail-meta' },
        statusBadge(approval.status),
        h('span', {}, 'Requested ', h('time', { datetime: approval.requested_at,
          title: dateTime(approval.requested_at) }, ago(approval.requested_at)),
          approval.started_by ?
            ` · ${gate ? 'opened' : 'run started'} by ${approval.started_by}` : ''),
        approval.due_at && approval.status === 'pending' && h('span', { class: 'due' }, 'Times out ',
          h('time', { datetime: approval.due_at, title: dateTime(approval.due_at) },
            timeLeft(approval.due_at))),
        approval.status === 'pending' && approval.escalated &&
          h('span', { class: 'quorum', id: 'escalated' }, `Escalated (rung ${approval.escalated})`),
        approval.status === 'pending' && approval.quorum &&
          h('span', { class: 'quorum', id: 'quorum-progress' }, quorumProgress(approval)),
        comments > 0 && h('span', {}, plural(comments, 'comment'))));
    this.renderOutcome();
    this.renderActions();
    replace(this.context, renderContext(approval.show));
    this.renderSide();
  }

  renderOutcome() {
    const { status, decisions } = this.approval;
    const decision = decisions?.[decisions.length - 1];
    if (status === 'pending') {
      this.outcome.hidden = true;
      return;
    }
    this.outcome.hidden = false;
    this.outcome.className = `outcome outcome-${status}`;
    const when = decision?.at ? h('time', { datetime: decision.at, title: dateTime(decision.at) },
                                  ago(decision.at)) : null;
    replace(this.outcome,
      h('p', { class: 'outcome-line' }, status === 'timed_out' ? 'Timed out undecided' :
        status === 'cancelled' ?
        [`Withdrawn: the ${this.approval.gate ? 'gate' : 'run'} was cancelled`,
          this.cancelledBy ? ' by ' : '',
          this.cancelledBy ? h('strong', {}, this.cancelledBy) : '',
          this.run?.error ? `: ${this.run.error}` : '.'] :
        [status === 'approved' ? 'Approved by ' : 'Rejected by ',
          h('strong', {}, decision?.reviewer ?? 'someone'), when ? [' · ', when] : '']),
      decision?.comment && h('div', { class: 'comment-body' }, decision.comment),
      decision?.edits && h('div', { id: 'approved-edits' },
        h('p', { class: 'muted' }, 'Approved with edits:'), renderEditDiff(decision.edit_diff)));
  }

  mayDecide() {
    return this.approval.status === 'pending' && this.approval.can_decide !== false;
  }

  // Whether this reviewer's decision is among the votes of a pending approval.
  voted() {
    const me = this.store?.me?.id;
    return Boolean(me) && (this.approval.decisions ?? []).some((d) => d.reviewer === me);
  }

  renderActions() {
    const pending = this.approval.status === 'pending';
    const allowed = this.mayDecide();
    const button = (text, key, kind, onclick, disabled) => h('button', {
      class: `button ${kind}`, type: 'button', onclick, disabled, 'aria-keyshortcuts': key,
      dataset: { action: text.toLowerCase() },
    }, text, h('kbd', { class: 'key-hint', 'aria-hidden': 'true' }, key));
    replace(this.actions,
      pending &&
        button('Approve', 'a', 'button-approve', () => this.openPanel('approve'), !allowed),
      pending && button('Reject', 'r', 'button-reject', () => this.openPanel('reject'), !allowed),
      button('Comment', 'c', 'button-secondary', () => this.focusComment()),
      pending && !allowed && h('p', { class: 'muted action-note' }, this.voted() ?
        'You have decided; the approval waits for the rest of its quorum.' :
        'You may comment here; deciding is for the people listed under "Who may decide".'));
    if (!pending && this.mode) this.closePanel();
  }

  renderSide() {
    const { approvers, can_decide: canDecide } = this.approval;
    const run = this.run;
    const fact = (term, ...value) => h('div', { class: 'side-fact' }, h('dt', {}, term),
                                       h('dd', {}, value));
    replace(this.side,
      (approvers || canDecide !== undefined) && h('section', { class: 'side-section' },
        h('h2', { class: 'side-title' }, 'Who may decide'),
        approvers && h('ul', { class: 'chips', id: 'approvers' }, approvers.map((who) =>
          h('li', { class: 'chip' }, who === '*' ? 'anyone signed in' : who))),
        canDecide !== undefined && h('p', { class: `side-note ${canDecide ? 'ok' : ''}` },
          canDecide ? 'You may decide this.' : 'You may not decide this.')),
      this.approval.status === 'pending' && this.approval.decisions?.length > 0 &&
        h('section', { class: 'side-section' },
          h('h2', { class: 'side-title' }, 'Votes so far'),
          h('ul', { class: 'votes', id: 'votes' }, this.approval.decisions.map((vote) =>
            h('li', {}, h('strong', {}, vote.reviewer),
              vote.decision === 'approve' ? ' approved' : ' rejected',
              vote.comment ? `: ${vote.comment}` : '')))),
      this.approval.gate ? h('section', { class: 'side-section' },
        h('h2', { class: 'side-title' }, 'Gate'),
        h('p', { class: 'side-note' }, 'An outside agent waits on this decision before it acts.'),
        h('dl', { class: 'side-facts' },
          fact('Opened by', this.approval.started_by),
          fact('Gate id', h('span', { class: 'mono' }, this.approval.id)))) :
      h('section', { class: 'side-section' },
        h('h2', { class: 'side-title' }, 'Run'),
        h('dl', { class: 'side-facts' },
          fact('Status', run ? statusBadge(run.status) : '…'),
          fact('Workflow', this.approval.workflow, run ? ` v${run.version}` : ''),
          run?.started_by && fact('Started by', run.started_by),
          run && fact('Started', h('time', {
            datetime: run.started_at, title: dateTime(run.started_at),
          }, ago(run.started_at))),
          fact('Run id', h('a', { href: runPath(this.approval.run_id), class: 'mono' },
                            shortId(this.approval.run_id))))));
  }

  renderRun() {
    replace(this.timeline, renderTimeline(this.events, { currentApproval: this.id }));
    this.renderSide();
    if (this.approval.status === 'cancelled') this.renderOutcome();
  }

  buildPanel() {
    const title = h('h2', { class: 'panel-title', id: 'decision-title' });
    const fieldLabel = h('label', { class: 'field-label', for: 'decision-text' });
    const text = h('textarea', { id: 'decision-text', class: 'input textarea', rows: '3' });
    const error = h('p', { class: 'form-error', role: 'alert' });
    const edits = h('div', { class: 'edit-slot' });
    const submit = h('button', { class: 'button', type: 'submit', id: 'decision-submit' });
    const cancel = h('button', { class: 'button button-ghost', type: 'button',
                                 onclick: () => this.closePanel() }, 'Cancel');
    // novalidate: an empty feedback is answered by the page's own words, not a browser tooltip.
    const form = h('form', { class: 'decision-panel', hidden: true, novalidate: true,
                             'aria-labelledby': 'decision-title' },
      title, fieldLabel, text, edits, error, h('div', { class: 'panel-buttons' }, submit, cancel));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.decide();
    });
    text.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.decide();
      }
    });
    return { element: form, title, fieldLabel, text, edits, error, submit };
  }

  openPanel(mode) {
    if (!this.approval || !this.mayDecide()) return;
    const panel = this.panel;
    if (this.mode !== mode) {
      panel.text.value = '';
      // Approving may change the shown values the step's `edits` allows; rejecting may not.
      this.editFields = mode === 'approve' ? buildEditFields(this.approval.show,
                                                             this.approval.edits) : null;
      replace(panel.edits, this.editFields?.element);
    }
    this.mode = mode;
    panel.element.hidden = false;
    panel.element.className = `decision-panel decision-${mode}`;
    panel.error.textContent = '';
    const look = PANELS[mode];
    panel.title.textContent = look.title;
    panel.fieldLabel.textContent = look.label;
    panel.text.setAttribute('aria-required', String(mode === 'reject'));
    panel.submit.className = `button ${look.button}`;
    panel.submit.textContent = look.submit;
    // Approving needs no words: Enter confirms. Rejecting does: the cursor goes to the feedback.
    (mode === 'approve' ? panel.submit : panel.text).focus();
  }

  closePanel() {
    this.mode = null;
    // Focus leaves with the panel, so the page's keys work again at once.
    if (this.panel.element.contains(document.activeElement)) document.activeElement.blur();
    this.panel.element.hidden = true;
  }

  async decide() {
    if (this.busy || !this.mode) return;
    const { text, error, submit } = this.panel;
    const comment = text.value.trim();
    const decision = this.mode;
    if (decision === 'reject' && !comment) {
      error.textContent = 'Say why: the feedback goes back with the rejection.';
      text.focus();
      return;
    }
    const { edits, error: badEdit } = this.editFields?.read() ?? { edits: {} };
    if (badEdit) {
      error.textContent = badEdit;
      return;
    }
    this.busy = true;
    submit.disabled = true;
    const label = submit.textContent;
    submit.textContent = decision === 'approve' ? 'Approving…' : 'Rejecting…';
    try {
      this.approval = await this.api.decide(this.id, decision, comment, edits);
      this.closePanel();
      text.value = '';
      this.store.decided(this.approval);
      const goesOn = this.approval.gate ? 'The agent goes ahead.' : 'The run continues.';
      this.toasts.show(decision === 'approve' ? `Approved. ${goesOn}` :
        'Rejected. Your feedback went back with it.', 'ok');
      this.renderApproval();
      await this.loadRun();
    } catch (failure) {
      const message = explain(failure, 'decide');
      error.textContent = message;
      this.toasts.show(message, 'error');
      if (failure.status === 409) {
        this.closePanel();
        await this.refresh();
      }
    } finally {
      this.busy = false;
      submit.disabled = false;
      if (this.mode) submit.textContent = label;
    }
  }

  buildComposer() {
    const text = h('textarea', { id: 'comment-text', class: 'input textarea', rows: '3',
                                 placeholder: 'Ask a question or leave a note for the others' });
    const error = h('p', { class: 'form-error', role: 'alert' });
    const submit = h('button', { class: 'button button-secondary', type: 'submit',
                                 id: 'comment-submit' }, 'Comment');
    const form = h('form', { class: 'composer' },
      h('label', { class: 'field-label', for: 'comment-text' }, 'Add a comment'),
      text, error, h('div', { class: 'panel-buttons' }, submit,
        h('span', { class: 'muted hint-inline' }, 'Ctrl+Enter to send')));
    const send = async () => {
      const value = text.value.trim();
      if (!value) {
        error.textContent = 'Write something first.';
        return;
      }
      submit.disabled = true;
      error.textContent = '';
      try {
        this.approval = await this.api.comment(this.id, value);
        text.value = '';
        this.toasts.show('Comment added.', 'ok');
        this.renderApproval();
        await this.loadRun();
      } catch (failure) {
        error.textContent = explain(failure, 'comment on');
      } finally {
        submit.disabled = false;
      }
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      send();
    });
    text.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        send();
      }
    });
    return { element: form, text };
  }

  focusComment() {
    this.composer.text.focus();
    this.composer.text.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }

  // Keyboard: a, r, c, Esc.
  approveKey() {
    this.openPanel('approve');
  }

  rejectKey() {
    this.openPanel('reject');
  }

  escape() {
    if (this.mode) this.closePanel();
  }
}
