// One catalogue entry resolved: defaults from the profile, per-service rules (name, Fargate size, routes,
// health checks, draining, autoscaling, spot, build context), environment and secrets.
import { SERVICE_NAME, type RawConfig, type RawService } from "./schema";
import { COMMON_DEFAULTS, type Profile } from "./profiles";
import { FARGATE_SIZES, describeMemoryFor, isValidFargateSize } from "./fargate";
import { patternProblem } from "./routes";
import type { Add } from "./errors";
import { resolveEnvironment, resolveSecrets } from "./secrets";
import type { ServiceSettings } from "./settings";
import { resolveDatabaseAccess } from "./databaseAccess";
import { databaseUser } from "../naming";
import { resolveRolloutSettings } from "./rollout";

/** Names berth uses for its own resources; a service with one of them would collide. */
export const RESERVED_SERVICE_NAMES = ["access-logs", "alarms", "alb", "cluster", "db", "db-final", "endpoints", "flow-logs", "migrate", "uploads"];

export function resolveService(s: RawService, i: number, raw: RawConfig, profile: Profile, add: Add): ServiceSettings {
    const at = (k: string) => `services[${i}].${k}`;
    if (!SERVICE_NAME.test(s.name)) {
        add(at("name"), `"${s.name}" is not a valid service name: use 2-28 lower-case letters, digits and hyphens, starting with a letter (it becomes part of DNS, ECS and IAM names, F04)`);
    } else if (RESERVED_SERVICE_NAMES.includes(s.name)) {
        add(at("name"), `"${s.name}" is reserved for berth's own resources (${RESERVED_SERVICE_NAMES.join(", ")}); choose another name`);
    }

    const cpu = s.cpu ?? COMMON_DEFAULTS.cpu;
    const memory = s.memory ?? COMMON_DEFAULTS.memory;
    if (!FARGATE_SIZES.has(cpu)) {
        add(at("cpu"), `${cpu} is not a Fargate CPU size; use one of ${[...FARGATE_SIZES.keys()].join(", ")}`);
    } else if (!isValidFargateSize(cpu, memory)) {
        add(at("memory"), `${memory} MiB is not a valid Fargate size with cpu ${cpu}; ${describeMemoryFor(cpu)}`);
    }

    const routes = s.routes ?? [];
    routes.forEach((r, j) => {
        const problem = patternProblem(r);
        if (problem) add(`${at("routes")}[${j}]`, `${problem} (F08)`);
    });

    const hc = s.healthCheck ?? {};
    const interval = hc.intervalSeconds ?? COMMON_DEFAULTS.healthCheck.intervalSeconds;
    const timeout = hc.timeoutSeconds ?? COMMON_DEFAULTS.healthCheck.timeoutSeconds;
    if (timeout >= interval) {
        add(at("healthCheck.timeoutSeconds"), `${timeout} s must be less than intervalSeconds (${interval} s); the ALB rejects a timeout that is not shorter than the interval`);
    }
    const grace = hc.gracePeriodSeconds ?? COMMON_DEFAULTS.healthCheck.gracePeriodSeconds;
    const container = resolveContainerHealthCheck(hc.command, hc.shell ?? false, grace, at, add);

    const environment = resolveEnvironment(s, at, add);
    const secrets = resolveSecrets(s, environment, at, add);

    const websocket = s.websocket ?? false;
    const longRequests = s.longRequests ?? false;
    if (websocket && routes.length === 0) {
        add(at("websocket"), "needs routes: WebSocket clients reach the service through the ALB (F09)");
    }
    const slowAllowed = websocket || longRequests;
    const deregistrationDelaySeconds =
        s.deregistrationDelaySeconds ?? (slowAllowed ? COMMON_DEFAULTS.deregistrationDelaySeconds.long : COMMON_DEFAULTS.deregistrationDelaySeconds.fast);
    if (deregistrationDelaySeconds > 30 && !slowAllowed) {
        add(at("deregistrationDelaySeconds"), `${deregistrationDelaySeconds} s slows every rollout (F17); values above 30 s need longRequests: true or websocket: true`);
    }

    const desiredCount = s.desiredCount ?? profile.desiredCount;
    let autoscaling: ServiceSettings["autoscaling"];
    if (s.autoscaling) {
        const { min, max } = s.autoscaling;
        if (min > max) add(at("autoscaling.min"), `${min} is above autoscaling.max (${max})`);
        else if (desiredCount < min || desiredCount > max) add(at("desiredCount"), `${desiredCount} is outside autoscaling min-max (${min}-${max}); set it within that range`);
        const defaults = COMMON_DEFAULTS.autoscaling;
        autoscaling = { min, max, targetCpu: s.autoscaling.targetCpu ?? defaults.targetCpu, scaleInCooldownSeconds: defaults.scaleInCooldownSeconds, scaleOutCooldownSeconds: defaults.scaleOutCooldownSeconds };
    }

    const databaseAccess = resolveDatabaseAccess(s.database, at("database"), add);

    const spot = s.spot ?? false;
    if (spot && !profile.allowSpot) {
        add(at("spot"), `Fargate Spot is not allowed in the ${raw.environment} profile (tasks may be interrupted with two minutes' notice); remove spot: true`);
    }

    const context = s.build.context;
    if (context.startsWith("/") || context.split(/[\\/]/).includes("..")) {
        add(at("build.context"), `"${context}" must be a path inside the project, relative to Pulumi.yaml (for example services/app)`);
    }

    const rollout = resolveRolloutSettings(s, at, profile, add);

    return {
        name: s.name,
        build: { context, dockerfile: s.build.dockerfile ?? "Dockerfile", target: s.build.target, args: s.build.args ?? {} },
        port: s.port,
        cpu,
        memory,
        desiredCount,
        priority: s.priority,
        dependsOn: [...new Set(s.dependsOn ?? [])],
        waitsFor: [],
        routes,
        healthCheck: {
            path: hc.path ?? COMMON_DEFAULTS.healthCheck.path,
            gracePeriodSeconds: grace,
            intervalSeconds: interval,
            timeoutSeconds: timeout,
            healthyThreshold: hc.healthyThreshold ?? COMMON_DEFAULTS.healthCheck.healthyThreshold,
            unhealthyThreshold: hc.unhealthyThreshold ?? COMMON_DEFAULTS.healthCheck.unhealthyThreshold,
            matcher: hc.matcher ?? COMMON_DEFAULTS.healthCheck.matcher,
            container,
        },
        environment,
        secrets,
        database: databaseAccess ? { access: databaseAccess, user: databaseUser(s.name) } : undefined,
        bucket: s.bucket ?? "none",
        spot,
        autoscaling,
        deployment: { ...COMMON_DEFAULTS.deployment },
        rollout,
        websocket,
        longRequests,
        deregistrationDelaySeconds,
        // ECS sends SIGTERM after the target has drained; the container may then take as long as the
        // drain itself to finish, within Fargate's 120 s ceiling.
        stopTimeoutSeconds: Math.min(120, Math.max(10, deregistrationDelaySeconds)),
        readonlyRootFilesystem: s.readonlyRootFilesystem ?? COMMON_DEFAULTS.readonlyRootFilesystem,
        user: s.user,
        architecture: s.architecture ?? COMMON_DEFAULTS.architecture,
    };
}

/** F01: exec form by default; CMD-SHELL only for images that declare a shell. */
function resolveContainerHealthCheck(command: string[] | undefined, shell: boolean, grace: number, at: (k: string) => string, add: Add) {
    if (!command) return undefined;
    const key = at("healthCheck.command");
    if (command[0] === "CMD-SHELL" && !shell) {
        add(key, 'CMD-SHELL needs a shell, and this image declares none (F01): use exec form such as ["CMD", "node", "/app/dist/healthcheck.js"], or set healthCheck.shell: true if the image has /bin/sh');
        return undefined;
    }
    if (command[0] === "CMD-SHELL" && command.length !== 2) {
        add(key, 'CMD-SHELL takes exactly one string: ["CMD-SHELL", "curl -f http://localhost/health || exit 1"]');
        return undefined;
    }
    const full = command[0] === "CMD" || command[0] === "CMD-SHELL" ? command : ["CMD", ...command];
    if (full.length < 2) {
        add(key, 'names no program to run: give the executable and its arguments, e.g. ["CMD", "/app/healthcheck"]');
        return undefined;
    }
    return {
        command: full,
        intervalSeconds: COMMON_DEFAULTS.containerHealthCheck.intervalSeconds,
        timeoutSeconds: COMMON_DEFAULTS.containerHealthCheck.timeoutSeconds,
        retries: COMMON_DEFAULTS.containerHealthCheck.retries,
        startPeriodSeconds: Math.min(300, grace),
    };
}
