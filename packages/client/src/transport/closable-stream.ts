// Server streams that end when the caller stops reading. connect-es's stream iterables have no
// return(), so `break` out of a `for await` leaves the request open until the server ends it,
// and after an abort they still yield what was already buffered. Here leaving the loop (or
// return()) cancels the request, and nothing is yielded once the call is aborted.
import { Code, ConnectError, type CallOptions } from "@connectrpc/connect";

export function closableStream<T>(open: (options: CallOptions) => AsyncIterable<T>, options: CallOptions | undefined): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const controller = new AbortController();
      const outer = options?.signal;
      const onAbort = () => controller.abort(outer?.reason);
      if (outer?.aborted) onAbort();
      outer?.addEventListener("abort", onAbort, { once: true });
      const release = () => outer?.removeEventListener("abort", onAbort);
      const inner = open({ ...options, signal: controller.signal })[Symbol.asyncIterator]();
      return {
        async next() {
          if (controller.signal.aborted) {
            release();
            throw ConnectError.from(controller.signal.reason ?? new ConnectError("the stream was closed", Code.Canceled), Code.Canceled);
          }
          try {
            const result = await inner.next();
            if (result.done) release();
            return result;
          } catch (e) {
            release();
            throw e;
          }
        },
        return(value?: unknown) {
          release();
          controller.abort(new ConnectError("the stream was closed by its reader", Code.Canceled));
          return Promise.resolve({ done: true, value: value as T });
        },
      };
    },
  };
}
