// The options of one call: Connect's CallOptions plus this client's own, carried to the
// interceptors as context values.
import { createContextValues, type CallOptions } from "@connectrpc/connect";
import { retryOverrideKey } from "./retry.js";

export interface GitpodCallOptions extends CallOptions {
  /**
   * true: retry this call on unavailable / resource_exhausted even if its RPC is not safe to
   * repeat (you know it is, e.g. a create with your own idempotent check); false: never retry it.
   * Unset: the client's policy.
   */
  retry?: boolean;
}

export function toCallOptions(options: GitpodCallOptions | undefined): CallOptions | undefined {
  if (options?.retry === undefined) return options;
  const { retry, ...rest } = options;
  const contextValues = rest.contextValues ?? createContextValues();
  contextValues.set(retryOverrideKey, retry);
  return { ...rest, contextValues };
}
