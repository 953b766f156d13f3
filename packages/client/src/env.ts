// fromEnv(): the options the official clients read from the environment.
import { defaultBaseUrl, InvalidOptionError, type GitpodClientOptions } from "./options.js";

export type EnvironmentVariables = Record<string, string | undefined>;

/** GITPOD_API_KEY (required) and GITPOD_BASE_URL (default https://app.gitpod.io/api). */
export function optionsFromEnv(env: EnvironmentVariables): Pick<GitpodClientOptions, "baseUrl" | "token"> {
  const token = env["GITPOD_API_KEY"]?.trim();
  if (!token) throw new InvalidOptionError("token", "is missing: set GITPOD_API_KEY (or pass options.token)");
  return { token, baseUrl: env["GITPOD_BASE_URL"]?.trim() || defaultBaseUrl };
}
