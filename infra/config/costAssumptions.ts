// `berth:costAssumptions`: the usage figures the cost estimate cannot read from the program (traffic, log
// volume, NAT data, stored bytes). Validated by the config schema like every other key; defaults live here.
import { z } from "zod";

const amount = () => z.number().min(0).optional();

export const costAssumptionsSchema = z.strictObject({
    /** Average ALB load balancer capacity units consumed per hour. */
    albLcuPerHour: amount(),
    /** GB processed per month by all NAT gateways together (the traffic splits across them). */
    natGbPerMonth: amount(),
    /** GB per month through all interface endpoints together. */
    endpointGbPerMonth: amount(),
    /** GB ingested per month into each log group (service, migration). */
    logGbPerGroupPerMonth: amount(),
    /** GB of VPC flow logs delivered per month. */
    flowLogGbPerMonth: amount(),
    /** GB stored in each S3 bucket. */
    s3GbPerBucket: amount(),
    /** GB of images kept in each ECR repository. */
    ecrGbPerRepository: amount(),
    /** Share of the database that changes per day, for backup storage beyond the free allowance. */
    backupChangePerDay: z.number().min(0).max(1).optional(),
    /** Fargate Spot discount off on-demand (AWS: "up to 70%"; the real discount varies). */
    spotDiscount: z.number().min(0).max(1).optional(),
});

export type RawCostAssumptions = z.infer<typeof costAssumptionsSchema>;
export type CostAssumptions = Required<RawCostAssumptions>;

export const DEFAULT_COST_ASSUMPTIONS: CostAssumptions = {
    albLcuPerHour: 1,
    natGbPerMonth: 50,
    endpointGbPerMonth: 20,
    logGbPerGroupPerMonth: 1,
    flowLogGbPerMonth: 5,
    s3GbPerBucket: 5,
    ecrGbPerRepository: 1,
    backupChangePerDay: 0.05,
    spotDiscount: 0.7,
};

/** What each assumption means, for the estimate's "assumptions" block and the README. */
export const COST_ASSUMPTION_TEXT: Record<keyof CostAssumptions, string> = {
    albLcuPerHour: "ALB capacity units (LCU) per hour, on average",
    natGbPerMonth: "GB a month through the NAT gateways (all together)",
    endpointGbPerMonth: "GB a month through the interface endpoints (all together)",
    logGbPerGroupPerMonth: "GB a month written to each log group",
    flowLogGbPerMonth: "GB a month of VPC flow logs",
    s3GbPerBucket: "GB stored in each S3 bucket",
    ecrGbPerRepository: "GB of images kept in each ECR repository",
    backupChangePerDay: "share of the database changed per day (backup storage beyond the free allowance)",
    spotDiscount: "Fargate Spot discount off on-demand",
};

export function resolveCostAssumptions(raw: RawCostAssumptions | undefined): CostAssumptions {
    return { ...DEFAULT_COST_ASSUMPTIONS, ...Object.fromEntries(Object.entries(raw ?? {}).filter(([, v]) => v !== undefined)) };
}
