// IdentityService.GetAuthenticatedIdentity: the calling subject and its organization (server
// README, "The event model": answers the calling subject — a user, a runner with its runner token,
// … — and its organization id; organization_tier is empty).
import assert from "node:assert/strict";
import { IdentityService, Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { Scenario } from "../scenario.js";
import { createTestRunner, isolation, otherOrganization, scenarioFactory, unauthenticatedScenarios, uuidPattern } from "./runner-support.js";

const define = scenarioFactory("IdentityService");

export const identityServiceScenarios: Scenario[] = [
  define("GetAuthenticatedIdentity", "names-organization-and-subject", "names the caller's organization and subject: a user or service account with a UUID; organization_tier empty", async (ctx) => {
    const identity = await ctx.client(IdentityService).getAuthenticatedIdentity({});
    assert.equal(identity.organizationId, ctx.fixtures.organizationId);
    assert.ok(identity.subject, "subject is set");
    assert.match(identity.subject.id, uuidPattern, "the subject id is a UUID");
    assert.ok(
      identity.subject.principal === Principal.USER || identity.subject.principal === Principal.SERVICE_ACCOUNT,
      `an API token belongs to a user or service account, got ${Principal[identity.subject.principal]}`,
    );
    assert.equal(identity.organizationTier, "", "no plans are modelled: organization_tier is empty");
  }),
  define("GetAuthenticatedIdentity", "subject-is-creator", "the subject is the one the server records as creator of what the caller creates", async (ctx) => {
    const identity = await ctx.client(IdentityService).getAuthenticatedIdentity({});
    const { runner } = await createTestRunner(ctx);
    assert.deepEqual([runner.creator?.id, runner.creator?.principal], [identity.subject?.id, identity.subject?.principal]);
  }),
  define("GetAuthenticatedIdentity", "runner-token-names-runner", "a runner calling with its own token is named as PRINCIPAL_RUNNER with the runner id, in our organization", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    const identity = await ctx.clientWithToken(IdentityService, exchangeToken).getAuthenticatedIdentity({});
    assert.deepEqual([identity.subject?.id, identity.subject?.principal, identity.organizationId], [runnerId, Principal.RUNNER, ctx.fixtures.organizationId]);
  }),
  define("GetAuthenticatedIdentity", "stable-across-calls", "answers the same identity on every call", async (ctx) => {
    const client = ctx.client(IdentityService);
    const [a, b] = await Promise.all([client.getAuthenticatedIdentity({}), client.getAuthenticatedIdentity({})]);
    assert.deepEqual([a.organizationId, a.subject?.id, a.subject?.principal], [b.organizationId, b.subject?.id, b.subject?.principal]);
  }),
  define("GetAuthenticatedIdentity", "other-organization-named", "the second token's identity names the other organization and another subject", async (ctx) => {
    const mine = await ctx.client(IdentityService).getAuthenticatedIdentity({});
    const theirs = await otherOrganization(ctx).client(IdentityService).getAuthenticatedIdentity({});
    assert.equal(theirs.organizationId, otherOrganization(ctx).fixtures.organizationId);
    assert.notEqual(theirs.organizationId, mine.organizationId, "two organizations");
    assert.notEqual(theirs.subject?.id, mine.subject?.id, "two subjects");
  }, isolation),
  ...unauthenticatedScenarios(define, IdentityService, "GetAuthenticatedIdentity", (c) => c.getAuthenticatedIdentity({}), { wrongToken: true }),
];
