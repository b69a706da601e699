// One ECR repository per service: immutable tags, scan on push, encryption, and a lifecycle policy that
// keeps every image a release may still run (F06); force-deletable only outside production (F16).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Settings } from "../config/settings";
import { Naming, RELEASED_TAG_PREFIX } from "../naming";

export interface RegistryArgs {
    naming: Naming;
    services: string[];
    registry: Settings["registry"];
    protect: boolean;
}

/**
 * The lifecycle rules. The driver tags every image it releases `rel-…` in addition to its git SHA; rule 1
 * matches those first, so the running image and the recent rollback targets can never be expired by the
 * later rules (ECR: an image matched by a rule is not evaluated by lower-priority rules).
 */
export function lifecyclePolicy(registry: Settings["registry"]): object {
    return {
        rules: [
            {
                rulePriority: 1,
                description: `keep the last ${registry.keepImages} released images`,
                selection: { tagStatus: "tagged", tagPatternList: [`${RELEASED_TAG_PREFIX}*`], countType: "imageCountMoreThan", countNumber: registry.keepImages },
                action: { type: "expire" },
            },
            {
                rulePriority: 2,
                description: `expire untagged images after ${registry.untaggedExpiryDays} day(s)`,
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: registry.untaggedExpiryDays },
                action: { type: "expire" },
            },
            {
                rulePriority: 3,
                description: `keep the last ${registry.keepImages} unreleased builds`,
                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: registry.keepImages },
                action: { type: "expire" },
            },
        ],
    };
}

export class Registry extends pulumi.ComponentResource {
    readonly repositories: Record<string, aws.ecr.Repository>;

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:registry:Registry", name, {}, opts);
        const policy = JSON.stringify(lifecyclePolicy(args.registry));
        this.repositories = {};
        for (const service of args.services) {
            const repo = new aws.ecr.Repository(
                `${name}-${service}`,
                {
                    name: args.naming.repository(service),
                    imageTagMutability: "IMMUTABLE",
                    imageScanningConfiguration: { scanOnPush: true },
                    encryptionConfigurations: [{ encryptionType: "AES256" }],
                    forceDelete: args.registry.forceDelete,
                },
                { parent: this, protect: args.protect },
            );
            new aws.ecr.LifecyclePolicy(`${name}-${service}-lifecycle`, { repository: repo.name, policy }, { parent: this });
            this.repositories[service] = repo;
        }
        this.registerOutputs({ repositoryUrls: Object.fromEntries(Object.entries(this.repositories).map(([k, r]) => [k, r.repositoryUrl])) });
    }
}
