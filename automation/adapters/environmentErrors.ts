// Environment problems met by the AWS adapters — credentials, permissions, network, an AWS API that kept
// failing after the SDK's retries — classified by the SDK's error name, Node's error code or the HTTP status,
// never by the message. Only mapStackError (pulumiStack.ts), berth's one error-mapping function, calls this.
import { attemptsOf, callOf, describeError, isRetryableAwsError } from "./aws";

export interface EnvironmentProblem {
    /** One line: the call, the cause (with the SDK's own error), no fix. */
    message: string;
    /** What to do about it. */
    hint: string;
}

const INVALID_CREDENTIALS = new Set(["UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature", "InvalidAccessKeyId"]);
const EXPIRED = new Set(["ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"]);
const DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException", "AuthorizationError", "AuthFailure"]);
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);

const SIGN_IN = "sign in again (`aws sso login`, AWS_PROFILE) or, in CI, check the aws-actions/configure-aws-credentials step";

function fields(error: unknown): { name?: string; code?: string; status?: number } {
    if (typeof error !== "object" || error === null) return {};
    const e = error as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
    return {
        name: typeof e.name === "string" ? e.name : undefined,
        code: typeof e.code === "string" ? e.code : undefined,
        status: typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined,
    };
}

function classify(error: unknown, call: string): EnvironmentProblem | undefined {
    const { name, code, status } = fields(error);
    const cause = describeError(error);
    if (name === "CredentialsProviderError") return { message: `${call}: no AWS credentials found (${cause})`, hint: SIGN_IN };
    if (name && INVALID_CREDENTIALS.has(name)) return { message: `${call}: the AWS credentials are not valid (${cause})`, hint: SIGN_IN };
    if (name && EXPIRED.has(name)) return { message: `${call}: the AWS session has expired (${cause})`, hint: `refresh the credentials (${"`aws sso login`"}, or a new role session in CI) and rerun` };
    if ((name && DENIED.has(name)) || (status === 403 && !isRetryableAwsError(error))) {
        return { message: `${call}: access denied (${cause})`, hint: `the role berth runs as needs permission for ${call.split(" ")[0]}: check the deploy role's policy (ci.deployRoleArn) or the AWS_PROFILE in use` };
    }
    if ((code && NETWORK_CODES.has(code)) || name === "TimeoutError") {
        return { message: `${call}: cannot reach AWS (${cause})`, hint: "check the network, any proxy (HTTPS_PROXY) and AWS_ENDPOINT_URL / the region" };
    }
    return undefined;
}

/** The environment problem behind `error`, or undefined when it is something else (a bug, a Pulumi error, …). */
export function environmentProblem(error: unknown): EnvironmentProblem | undefined {
    const call = callOf(error) ?? "an AWS call";
    const known = classify(error, call);
    if (known) return known;
    // The SDK's retry middleware records its attempts on the error it gives up with (the last attempt's own error).
    const attempts = attemptsOf(error);
    if (attempts !== undefined && isRetryableAwsError(error)) {
        return {
            message: `${call}: AWS kept failing, retries given up after ${attempts} attempt${attempts === 1 ? "" : "s"} (${describeError(error)})`,
            hint: "AWS is throttling or unavailable: wait a few minutes and rerun (a smaller --parallel makes fewer calls)",
        };
    }
    return undefined;
}
