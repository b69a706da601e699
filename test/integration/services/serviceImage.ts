// Builds services/app once per test process on the real engine, and runs containers of it.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { REPO_ROOT, docker, dockerOk, type IntegrationEnv, useIntegrationEnv } from "../helpers/integrationEnv";

export const SERVICE_CONTEXT = path.join(REPO_ROOT, "services", "app");

export interface ServiceImage {
  readonly tag: string;
  /** The GIT_SHA build argument, which the service reports as its version. */
  readonly gitSha: string;
}

let built: Promise<ServiceImage> | undefined;

/**
 * The same Dockerfile CI uses, with the locally imported bases. The build runs on the host network:
 * the engine has no bridge, and `npm ci` must reach the npm registry.
 */
export function buildServiceImage(env: IntegrationEnv): Promise<ServiceImage> {
  built ??= (async () => {
    const gitSha = randomBytes(20).toString("hex");
    // One tag, overwritten by every run; setup.sh prunes the images it leaves dangling.
    const tag = "berth-it/app:test";
    await dockerOk(
      env,
      [
        "build",
        "--network", "host",
        "--build-arg", `BUILD_IMAGE=${env.buildImage}`,
        "--build-arg", `BASE_IMAGE=${env.runtimeImage}`,
        "--build-arg", `GIT_SHA=${gitSha}`,
        "--tag", tag,
        SERVICE_CONTEXT,
      ],
      600_000,
    );
    return { tag, gitSha };
  })();
  return built;
}

export interface ContainerOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Extra `docker run` flags (e.g. health-check timings, mounts). */
  readonly flags?: readonly string[];
  /** Replaces the image's CMD (the image has no ENTRYPOINT). */
  readonly command?: readonly string[];
}

function runArgs(image: string, name: string, options: ContainerOptions): string[] {
  const envFlags = Object.entries(options.env ?? {}).flatMap(([key, value]) => ["--env", `${key}=${value}`]);
  // Host network: the engine has no bridge, and loopback is the only address the tests may use.
  return ["--name", name, "--network", "host", ...envFlags, ...(options.flags ?? []), image, ...(options.command ?? [])];
}

export function containerName(purpose: string): string {
  return `berth-it-${purpose}-${randomBytes(3).toString("hex")}`;
}

/** Starts a detached container; returns its name. */
export async function startContainer(env: IntegrationEnv, image: string, purpose: string, options: ContainerOptions = {}): Promise<string> {
  const name = containerName(purpose);
  await dockerOk(env, ["run", "--detach", ...runArgs(image, name, options)]);
  return name;
}

/** Runs a container to completion and returns its exit code and output (the container is removed). */
export function runToCompletion(env: IntegrationEnv, image: string, purpose: string, options: ContainerOptions = {}) {
  return docker(env, ["run", "--rm", ...runArgs(image, containerName(purpose), options)], { timeoutMs: 120_000 });
}

export async function removeContainer(env: IntegrationEnv, name: string | undefined): Promise<void> {
  if (name) await docker(env, ["rm", "--force", "--volumes", name]);
}

export async function inspect<T>(env: IntegrationEnv, target: string, format: string): Promise<T> {
  return JSON.parse(await dockerOk(env, ["inspect", "--format", `{{json ${format}}}`, target])) as T;
}

/**
 * Registers a `before` hook that resolves the integration environment and builds the service image once,
 * and returns accessors for both: `const ctx = useServiceImage(); … ctx.env(), ctx.image()`.
 */
export function useServiceImage(): { env: () => IntegrationEnv; image: () => ServiceImage } {
  let env: IntegrationEnv | undefined;
  let image: ServiceImage | undefined;
  before(async function () {
    env = await useIntegrationEnv(this);
    this.timeout(600_000);
    image = await buildServiceImage(env);
  });
  return {
    env: () => env ?? fail("integration environment"),
    image: () => image ?? fail("service image"),
  };
}

function fail(what: string): never {
  throw new Error(`${what} is not ready: the before hook did not run or failed`);
}

