// Every element of our schema is documented, and every message serves some RPC.
import type { DescFile, DescMessage } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { buildProtoRegistry } from "../src/buf-image.js";
import { uncommentedElements } from "../src/schema-documentation.js";

const registry = buildProtoRegistry();
const ourFiles = [...registry.files].filter((f) => f.name.startsWith("gitpod/v1/"));

/** Names of the messages reachable from the RPCs of all services, through fields of any kind. */
function reachableMessages(files: Iterable<DescFile>): Set<string> {
  const seen = new Set<string>();
  const visit = (message: DescMessage) => {
    if (seen.has(message.typeName)) return;
    seen.add(message.typeName);
    for (const field of message.fields) {
      if (field.message) visit(field.message);
    }
  };
  for (const file of files) {
    for (const service of file.services) {
      for (const method of service.methods) {
        visit(method.input);
        visit(method.output);
      }
    }
  }
  return seen;
}

describe("schema documentation", () => {
  it("finds the four documented services with 70 RPCs, and EventService and IdentityService with one each, in proto/", () => {
    const services = ourFiles.flatMap((f) => f.services);
    expect(services.map((s) => [s.typeName, s.methods.length]).sort()).toEqual([
      ["gitpod.v1.EnvironmentAutomationService", 17],
      ["gitpod.v1.EnvironmentService", 16],
      ["gitpod.v1.EventService", 1],
      ["gitpod.v1.IdentityService", 1],
      ["gitpod.v1.RunnerConfigurationService", 21],
      ["gitpod.v1.RunnerService", 16],
    ]);
  });

  it.each(ourFiles.map((f) => [f.name, f] as const))(
    "%s has a comment on every service, RPC, message, field, oneof, enum and enum value",
    (_name, file) => {
      expect(uncommentedElements(file.proto)).toEqual([]);
    },
  );

  it("declares no message that no RPC reaches (a namespace of reachable nested types counts)", () => {
    const reachable = reachableMessages(registry.files);
    const declared = ourFiles.flatMap((f) => [...allMessages(f.messages)]);
    const unreachable = declared.filter(
      (m) => !reachable.has(m.typeName) && !m.nestedMessages.some((n) => namespaceReached(n, reachable)),
    );
    expect(unreachable.map((m) => m.typeName)).toEqual([]);
  });
});

function* allMessages(messages: DescMessage[]): Generator<DescMessage> {
  for (const m of messages) {
    yield m;
    yield* allMessages(m.nestedMessages);
  }
}

function namespaceReached(message: DescMessage, reachable: Set<string>): boolean {
  return reachable.has(message.typeName) || message.nestedMessages.some((n) => namespaceReached(n, reachable));
}
