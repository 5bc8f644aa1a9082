// The queue's data: one view ("mine": pending approvals this user may decide; "all": pending
// approvals this user can see; "decided"), filtered by workflow and a search, read page by page
// and kept current by the stream's notifications. Emits 'change' whenever what to show changed.
import { MergedPager, Pager } from './pager.js';

const PAGE = 50;
const MAX_FETCHES_PER_LOAD = 20;  // filtered pages may come back empty: bounded, then wait
const FINISHED_MEMORY = 5000;     // decided ids remembered against pages read before the news

export const VIEWS = {
  mine: { title: 'Mine' },
  all: { title: 'All I can see' },
  decided: { title: 'Decided' },
};

// Case-insensitive substring over the message, the workflow, a gate's title and the shown
// values: the rule of the server's q=, applied to live arrivals and to pages from a server
// without q=.
export function matchesSearch(approval, q) {
  if (!q) return true;
  const needle = q.toLowerCase();
  const texts = [approval.message, approval.workflow, approval.title ?? ''];
  const walk = (value) => {
    if (value === null || value === undefined) return;
    if (typeof value === 'object') Object.values(value).forEach(walk);
    else texts.push(String(value));
  };
  walk(approval.show);
  return texts.some((text) => String(text ?? '').toLowerCase().includes(needle));
}

export class QueueStore extends EventTarget {
  constructor(api, me) {
    super();
    this.api = api;
    this.me = me;
    this.filters = { view: 'mine', workflow: '', q: '' };
    this.items = [];
    this.loading = false;
    this.error = null;
    this.pager = null;
    this.generation = 0;           // bumps on every reload: answers for an older one are dropped
    this.finished = new Map();     // id -> status, from notifications
  }

  get done() {
    return this.pager?.done ?? false;
  }

  // Changes the view or filters; reloads when they differ.
  configure({ view, workflow, q }) {
    const next = {
      view: VIEWS[view] ? view : 'mine', workflow: workflow ?? '', q: (q ?? '').trim(),
    };
    const same = Object.keys(next).every((key) => next[key] === this.filters[key]);
    if (same && this.pager) return;
    this.filters = next;
    this.reload();
  }

  // quiet: the list stays on screen until the first page replaces it (the same view read
  // again after the stream started over), instead of a loading state.
  reload({ quiet = false } = {}) {
    this.generation += 1;
    this.pager = this.makePager();
    if (quiet) this.stale = true;
    else this.items = [];
    this.error = null;
    this.loading = false;
    return this.loadMore();  // which says 'change' at once, loading
  }

  // The next page, while there is one and nothing is loading.
  async loadMore() {
    if (this.loading || this.done || this.error) return;
    const generation = this.generation;
    this.loading = true;
    this.changed();
    try {
      let fetched = 0;
      let added = 0;
      while (added === 0 && !this.pager.done && fetched < MAX_FETCHES_PER_LOAD) {
        const page = await this.pager.more(PAGE);
        if (generation !== this.generation) return;
        fetched += 1;
        added += this.addLoaded(page);
      }
    } catch (error) {
      if (generation !== this.generation) return;
      this.error = error;
    } finally {
      if (generation === this.generation) {
        this.loading = false;
        this.changed();
      }
    }
  }

  makePager() {
    const { view, workflow } = this.filters;
    const list = (status, assignee) => new Pager(async (after, limit) => {
      const params = { status, assignee, workflow, q: this.filters.q, limit, after };
      const answer = await this.api.approvals(params);
      return { items: answer.approvals ?? [], next: answer.next };
    });
    if (view === 'mine') return list('pending', 'me');
    if (view === 'all') return list('pending');
    return new MergedPager([list('approved'), list('rejected'), list('cancelled')],
                           (approval) => `${approval.requested_at}|${approval.id}`);
  }

  // Adds a page read from the server, leaving out what is already listed or was decided since.
  addLoaded(page) {
    if (this.stale) {
      this.items = [];
      this.stale = false;
    }
    const known = new Set(this.items.map((item) => item.id));
    const pendingView = this.filters.view !== 'decided';
    let added = 0;
    for (const approval of page) {
      if (known.has(approval.id)) continue;
      if (pendingView && this.finished.has(approval.id)) continue;
      // The server searches with q= where it can; one that ignores q= is filtered here, by the
      // same rule, so the list is right either way.
      if (!matchesSearch(approval, this.filters.q)) continue;
      this.items.push(approval);
      added += 1;
    }
    return added;
  }

  matches(approval) {
    const { workflow, q } = this.filters;
    return (!workflow || approval.workflow === workflow) && matchesSearch(approval, q);
  }

  indexOf(id) {
    return this.items.findIndex((item) => item.id === id);
  }

  // A notification from the stream (README "WebSocket").
  apply(message) {
    const approval = message.approval;
    if (!approval?.id) return;
    const index = this.indexOf(approval.id);
    if (message.type === 'approval.requested') return this.onRequested(approval, index);
    if (message.type === 'comment.added') {
      if (index >= 0) this.items[index] = approval;
      return this.changed();
    }
    // A vote short of its quorum: still pending, with one more decision. Whoever cast it may
    // decide it no more, so it leaves their inbox. A reminder changes only its fields.
    if (message.type === 'approval.voted' || message.type === 'approval.reminded') {
      if (index < 0) return;
      if (this.filters.view === 'mine' && !approval.can_decide) this.items.splice(index, 1);
      else this.items[index] = approval;
      return this.changed();
    }
    // Its timeout handed it to other approvers: it may leave this inbox, or arrive in it.
    if (message.type === 'approval.escalated') {
      const mine = this.filters.view === 'mine';
      if (index >= 0 && mine && !approval.can_decide) this.items.splice(index, 1);
      else if (index >= 0) this.items[index] = approval;
      else if (mine && approval.can_decide && this.matches(approval)) this.insertSorted(approval);
      return this.changed();
    }
    // approval.decided, approval.cancelled
    this.finished.set(approval.id, approval.status);
    if (this.finished.size > FINISHED_MEMORY) {
      this.finished.delete(this.finished.keys().next().value);
    }
    if (this.filters.view !== 'decided') {
      if (index >= 0) this.items.splice(index, 1);
    } else if (index >= 0) {
      this.items[index] = approval;
    } else if (this.matches(approval)) {
      this.insertSorted(approval);
    }
    this.changed();
  }

  onRequested(approval, index) {
    if (this.filters.view === 'decided' || index >= 0 || !this.matches(approval)) return;
    // The inbox holds what this user may decide: the server says so on every approval.
    if (this.filters.view === 'mine' && !approval.can_decide) return;
    this.items.unshift(approval);
    this.changed();
  }

  // Into the loaded range by requested time (newest first); past it, a later page brings it.
  insertSorted(approval) {
    const at = this.items.findIndex((item) => item.requested_at < approval.requested_at);
    if (at >= 0) this.items.splice(at, 0, approval);
    else if (this.done) this.items.push(approval);
  }

  // After this user decided: the decision's answer, applied like a notification.
  decided(approval) {
    if (approval.status === 'pending') {
      // The stream may have brought a later vote already: keep whichever knows more.
      const known = this.items[this.indexOf(approval.id)];
      if ((known?.decisions?.length ?? 0) > approval.decisions.length) return;
      this.apply({ type: 'approval.voted', approval: { ...approval, can_decide: false } });
    } else {
      this.apply({ type: 'approval.decided', approval });
    }
  }

  changed() {
    this.dispatchEvent(new Event('change'));
  }
}
