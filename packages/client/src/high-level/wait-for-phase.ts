// Waiting until a resource reaches a phase. The event stream (WatchEvents, scoped to the
// resource's environment and filtered to the resource) says when to look again; the watch is
// opened first and the resource read once the server confirms it (response headers), so no
// change can fall between the read and the subscription. A periodic re-read covers servers
// that confirm late. Servers without WatchEvents (unimplemented) are polled with backoff; a
// watch that breaks (unavailable, or resource_exhausted for a reader too slow) is reopened.
import { Code, ConnectError } from "@connectrpc/connect";
import { abortError } from "../behaviour/retry-policy.js";
import { sleep } from "../behaviour/sleep.js";
import type { Services } from "./services.js";
import { ResourceFailedError, UnreachablePhaseError, WaitForPhaseError, WaitTimeoutError } from "./wait-errors.js";
import type { WatchedResource } from "./watched-resources.js";

export interface WaitOptions {
  /** Ends the wait early: it rejects with a ConnectError (canceled). */
  signal?: AbortSignal;
  /** Rejects with WaitTimeoutError after this long (default 10 minutes; 0 = no limit). */
  timeoutMs?: number;
  /** Polling without WatchEvents: first interval (default 500 ms), growing 1.5× to 5 s. */
  pollIntervalMs?: number;
  /** While watching, re-read this often anyway (default 15 s). */
  resyncIntervalMs?: number;
}

export const defaultWaitTimeoutMs = 10 * 60_000;
const maxPollIntervalMs = 5_000;
/** How long to wait for a watch's response headers before reading anyway. */
const watchConfirmMs = 1_000;

type Verdict<R> = { done: true; resource: R } | { done: false };

export async function waitForPhase<R, P extends number>(
  services: Services,
  resource: WatchedResource<R, P>,
  id: string,
  wanted: P | readonly P[],
  options: WaitOptions = {},
): Promise<R> {
  const targets: ReadonlySet<P> = new Set(typeof wanted === "number" ? [wanted] : wanted);
  const wantedNames = [...targets].map((p) => resource.phases[p] ?? String(p));
  const timeoutMs = options.timeoutMs ?? defaultWaitTimeoutMs;
  const controller = new AbortController();
  let timedOut = false;
  const timer = timeoutMs > 0 ? setTimeout(() => ((timedOut = true), controller.abort()), timeoutMs) : undefined;
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const signal = controller.signal;
  let last: R | undefined;
  const phaseName = () => (last === undefined ? "unknown" : (resource.phases[resource.phase(last)] ?? String(resource.phase(last))));

  /** Reads the resource and judges it: reached, failed (throws), unreachable (throws) or not yet. */
  async function look(): Promise<Verdict<R>> {
    let current: R;
    try {
      current = await resource.get(services, id, { signal });
    } catch (e) {
      const error = ConnectError.from(e);
      if (error.code !== Code.NotFound || signal.aborted) throw e;
      // Gone: that is the deleted phase, where the resource has one; the caller gets the last
      // state read, in that phase.
      if (resource.gone && targets.has(resource.gone.phase)) return { done: true, resource: resource.gone.report(id, last) };
      throw new UnreachablePhaseError(resource.kind, id, wantedNames, "gone (not found)", last);
    }
    last = current;
    const phase = resource.phase(current);
    if (targets.has(phase)) return { done: true, resource: current };
    const failure = resource.failure(current);
    if (failure !== undefined) throw new ResourceFailedError(resource.kind, id, wantedNames, phaseName(), current, failure);
    if (resource.cannotReach(phase, targets)) throw new UnreachablePhaseError(resource.kind, id, wantedNames, phaseName(), current);
    return { done: false };
  }

  async function poll(): Promise<R> {
    for (let interval = options.pollIntervalMs ?? 500; ; interval = Math.min(maxPollIntervalMs, interval * 1.5)) {
      await sleep(interval, signal);
      const verdict = await look();
      if (verdict.done) return verdict.resource;
    }
  }

  /** One watch: resolves with the resource when reached, "ended" when the stream ends. */
  async function watchOnce(environmentId: string): Promise<Verdict<R> | "ended"> {
    const stream = new AbortController();
    const stopStream = () => stream.abort();
    signal.addEventListener("abort", stopStream, { once: true });
    let confirm = () => {};
    const confirmed = new Promise<void>((resolve) => (confirm = resolve));
    const watch = services.event.watchEvents(
      {
        scope: { case: "environmentId", value: environmentId },
        resourceTypeFilters: [{ resourceType: resource.resourceType, resourceIds: [id] }],
      },
      { signal: stream.signal, onHeader: () => confirm() },
    );
    const events = watch[Symbol.asyncIterator]();
    // Every pending read gets a handler at once: a stream error while we are busy reading the
    // resource must not count as an unhandled rejection; it surfaces when the read is awaited.
    const pull = () => {
      const read = events.next();
      read.catch(() => {});
      return read;
    };
    try {
      let next = pull();
      await Promise.race([confirmed, next.then(confirm, confirm), sleep(watchConfirmMs, signal).catch(() => {})]);
      let verdict = await look();
      if (verdict.done) return verdict;
      const resyncMs = options.resyncIntervalMs ?? 15_000;
      for (;;) {
        const resync = new AbortController();
        const outcome = await Promise.race([next, sleep(resyncMs, resync.signal).then(() => "resync" as const, () => "resync" as const)]);
        resync.abort();
        if (outcome === "resync") {
          verdict = await look();
        } else {
          if (outcome.done) return "ended";
          next = pull();
          if (outcome.value.resourceId !== id) continue;
          verdict = await look();
        }
        if (verdict.done) return verdict;
      }
    } finally {
      signal.removeEventListener("abort", stopStream);
      stream.abort();
      void events.return?.().catch(() => {});
    }
  }

  try {
    const first = await look();
    if (first.done) return first.resource;
    const environmentId = resource.environmentId(last!);
    for (let retry = 0; ; retry++) {
      try {
        const outcome = await watchOnce(environmentId);
        if (outcome !== "ended") return (outcome as { done: true; resource: R }).resource;
      } catch (e) {
        if (signal.aborted || e instanceof WaitForPhaseError) throw e;
        const error = ConnectError.from(e);
        if (error.code === Code.Unimplemented) return await poll();
        if (error.code !== Code.Unavailable && error.code !== Code.ResourceExhausted) throw e;
      }
      // The stream ended (e.g. the server restarts) or broke: read again after a pause, then rewatch.
      await sleep(Math.min(maxPollIntervalMs, 250 * 2 ** Math.min(retry, 5)), signal);
      const verdict = await look();
      if (verdict.done) return verdict.resource;
    }
  } catch (e) {
    if (timedOut) throw new WaitTimeoutError(resource.kind, id, wantedNames, phaseName(), last, timeoutMs);
    if (signal.aborted) throw abortError(signal);
    throw e;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}
