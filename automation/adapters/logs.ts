// LogsPort over CloudWatch Logs GetLogEvents, read forward. At the end of a stream AWS returns the token
// it was given, so "unchanged token" means "nothing new yet" to the caller.
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { LogPage, LogsPort } from "../ports";
import { awsClient, type AwsAdapterOptions } from "./aws";

export class LogsAdapter implements LogsPort {
    private readonly client: CloudWatchLogsClient;

    constructor(options: AwsAdapterOptions<CloudWatchLogsClient> = {}) {
        this.client = options.client ?? awsClient(CloudWatchLogsClient, options);
    }

    async read(logGroupName: string, logStreamName: string, nextToken?: string): Promise<LogPage> {
        try {
            // startFromHead must be true when continuing with a nextForwardToken (API reference).
            const out = await this.client.send(new GetLogEventsCommand({ logGroupName, logStreamName, startFromHead: true, nextToken }));
            return {
                lines: (out.events ?? []).map((e) => ({ timestamp: e.timestamp ?? 0, message: e.message ?? "" })),
                nextToken: out.nextForwardToken ?? nextToken,
            };
        } catch (error) {
            // A task's stream appears only once its container starts logging: until then there is nothing to read.
            if ((error as { name?: string }).name === "ResourceNotFoundException") return { lines: [], nextToken };
            throw error;
        }
    }
}
