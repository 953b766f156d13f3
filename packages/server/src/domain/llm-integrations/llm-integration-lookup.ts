// Finding the LLM integration a call names, and removing a runner's integrations.
import type { Caller } from "../../auth/caller.js";
import { notFound } from "../../errors.js";
import { deleteWhere } from "../../store/scan.js";
import type { StoredRecord, Transaction } from "../../store/store.js";
import { mayActOn } from "../runners/index.js";
import { llmIntegrations, type LlmIntegrationRecord } from "./records.js";

/**
 * The integration `id` if the caller may see it: one of the caller's organization, and for a
 * runner principal one of its own runner. not_found otherwise (never a hint that it exists).
 */
export async function visibleLlmIntegration(tx: Transaction, caller: Caller, id: string): Promise<StoredRecord<LlmIntegrationRecord>> {
  const record = await tx.collection(llmIntegrations).get(id, { organizationId: caller.organizationId });
  if (!record || !mayActOn(caller, record.value.integration.runnerId)) throw notFound(llmIntegrations.kind, id);
  return record;
}

/** Deletes every LLM integration of the runner; run it in the transaction that deletes (or marks) the runner. */
export async function deleteLlmIntegrationsOf(tx: Transaction, organizationId: string, runnerId: string): Promise<number> {
  return (await deleteWhere(tx, llmIntegrations, organizationId, (r) => r.integration.runnerId === runnerId)).length;
}
