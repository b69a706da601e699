// ImageCopyPort over the registry API (ociRegistry.ts copyImage): an ECR registry is reached with the credentials of
// its region (ecr:GetAuthorizationToken — the token is valid for every registry of that region the identity may
// read, so another account's repository needs only its repository policy); a loopback registry (tests) over plain
// HTTP without credentials.
import type { ImageCopyPort, ImageCopyRequest, RegistryCredentials } from "../ports";
import { copyImage, OciRegistry } from "./ociRegistry";

const ECR_HOST = /^\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost)(:\d+)?$/;

/** `<host>/<repository>` → its parts. */
export function splitRepositoryUrl(url: string): { host: string; repository: string } {
    const slash = url.indexOf("/");
    if (slash <= 0 || slash === url.length - 1) throw new Error(`${url} is not a repository URL (<registry host>/<repository>)`);
    return { host: url.slice(0, slash), repository: url.slice(slash + 1) };
}

export interface RegistryImageCopierOptions {
    /** ECR credentials for a region (EcrRegistry.credentials in production). */
    ecrCredentials(region: string): Promise<RegistryCredentials>;
    chunkBytes?: number;
}

export class RegistryImageCopier implements ImageCopyPort {
    private readonly registries = new Map<string, Promise<OciRegistry>>();

    constructor(private readonly options: RegistryImageCopierOptions) {}

    async copy(request: ImageCopyRequest): Promise<{ copied: boolean; verified: string; detail: string }> {
        const from = splitRepositoryUrl(request.from);
        const to = splitRepositoryUrl(request.to);
        const result = await copyImage({ registry: await this.registry(from.host), repository: from.repository }, { registry: await this.registry(to.host), repository: to.repository }, request.digest);
        const detail = result.copied
            ? `copied from ${request.from} to ${request.to}: ${result.manifests} manifest(s), ${result.uploaded} blob(s) uploaded, ${result.mounted} mounted, ${result.present} already there; digest verified`
            : `already in ${request.to}; digest verified`;
        return { copied: result.copied, verified: result.verified, detail };
    }

    private registry(host: string): Promise<OciRegistry> {
        let found = this.registries.get(host);
        if (!found) {
            found = this.open(host);
            this.registries.set(host, found);
        }
        return found;
    }

    private async open(host: string): Promise<OciRegistry> {
        const chunk = this.options.chunkBytes === undefined ? {} : { chunkBytes: this.options.chunkBytes };
        if (LOOPBACK.test(host)) return new OciRegistry({ registry: host, scheme: "http", ...chunk });
        const ecr = ECR_HOST.exec(host);
        if (!ecr) return new OciRegistry({ registry: host, ...chunk });
        const credentials = await this.options.ecrCredentials(ecr[1]);
        return new OciRegistry({ registry: host, username: credentials.username, password: credentials.password, ...chunk });
    }
}
