// GitHub Actions access by OIDC (F18): the account's GitHub OIDC provider (created, or an existing one),
// a deploy role only pushes to the configured branches (and jobs of the configured GitHub environments) can assume, scoped to this stack's resources, and
// a preview role for pull requests that can read what a preview reads and change nothing.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Settings } from "../config/settings";
import { Naming } from "../naming";

export const GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com";
const ISSUER = "token.actions.githubusercontent.com";

export interface CiAccessArgs {
    naming: Naming;
    ci: NonNullable<Settings["ci"]>;
    region: string;
    accountId: string;
    provider: aws.Provider;
}

/** Trust for GitHub's OIDC tokens: audience sts.amazonaws.com, and only these subjects. */
export function githubTrust(providerArn: string, subjects: string[]): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: providerArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${ISSUER}:sub`]: subjects } },
            },
        ],
    };
}

/**
 * What a `pulumi up` and a release of this stack need, with resources narrowed to the stack's names
 * where the service supports resource-level permissions, and to the stack's region elsewhere.
 */
export function deployPolicy(naming: Naming, region: string, accountId: string, promoteFrom: readonly string[] = []): object {
    const p = naming.prefix;
    // `deploy --promote-from <source>`: read the source's released set and history, pull its images (same account).
    const sources = promoteFrom.map((stack) => new Naming(naming.project, stack));
    const promotion = sources.length === 0
        ? []
        : [
              { Sid: "PromotionSourceReleases", Effect: "Allow", Action: ["ssm:GetParameter", "ssm:GetParametersByPath"], Resource: sources.flatMap((n) => [`arn:aws:ssm:${region}:${accountId}:parameter${n.releaseParameterPath()}`, `arn:aws:ssm:${region}:${accountId}:parameter${n.releaseParameterPath()}/*`]) },
              { Sid: "PromotionSourceImages", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability", "ecr:DescribeImages"], Resource: sources.map((n) => `arn:aws:ecr:${region}:${accountId}:repository/${n.project}/${n.stack}/*`) },
          ];
    const inRegion = { StringEquals: { "aws:RequestedRegion": region } };
    return {
        Version: "2012-10-17",
        Statement: [
            // These services mostly lack resource-level permissions: narrowed to the verbs an environment
            // needs (no instance launches, no AMI or snapshot sharing) and to the stack's region.
            { Sid: "Network", Effect: "Allow", Action: ["ec2:Describe*", "ec2:Create*", "ec2:Delete*", "ec2:Modify*", "ec2:Associate*", "ec2:Disassociate*", "ec2:Allocate*", "ec2:Release*", "ec2:Attach*", "ec2:Detach*", "ec2:Authorize*", "ec2:Revoke*", "ec2:Replace*"], Resource: "*", Condition: inRegion },
            { Sid: "LoadBalancing", Effect: "Allow", Action: ["elasticloadbalancing:Describe*", "elasticloadbalancing:Create*", "elasticloadbalancing:Delete*", "elasticloadbalancing:Modify*", "elasticloadbalancing:Set*", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"], Resource: "*", Condition: inRegion },
            { Sid: "Discovery", Effect: "Allow", Action: ["servicediscovery:Get*", "servicediscovery:List*", "servicediscovery:Create*", "servicediscovery:Update*", "servicediscovery:Delete*", "servicediscovery:TagResource", "servicediscovery:UntagResource", "route53:CreateHostedZone", "route53:GetHostedZone", "route53:DeleteHostedZone", "route53:ListHostedZonesByName", "route53:ChangeResourceRecordSets", "route53:GetChange"], Resource: "*", Condition: inRegion },
            { Sid: "Alarms", Effect: "Allow", Action: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:ListTagsForResource", "sns:TagResource"], Resource: "*", Condition: inRegion },
            { Sid: "Scaling", Effect: "Allow", Action: ["application-autoscaling:Describe*", "application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget", "application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:TagResource"], Resource: "*", Condition: inRegion },
            { Sid: "Ecs", Effect: "Allow", Action: ["ecs:Describe*", "ecs:List*", "ecs:Create*", "ecs:Update*", "ecs:Delete*", "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:PutClusterCapacityProviders", "ecs:RunTask", "ecs:StopTask", "ecs:TagResource", "ecs:UntagResource"], Resource: "*", Condition: inRegion },
            { Sid: "Ecr", Effect: "Allow", Action: ["ecr:*"], Resource: `arn:aws:ecr:${region}:${accountId}:repository/${naming.project}/${naming.stack}/*` },
            { Sid: "EcrAuth", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
            { Sid: "Database", Effect: "Allow", Action: ["rds:*"], Resource: [`arn:aws:rds:${region}:${accountId}:db:${p}-*`, `arn:aws:rds:${region}:${accountId}:subgrp:${p}-*`, `arn:aws:rds:${region}:${accountId}:pg:${p}-*`, `arn:aws:rds:${region}:${accountId}:snapshot:${p}-*`] },
            { Sid: "DatabaseRead", Effect: "Allow", Action: ["rds:Describe*", "rds:ListTagsForResource"], Resource: "*" },
            { Sid: "RdsManagedSecret", Effect: "Allow", Action: ["secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:DescribeSecret", "secretsmanager:DeleteSecret", "kms:DescribeKey"], Resource: "*", Condition: inRegion },
            { Sid: "Logs", Effect: "Allow", Action: ["logs:*"], Resource: [`arn:aws:logs:${region}:${accountId}:log-group:/${naming.project}/${naming.stack}/*`, `arn:aws:logs:${region}:${accountId}:log-group:/${naming.project}/${naming.stack}/*:*`] },
            { Sid: "LogsDescribe", Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: "*" },
            { Sid: "Buckets", Effect: "Allow", Action: ["s3:*"], Resource: [`arn:aws:s3:::${p}-*`, `arn:aws:s3:::${p}-*/*`] },
            { Sid: "Roles", Effect: "Allow", Action: ["iam:*Role*", "iam:TagRole", "iam:UntagRole"], Resource: `arn:aws:iam::${accountId}:role/${p}-*` },
            { Sid: "PassRoles", Effect: "Allow", Action: "iam:PassRole", Resource: `arn:aws:iam::${accountId}:role/${p}-*`, Condition: { StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com", "vpc-flow-logs.amazonaws.com"] } } },
            { Sid: "ServiceLinkedRoles", Effect: "Allow", Action: "iam:CreateServiceLinkedRole", Resource: "*", Condition: { StringEquals: { "iam:AWSServiceName": ["ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "rds.amazonaws.com", "ecs.application-autoscaling.amazonaws.com"] } } },
            { Sid: "ReleasedImageSet", Effect: "Allow", Action: ["ssm:GetParameter", "ssm:GetParametersByPath", "ssm:PutParameter"], Resource: [`arn:aws:ssm:${region}:${accountId}:parameter${naming.releaseParameterPath()}`, `arn:aws:ssm:${region}:${accountId}:parameter${naming.releaseParameterPath()}/*`] },
            { Sid: "Identity", Effect: "Allow", Action: ["sts:GetCallerIdentity"], Resource: "*" },
            ...promotion,
        ],
    };
}

/** A preview reads the account, the region's AZs and the released image set; it changes nothing. */
export function previewPolicy(naming: Naming, region: string, accountId: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "Lookups", Effect: "Allow", Action: ["sts:GetCallerIdentity", "ec2:DescribeAvailabilityZones", "elasticloadbalancing:DescribeAccountLimits"], Resource: "*" },
            { Sid: "ReleasedImageSet", Effect: "Allow", Action: ["ssm:GetParametersByPath", "ssm:GetParameter"], Resource: [`arn:aws:ssm:${region}:${accountId}:parameter${naming.releaseParameterPath()}`, `arn:aws:ssm:${region}:${accountId}:parameter${naming.releaseParameterPath()}/*`] },
        ],
    };
}

export class CiAccess extends pulumi.ComponentResource {
    readonly deployRoleArn: pulumi.Output<string>;
    readonly previewRoleArn: pulumi.Output<string>;

    constructor(name: string, args: CiAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:ci:CiAccess", name, {}, opts);
        const providerArn = this.githubOidcProvider(name, args);
        const repo = args.ci.githubRepository;
        // A job that names a GitHub environment gets the subject `environment:<name>` instead of its branch ref.
        const subjects = [...args.ci.branches.map((b) => `repo:${repo}:ref:refs/heads/${b}`), ...args.ci.environments.map((e) => `repo:${repo}:environment:${e}`)];
        const deployRole = this.createRole(`${name}-deploy`, args.naming.role("ci-deploy"), providerArn, subjects, deployPolicy(args.naming, args.region, args.accountId, args.ci.promoteFrom));
        const previewRole = this.createRole(`${name}-preview`, args.naming.role("ci-preview"), providerArn, [`repo:${repo}:pull_request`], previewPolicy(args.naming, args.region, args.accountId));
        this.deployRoleArn = deployRole.arn;
        this.previewRoleArn = previewRole.arn;
        this.registerOutputs({ deployRoleArn: this.deployRoleArn, previewRoleArn: this.previewRoleArn });
    }

    /** The account holds one GitHub OIDC provider: created by the first stack, looked up by the others. */
    private githubOidcProvider(name: string, args: CiAccessArgs): pulumi.Output<string> {
        return args.ci.createOidcProvider
            ? new aws.iam.OpenIdConnectProvider(`${name}-github-oidc`, { url: GITHUB_OIDC_URL, clientIdLists: ["sts.amazonaws.com"] }, { parent: this }).arn
            : aws.iam.getOpenIdConnectProviderOutput({ url: GITHUB_OIDC_URL }, { provider: args.provider }).arn;
    }

    /** A role GitHub tokens with these subjects can assume, with its inline policy (`<name>-policy`). */
    private createRole(name: string, roleName: string, providerArn: pulumi.Output<string>, subjects: string[], policy: object): aws.iam.Role {
        const role = new aws.iam.Role(name, { name: roleName, maxSessionDuration: 3600, assumeRolePolicy: providerArn.apply((arn) => JSON.stringify(githubTrust(arn, subjects))) }, { parent: this });
        new aws.iam.RolePolicy(`${name}-policy`, { role: role.name, policy: JSON.stringify(policy) }, { parent: this });
        return role;
    }
}
