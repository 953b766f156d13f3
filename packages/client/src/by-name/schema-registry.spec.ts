import { describe, expect, it } from "vitest";
import { findMethod, UnknownProcedureError } from "./schema-registry.js";

describe("procedure names", () => {
  it("resolves the HTTP path form, with or without its slash, and the dotted form", () => {
    for (const name of [
      "gitpod.v1.EnvironmentService/GetEnvironment",
      "/gitpod.v1.EnvironmentService/GetEnvironment",
      "gitpod.v1.EnvironmentService.GetEnvironment",
    ]) {
      const method = findMethod(name);
      expect(`${method.parent.typeName}/${method.name}`, name).toBe("gitpod.v1.EnvironmentService/GetEnvironment");
    }
  });

  it("finds every service of the schema, the stream and identity included", () => {
    expect(findMethod("gitpod.v1.EventService/WatchEvents").methodKind).toBe("server_streaming");
    expect(findMethod("gitpod.v1.IdentityService/GetAuthenticatedIdentity").methodKind).toBe("unary");
    expect(findMethod("gitpod.v1.RunnerConfigurationService/CreateLLMIntegration").name).toBe("CreateLLMIntegration");
  });

  it("rejects names the schema lacks", () => {
    for (const name of ["gitpod.v1.EnvironmentService/Nope", "gitpod.v1.Nope/GetEnvironment", "GetEnvironment", ""]) {
      expect(() => findMethod(name), name).toThrow(UnknownProcedureError);
    }
  });
});
