// The rule set: every area's rules in one list, in the order they are documented.
import { ECS_RULES } from "./ecs";
import { ECR_RULES } from "./ecr";
import { RDS_RULES } from "./rds";
import { LOAD_BALANCER_RULES } from "./loadBalancer";
import { STORAGE_RULES } from "./storage";
import { NETWORK_RULES } from "./network";
import { IAM_RULES } from "./iam";
import { NAMING_RULES } from "./names";
import { DATA_PROTECTION_RULES } from "./dataProtection";
import { LOG_RULES } from "./logs";
import { ROLLOUT_RULES } from "./rollout";
import type { Rule } from "./types";

export const RULES: readonly Rule[] = [
    ...ECS_RULES,
    ...ROLLOUT_RULES,
    ...ECR_RULES,
    ...RDS_RULES,
    ...LOAD_BALANCER_RULES,
    ...STORAGE_RULES,
    ...NETWORK_RULES,
    ...IAM_RULES,
    ...NAMING_RULES,
    ...DATA_PROTECTION_RULES,
    ...LOG_RULES,
];
