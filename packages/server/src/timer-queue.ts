// The clock's pending timers, earliest first (ties in the order they were set): a binary heap, so
// that setting, firing and cancelling cost O(log n) however many timers are pending — a durable
// store resumes with a timer for every unsettled resource, a million of them in the benchmarks.
// Cancelling only marks a timer; marked timers are dropped as they reach the top.

export interface QueuedTimer {
  readonly dueMs: number;
  readonly order: number;
  readonly fire: () => unknown;
  cancelled: boolean;
}

export class TimerQueue {
  private readonly heap: QueuedTimer[] = [];
  private live = 0;

  /** Timers neither fired nor cancelled. */
  get size(): number {
    return this.live;
  }

  push(t: QueuedTimer): void {
    this.heap.push(t);
    this.live += 1;
    this.up(this.heap.length - 1);
  }

  cancel(t: QueuedTimer): void {
    if (t.cancelled) return;
    t.cancelled = true;
    this.live -= 1;
  }

  /** The earliest pending timer, or undefined. */
  peek(): QueuedTimer | undefined {
    this.dropCancelled();
    return this.heap[0];
  }

  /** Removes and returns the earliest pending timer when it is due at or before `ms`. */
  popDue(ms: number): QueuedTimer | undefined {
    const top = this.peek();
    if (!top || top.dueMs > ms) return undefined;
    this.removeTop();
    top.cancelled = true; // fired: a later cancel() is a no-op
    this.live -= 1;
    return top;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.removeTop();
  }

  private removeTop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private static before(a: QueuedTimer, b: QueuedTimer): boolean {
    return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.order < b.order);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!TimerQueue.before(h[i]!, h[parent]!)) return;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let first = i;
      if (l < h.length && TimerQueue.before(h[l]!, h[first]!)) first = l;
      if (r < h.length && TimerQueue.before(h[r]!, h[first]!)) first = r;
      if (first === i) return;
      [h[i], h[first]] = [h[first]!, h[i]!];
      i = first;
    }
  }
}
