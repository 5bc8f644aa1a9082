// A run's history as a timeline: who did what and when, comments interleaved with the steps
// (GitHub's review timeline). Step outputs and inputs fold away; comments and decisions' words
// are shown as written (text).
import { h } from '../lib/dom.js';
import { ago, dateTime } from '../lib/format.js';
import { approvalPath } from '../lib/router.js';
import { renderContext } from './context.js';
import { renderEditDiff } from './edits.js';

function actor(name) {
  return h('strong', { class: 'actor' }, name || 'someone');
}

function folded(title, value) {
  return h('details', { class: 'event-detail' }, h('summary', {}, title),
    h('div', { class: 'event-detail-body' }, renderContext(value, { empty: 'Nothing.' })));
}

function quote(text, kind = '') {
  return text ? h('div', { class: `comment-body ${kind}` }, text) : null;
}

// What one event says: {kind (the marker's colour), line (nodes), body (nodes)}.
function describe(event, { currentApproval } = {}) {
  const approvalLink = (id, text) => (id && id !== currentApproval ?
    h('a', { href: approvalPath(id) }, text) : text);
  switch (event.type) {
    case 'run.started':
      return { kind: 'start', line: [actor(event.started_by), ' started the run',
        event.version ? ` (version ${event.version})` : ''],
        body: folded('Input', event.input) };
    case 'step.started':
      return { kind: 'step', line: ['Step ', h('code', {}, event.step_id), ' started',
        event.attempt > 1 ? `, attempt ${event.attempt}` : ''] };
    case 'step.completed':
      return { kind: 'step', line: ['Step ', h('code', {}, event.step_id), ' completed'],
        body: folded('Output', event.output) };
    case 'step.failed':
      return { kind: 'fail', line: ['Step ', h('code', {}, event.step_id), ' failed',
        event.attempt ? ` (attempt ${event.attempt})` : '', event.will_retry ? ', will retry' : '',
        event.retry_at ? [' ', h('time', { datetime: event.retry_at,
          title: dateTime(event.retry_at) }, `at ${dateTime(event.retry_at)}`)] : ''],
        body: quote(event.error, 'is-error') };
    case 'approval.requested':
      return { kind: 'ask', line: [approvalLink(event.approval_id, 'Approval requested'),
        event.quorum ? ` (${event.quorum} approvals needed)` : '', ': ',
        h('span', { class: 'event-message' }, event.message)] };
    case 'approval.decided': {
      const approved = event.decision === 'approve';
      // A decision short of its side's quorum is a vote: the request stays pending.
      const vote = event.tally && event.tally.count < event.tally.needed ?
        ` (a vote: ${event.tally.count} of ${event.tally.needed})` : '';
      return { kind: approved ? 'ok' : 'fail', line: [actor(event.reviewer),
        approved ? ' approved' : ' rejected', ' ', approvalLink(event.approval_id, 'the request'),
        vote,
        event.edits ? ' with edits' : ''],
        body: [quote(event.comment, approved ? '' : 'is-feedback'),
          renderEditDiff(event.edit_diff)] };
    }
    case 'approval.escalated':
      return { kind: 'ask', line: [approvalLink(event.approval_id, 'The request'),
        ` timed out and was escalated (rung ${event.rung}, ${event.timeout} to decide)`] };
    case 'approval.reminded':
      return { kind: 'ask', line: ['Approvers reminded of ',
        approvalLink(event.approval_id, 'the request')] };
    case 'approval.timed_out':
      return { kind: event.action === 'approve' ? 'ok' : 'fail', line: [
        approvalLink(event.approval_id, 'The request'), ' timed out: its on_timeout ',
        event.action === 'fail' ? 'failed the run' : `decided "${event.action}"`] };
    case 'comment.added':
      return { kind: 'comment', line: [actor(event.author), ' commented'],
        body: quote(event.text) };
    case 'run.completed':
      return { kind: 'ok', line: ['Run completed'], body: folded('Output', event.output) };
    case 'run.failed':
      return { kind: 'fail', line: ['Run failed'], body: quote(event.error, 'is-error') };
    case 'run.cancelled':
      return { kind: 'fail', line: [actor(event.by), ' cancelled the run'],
        body: quote(event.reason) };
    case 'gate.opened':
      return { kind: 'start', line: [actor(event.by), ' opened the gate'],
        body: quote(event.message) };
    case 'gate.timed_out':
      return { kind: 'fail', line: ['The gate timed out undecided'] };
    case 'gate.cancelled':
      return { kind: 'fail', line: ['The gate was cancelled'] };
    case 'run.retried':
      return { kind: 'start', line: [actor(event.by), ' retried the run from step ',
        h('code', {}, event.step_id)] };
    default:
      return { kind: 'step', line: [event.type] };
  }
}

// Each decision of an approval with a quorum gets its tally {count, needed} so far, counted
// from the request's quorums and the decisions before it.
function withTallies(events) {
  const quorums = new Map();
  const counts = new Map();
  return events.map((event) => {
    if (event.type === 'approval.requested' && (event.quorum || event.reject_quorum)) {
      quorums.set(event.approval_id, { approve: event.quorum ?? 1,
                                       reject: event.reject_quorum ?? 1 });
    }
    const quorum = quorums.get(event.approval_id);
    if (event.type !== 'approval.decided' || !quorum) return event;
    const key = `${event.approval_id} ${event.decision}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return { ...event, tally: { count: counts.get(key), needed: quorum[event.decision] } };
  });
}

// An outside agent's gate belongs to no run: its history is the approval's own, opened,
// commented on and decided, as events in the timeline's shape.
export function gateEvents(gate) {
  const events = [{ type: 'gate.opened', at: gate.requested_at, by: gate.started_by,
                    message: gate.message === gate.title ? '' : gate.message }];
  for (const decision of gate.decisions ?? []) {
    events.push({ type: 'approval.decided', approval_id: gate.id, ...decision });
  }
  for (const comment of gate.comments ?? []) events.push({ type: 'comment.added', ...comment });
  if (gate.status === 'timed_out') events.push({ type: 'gate.timed_out', at: gate.due_at });
  if (gate.status === 'cancelled') events.push({ type: 'gate.cancelled' });
  // Times are RFC 3339 UTC with milliseconds: they sort as text. The end comes last.
  return events.sort((a, b) => (a.at ?? '\uffff').localeCompare(b.at ?? '\uffff'));
}

export function renderTimeline(events, options = {}) {
  if (!events || events.length === 0) return h('p', { class: 'muted' }, 'No events yet.');
  return h('ol', { class: 'timeline', 'aria-label': 'History' }, withTallies(events).map((event) => {
    const { kind, line, body } = describe(event, options);
    return h('li', { class: `event event-${kind}`, dataset: { seq: event.seq, type: event.type } },
      h('span', { class: 'event-marker', 'aria-hidden': 'true' }),
      h('div', { class: 'event-main' },
        h('div', { class: 'event-line' },
          h('span', { class: 'event-text' }, line),
          h('time', { class: 'event-time', datetime: event.at, title: dateTime(event.at) },
            ago(event.at))),
        body));
  }));
}
