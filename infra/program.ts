// The whole environment of one stack: load config once, look up the account, compose the components,
// export every identifier the release driver needs (F04, F18). index.ts hands this to the engine.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { loadSettings } from "./config/load";
import { checkBuildInputs } from "./config/buildInputs";
import { readPulumiConfig } from "./config/pulumiConfig";
import type { Settings } from "./config/settings";
import { LOGICAL_NAMES, MIGRATION_LOG_STREAM_PREFIX, Naming, serviceComponentName } from "./naming";
import { Network } from "./components/network";
import { Firewall } from "./components/firewall";
import { Registry } from "./components/registry";
import { Storage } from "./components/storage";
import { Database } from "./components/database";
import { LoadBalancer } from "./components/loadBalancer";
import { Cluster } from "./components/cluster";
import { Discovery } from "./components/discovery";
import { Images, ImageChoice, chooseImages, readReleasedImages } from "./components/images";
import { Service } from "./components/service";
import { Migration, MIGRATION_CONTAINER } from "./components/migration";
import { databaseRoles } from "./components/taskDefinition";
import { Observability, deploymentAlarmNames } from "./components/observability";
import { engineWait, pauseHooks, rollingDependentsOf } from "./components/rollout";
import type { ServiceSettings } from "./config/settings";
import type { TrafficShift } from "./components/loadBalancer";
import { CiAccess } from "./components/ciAccess";
import { findProjectDir } from "./projectDir";

export interface ProgramOptions {
    /** Directory that build contexts are relative to (where Pulumi.yaml is). */
    projectDir?: string;
}

/** The first path of a service's routes, without wildcards: where smoke checks reach it. */
export function routeBase(routes: readonly string[]): string | undefined {
    if (routes.length === 0) return undefined;
    const literal = routes[0].replace(/[*?].*$/, "");
    return literal.endsWith("/") ? literal : `${literal}/`;
}

/**
 * The `rollout` block of a service's outputs (automation/plan/outputs.ts): how ECS rolls it out and what the
 * driver needs to steer it — the PAUSE hooks, the header that reaches green, the alternate target group and
 * the alarms ECS rolls back on.
 */
export function rolloutOutputs(s: ServiceSettings, shift: TrafficShift | undefined, alarmNames: string[], rollingDependents: string[]) {
    const r = s.rollout;
    const wait = engineWait(r, rollingDependents);
    return {
        strategy: r.strategy,
        bakeMinutes: shift ? r.bakeMinutes : 0,
        canary: r.canary,
        linear: r.linear,
        pauseHooks: pauseHooks(r),
        testTraffic: shift ? shift.test : undefined,
        alternateTargetGroupArn: shift?.alternateTargetGroup.arn,
        alarmNames,
        // Whether `pulumi up` waits through this service's whole deployment (bake included) before its dependents.
        engineWaits: wait.waitForSteadyState,
        ...(wait.rollingDependents.length > 0 ? { rollingDependents: wait.rollingDependents } : {}),
    };
}

/** Runs inside the Pulumi engine (real or mock): reads config, declares everything, returns outputs. */
export async function berth(options: ProgramOptions = {}) {
    const settings = loadSettings(readPulumiConfig());
    return declareEnvironment(settings, options);
}

export async function declareEnvironment(settings: Settings, options: ProgramOptions = {}) {
    const projectDir = options.projectDir ?? findProjectDir(__dirname);
    checkBuildInputs(settings.services, projectDir);
    const naming = new Naming(settings.project, settings.stack);
    const provider = new aws.Provider("aws", {
        region: aws.config.region,
        defaultTags: { tags: { project: naming.project, stack: naming.stack, environment: settings.environment, "managed-by": "berth" } },
    });
    const invoke = { provider };
    const region = (await aws.getRegion({}, invoke)).region;
    const accountId = (await aws.getCallerIdentity({}, invoke)).accountId;
    // Regular AZs only: opted-in Local and Wavelength Zones cannot host ALB or RDS subnets.
    const zones = (await aws.getAvailabilityZones({ state: "available", filters: [{ name: "zone-type", values: ["availability-zone"] }] }, invoke)).names;
    if (zones.length < settings.network.availabilityZones) {
        throw new Error(`${region} has ${zones.length} available AZs; set berth:network.availabilityZones to ${zones.length} or less`);
    }
    const released = await readReleasedImages(naming.releaseParameterPath(), naming.releasedImagesParameter(), provider);
    const serviceNames = settings.services.map((s) => s.name);
    const choices: ImageChoice[] = chooseImages(serviceNames, settings.images, released);
    const elbAccount = settings.loadBalancer.accessLogs ? (await aws.elb.getServiceAccount({}, invoke)).arn : undefined;

    const opts: pulumi.ComponentResourceOptions = { providers: [provider] };
    const network = new Network("network", { naming, network: settings.network, availabilityZones: zones.slice(0, settings.network.availabilityZones), region, logRetentionDays: settings.logs.retentionDays }, opts);
    const firewall = new Firewall("firewall", { naming, vpcId: network.vpcId, settings }, opts);
    const registry = new Registry("registry", { naming, services: serviceNames, registry: settings.registry, protect: settings.protectData }, opts);
    const storage = new Storage(
        "storage",
        { naming, accountId, region, storage: settings.storage, accessLogs: settings.loadBalancer.accessLogs, elbServiceAccountArn: elbAccount, protect: settings.protectData },
        opts,
    );
    const database = new Database(
        "database",
        { naming, database: settings.database, subnetIds: network.isolatedSubnetIds, securityGroupId: firewall.dbSecurityGroupId, protect: settings.protectData },
        opts,
    );
    const loadBalancer = new LoadBalancer(
        "edge",
        {
            naming,
            loadBalancer: settings.loadBalancer,
            services: settings.services,
            vpcId: network.vpcId,
            subnetIds: network.publicSubnetIds,
            securityGroupId: firewall.albSecurityGroupId,
            accessLogsBucket: storage.accessLogsBucketName,
            testTrafficValue: naming.testTrafficValue(accountId),
        },
        opts,
    );
    const cluster = new Cluster("cluster", { naming }, opts);
    const discovery = new Discovery("discovery", { naming, vpcId: network.vpcId, services: serviceNames, forceDestroy: !settings.protectData }, opts);
    const images = new Images("images", { projectDir, services: settings.services, choices, repositories: registry.repositories, provider }, opts);
    const databaseLink = { address: database.address, port: database.port, dbName: database.dbName, secretArn: database.secretArn, resourceId: database.resourceId };

    // Declared level by level so each service can name the ECS services it waits for (F11); within a level the
    // longest remaining path first, so a bounded --parallel window starts the critical chain first (F17).
    const services: Record<string, Service> = {};
    for (const serviceName of settings.declarationOrder) {
        const s = settings.services.find((x) => x.name === serviceName)!;
        const dependencyUrls = Object.fromEntries(
            s.dependsOn.map((dep) => [dep, `http://${naming.discoveryHost(dep)}:${settings.services.find((x) => x.name === dep)!.port}`]),
        );
        services[s.name] = new Service(
            serviceComponentName(s.name),
            {
                naming,
                service: s,
                environmentName: settings.environment,
                region,
                accountId,
                clusterName: cluster.name,
                subnetIds: network.privateSubnetIds,
                securityGroupId: firewall.serviceSecurityGroupIds[s.name],
                repositoryArn: registry.repositories[s.name].arn,
                image: images.refs[s.name],
                logRetentionDays: settings.logs.retentionDays,
                discoveryServiceArn: discovery.serviceArns[s.name],
                publicUrl: loadBalancer.url,
                dependencyUrls,
                targetGroupArn: loadBalancer.targetGroups[s.name]?.arn,
                listenerRules: loadBalancer.listenerRules[s.name] ?? [],
                trafficShift: loadBalancer.trafficShifts[s.name],
                alarmNames: s.routes.length > 0 ? deploymentAlarmNames(naming, s.name) : [],
                database: s.database ? databaseLink : undefined,
                bucket: s.bucket !== "none" ? { name: storage.uploadsBucketName, arn: storage.uploadsBucketArn } : undefined,
                waitsFor: s.waitsFor.map((dep) => services[dep].ecsService),
                rollingDependents: rollingDependentsOf(s.name, settings.services),
                protectLogs: settings.protectData,
            },
            opts,
        );
    }

    let migration: Migration | undefined;
    if (settings.migration) {
        const owner = settings.services.find((s) => s.name === settings.migration!.service)!;
        migration = new Migration(
            LOGICAL_NAMES.migration,
            {
                naming,
                migration: settings.migration,
                environmentName: settings.environment,
                region,
                accountId,
                // The driver may point the migration alone at a new image before any service rolls (F02).
                image: settings.migration.image ? pulumi.interpolate`${registry.repositories[owner.name].repositoryUrl}@${settings.migration.image}` : images.refs[owner.name],
                repositoryArn: registry.repositories[owner.name].arn,
                database: databaseLink,
                roles: databaseRoles(settings.services),
                cpu: owner.cpu,
                memory: owner.memory,
                architecture: owner.architecture,
                logRetentionDays: settings.logs.retentionDays,
                protectLogs: settings.protectData,
            },
            opts,
        );
    }

    new Observability(
        "observability",
        {
            naming,
            alarms: settings.alarms,
            loadBalancerArnSuffix: loadBalancer.arnSuffix,
            targetGroupArnSuffixes: Object.fromEntries(Object.entries(loadBalancer.targetGroups).map(([k, tg]) => [k, tg.arnSuffix])),
            alternateTargetGroupArnSuffixes: Object.fromEntries(Object.entries(loadBalancer.trafficShifts).map(([k, shift]) => [k, shift.alternateTargetGroup.arnSuffix])),
            clusterName: cluster.name,
            serviceNames: Object.fromEntries(Object.entries(services).map(([k, svc]) => [k, svc.serviceName])),
            dbIdentifier: database.identifier,
        },
        opts,
    );

    const ci = settings.ci ? new CiAccess("ci", { naming, ci: settings.ci, region, accountId, provider }, opts) : undefined;

    return {
        environment: settings.environment,
        region,
        accountId,
        clusterName: cluster.name,
        publicUrl: loadBalancer.url,
        loadBalancer: { arn: loadBalancer.arn, dnsName: loadBalancer.dnsName, url: loadBalancer.url },
        network: { vpcId: network.vpcId, publicSubnetIds: network.publicSubnetIds, privateSubnetIds: network.privateSubnetIds, isolatedSubnetIds: network.isolatedSubnetIds },
        discoveryNamespace: discovery.namespaceName,
        database: { identifier: database.identifier, address: database.address, port: database.port, name: database.dbName, secretArn: database.secretArn },
        releasedImagesParameter: naming.releasedImagesParameter(),
        ci: ci ? { deployRoleArn: ci.deployRoleArn, previewRoleArn: ci.previewRoleArn } : undefined,
        rolloutLevels: settings.rolloutLevels,
        repositoryUrls: Object.fromEntries(Object.entries(registry.repositories).map(([k, r]) => [k, r.repositoryUrl])),
        services: Object.fromEntries(
            settings.services.map((s) => {
                const svc = services[s.name];
                const base = routeBase(s.routes);
                const choice = choices.find((c) => c.service === s.name)!;
                return [
                    s.name,
                    {
                        serviceName: svc.serviceName,
                        taskDefinitionFamily: svc.family,
                        taskDefinitionArn: svc.taskDefinitionArn,
                        containerName: naming.containerName(s.name),
                        port: s.port,
                        logGroupName: svc.logGroupName,
                        repositoryUrl: registry.repositories[s.name].repositoryUrl,
                        image: images.refs[s.name],
                        imageSource: choice.source,
                        targetGroupArn: loadBalancer.targetGroups[s.name]?.arn,
                        url: base ? pulumi.interpolate`${loadBalancer.url}${base}` : undefined,
                        healthCheckPath: s.healthCheck.path,
                        waitsFor: s.waitsFor,
                        buildContext: path.posix.normalize(s.build.context),
                        // What the driver builds with, exactly as the bootstrap build here does.
                        dockerfile: s.build.dockerfile,
                        buildTarget: s.build.target,
                        buildArgs: s.build.args,
                        platform: s.architecture === "arm64" ? "linux/arm64" : "linux/amd64",
                        rollout: rolloutOutputs(s, loadBalancer.trafficShifts[s.name], s.routes.length > 0 ? deploymentAlarmNames(naming, s.name) : [], rollingDependentsOf(s.name, settings.services)),
                    },
                ];
            }),
        ),
        migration: migration
            ? {
                  taskDefinitionFamily: migration.family,
                  taskDefinitionArn: migration.taskDefinitionArn,
                  containerName: MIGRATION_CONTAINER,
                  service: settings.migration!.service,
                  clusterName: cluster.name,
                  subnetIds: network.privateSubnetIds,
                  securityGroupIds: [firewall.migrationSecurityGroupId],
                  logGroupName: migration.logGroupName,
                  logStreamPrefix: MIGRATION_LOG_STREAM_PREFIX,
                  timeoutSeconds: settings.migration!.timeoutSeconds,
              }
            : undefined,
    };
}
