// What the independent peers (buf curl, grpc-js + proto-loader, hand-written fetch, Python grpcio)
// share: an embedded reference server on 127.0.0.1 with a free port and a known admin token, the
// paths of our schema, and the scenario's fixed inputs. Each peer writes its own requests in its
// own notation; only the expectations about the server's state live here.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { manualClock, sequentialIds, startServer, type ManualClock, type RunningServer } from "@gitpod-connect/server";

/** The repository root (…/main/). */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
/** Our schema: proto/gitpod/v1/*.proto, importing gitpod/v1/… relative to proto/. */
export const protoDir = join(repoRoot, "proto");
/** buf/validate/validate.proto, derived at generate time (git-ignored). */
export const protovalidateDir = join(repoRoot, ".buf-deps", "protovalidate");

/** The bootstrap admin's bearer token on every peer's server. */
export const peerToken = "peer-admin-token";
/** The simulated runner's step delay (the server's default). */
export const stepMs = 100;

/** Throws, with what to do, unless the derived protovalidate module is there. */
export function requireProtovalidate(): void {
  if (!existsSync(join(protovalidateDir, "buf", "validate", "validate.proto"))) {
    throw new Error(`${protovalidateDir}/buf/validate/validate.proto is missing: run \`npx -y pnpm@10.34.9 generate\` first`);
  }
}

export interface PeerServer {
  readonly server: RunningServer;
  /** The server's clock: manual (time moves only by advance) unless `stepDelayMs` was given. */
  readonly clock: ManualClock | undefined;
  /** e.g. "127.0.0.1:41234" (what gRPC clients dial). */
  readonly target: string;
  readonly url: string;
  /** Moves the manual clock one simulated-runner step at a time; fails on a server with a real clock. */
  step(steps?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a fresh reference server with sequential ids. By default its clock is manual (the test moves
 * it step by step and sees every phase); with `stepDelayMs` it runs on the wall clock with that step
 * delay (for a peer in another process that polls on its own).
 */
export async function startPeerServer(options: { stepDelayMs?: number } = {}): Promise<PeerServer> {
  const clock = options.stepDelayMs === undefined ? manualClock() : undefined;
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    apiKey: peerToken,
    ids: sequentialIds(),
    ...(clock ? { clock, stepDelayMs: stepMs } : { stepDelayMs: options.stepDelayMs }),
  });
  return {
    server,
    clock,
    target: `127.0.0.1:${server.port}`,
    url: server.url,
    async step(steps = 1) {
      if (!clock) throw new Error("this peer server runs on the wall clock");
      for (let i = 0; i < steps; i++) await clock.advance(stepMs);
    },
    close: () => server.close(),
  };
}

/**
 * A peer's setup (its tool, its server), run in beforeAll, whose failure fails every test of the
 * peer with the setup's error instead of skipping them (vitest reports the tests of a suite whose
 * beforeAll threw as skipped): `setup.run(fn)` in the hook, `setup.it(name, fn)` for the tests.
 */
export interface PeerSetup {
  run(fn: () => unknown): Promise<void>;
  /** Throws the setup's error, if it failed (for a nested setup that needs this one). */
  check(): void;
  /** it(), failing with the setup's error when the setup failed. */
  it(name: string, fn: () => unknown, timeoutMs?: number): void;
}

export function peerSetup(peerName: string, test: (name: string, fn: () => Promise<void>, timeoutMs?: number) => void): PeerSetup {
  let failure: Error | undefined;
  return {
    async run(fn) {
      try {
        await fn();
      } catch (e) {
        failure ??= new Error(`the ${peerName} peer could not start: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    },
    check() {
      if (failure) throw failure;
    },
    it(name, fn, timeoutMs) {
      test(
        name,
        async () => {
          if (failure) throw failure;
          await fn();
        },
        timeoutMs,
      );
    },
  };
}

/** A temporary folder and its removal. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The scenario every peer plays, in its own notation: a new AWS runner, an environment class on it,
 * an environment of that class started from a context URL, and a service in the environment.
 */
export const scenario = {
  runnerName: "Peer runner",
  region: "eu-central-1",
  className: "Peer class",
  classDescription: "4 CPU, 16 GiB",
  contextUrl: "https://github.com/gitpod-io/gitpod/tree/main",
  cloneUrl: "https://github.com/gitpod-io/gitpod.git",
  environmentName: "peer environment",
  serviceReference: "web",
  serviceName: "Web server",
  startCommand: "npm start",
  readyCommand: "curl -sf localhost:3000",
  /** A well-formed UUID that names nothing on the server. */
  unknownId: "0190a7c8-9c2d-7cc1-8d7e-7a1b2c3d4e5f",
} as const;

/** The environment phases, in the order seen, with consecutive repeats collapsed. */
export function distinct<T>(values: readonly T[]): T[] {
  return values.filter((v, i) => i === 0 || v !== values[i - 1]);
}

/** The phases a fresh environment goes through on the way to RUNNING (README: the lifecycle model). */
export const phasesToRunning = ["ENVIRONMENT_PHASE_CREATING", "ENVIRONMENT_PHASE_STARTING", "ENVIRONMENT_PHASE_RUNNING"];
/** 10 steps from CreateEnvironment to RUNNING. */
export const stepsToRunning = 10;

/** The manual clock's start (manualClock()'s default), in RFC 3339 as proto3 JSON writes it. */
export const clockStart = "2025-01-01T00:00:00Z";
