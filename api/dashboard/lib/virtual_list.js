// A scrolling list that draws only the rows in view (each rowHeight pixels tall), so a list of
// 100,000 costs what a screenful does; it calls onNearEnd when the reviewer nears the end of
// what is loaded, for the next page.
import { h } from './dom.js';

const OVERSCAN = 6;      // rows drawn beyond each edge, so fast scrolling shows no gaps
const NEAR_END_ROWS = 20;

export class VirtualList {
  // renderRow(item, index) -> an element; key(item) -> a stable id.
  constructor({ rowHeight, renderRow, key, onNearEnd, label }) {
    this.rowHeight = rowHeight;
    this.renderRow = renderRow;
    this.key = key;
    this.onNearEnd = onNearEnd;
    this.items = [];
    this.selected = -1;
    this.drawn = new Map();  // key -> {element, index}
    this.space = h('div', { class: 'vlist-space', role: 'list', 'aria-label': label });
    this.element = h('div', { class: 'vlist', tabindex: '-1' }, this.space);
    this.frame = 0;
    this.element.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  setItems(items) {
    this.items = items;
    this.redrawAll();
  }

  // Redraws every row in view (an item changed, or the selection moved).
  redrawAll() {
    for (const { element } of this.drawn.values()) element.remove();
    this.drawn.clear();
    this.schedule();
  }

  select(index) {
    this.selected = index;
    this.redrawAll();
  }

  // Scrolls as little as needed for row index to be in view.
  reveal(index) {
    const top = index * this.rowHeight;
    const view = this.element;
    if (top < view.scrollTop) view.scrollTop = top;
    else if (top + this.rowHeight > view.scrollTop + view.clientHeight) {
      view.scrollTop = top + this.rowHeight - view.clientHeight;
    }
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  draw() {
    const { items, rowHeight } = this;
    this.space.style.height = `${items.length * rowHeight}px`;
    const top = this.element.scrollTop;
    const height = this.element.clientHeight || rowHeight * 10;
    const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
    const last = Math.min(items.length - 1, Math.ceil((top + height) / rowHeight) + OVERSCAN);
    const wanted = new Map();
    for (let index = first; index <= last; index += 1) wanted.set(this.key(items[index]), index);
    for (const [key, row] of this.drawn) {
      if (wanted.get(key) !== row.index) {
        row.element.remove();
        this.drawn.delete(key);
      }
    }
    for (const [key, index] of wanted) {
      if (this.drawn.has(key)) continue;
      const element = this.renderRow(items[index], index, index === this.selected);
      element.style.transform = `translateY(${index * rowHeight}px)`;
      element.style.height = `${rowHeight}px`;
      element.setAttribute('aria-posinset', String(index + 1));
      this.space.append(element);
      this.drawn.set(key, { element, index });
    }
    if (last >= items.length - NEAR_END_ROWS) this.onNearEnd?.();
  }
}
