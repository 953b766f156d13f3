// The record of environment classes: the machine shapes a runner offers.
import { EnvironmentClassSchema } from "@gitpod-connect/schema/gitpod/v1/environment_class";
import { messageCollection } from "../../store/store.js";

/** Environment classes (gitpod.v1.EnvironmentClass), keyed by id; each names its runner in runner_id. */
export const environmentClasses = messageCollection("environment_classes", "environment class", EnvironmentClassSchema);
