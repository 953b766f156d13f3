// The procedure names of the schema as types, so that a by-name call with a literal name is as
// typed as the high level: "gitpod.v1.EnvironmentService/GetEnvironment" → its request and
// response messages. Any other string still works, untyped.
import type { DescService } from "@bufbuild/protobuf";
import type { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import type { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import type { EventService } from "@gitpod-connect/schema/gitpod/v1/event";
import type { IdentityService } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import type { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";

type ProceduresOf<Name extends string, S extends DescService> = S extends { method: infer M }
  ? { [K in keyof M & string as `${Name}/${Capitalize<K>}`]: M[K] }
  : never;

export type Procedures = ProceduresOf<"gitpod.v1.EnvironmentService", typeof EnvironmentService> &
  ProceduresOf<"gitpod.v1.EnvironmentAutomationService", typeof EnvironmentAutomationService> &
  ProceduresOf<"gitpod.v1.RunnerService", typeof RunnerService> &
  ProceduresOf<"gitpod.v1.RunnerConfigurationService", typeof RunnerConfigurationService> &
  ProceduresOf<"gitpod.v1.EventService", typeof EventService> &
  ProceduresOf<"gitpod.v1.IdentityService", typeof IdentityService>;

type MethodKind<K extends string> = { [P in keyof Procedures]: Procedures[P] extends { methodKind: K } ? P : never }[keyof Procedures];
export type UnaryProcedure = MethodKind<"unary">;
export type ServerStreamingProcedure = MethodKind<"server_streaming">;
