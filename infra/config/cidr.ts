// Subnet CIDR math for the three tiers over N availability zones. Pure: the network component passes the
// result to awsx as explicit CIDR blocks, so the layout is visible in the graph and stable across runs.

export interface SubnetLayout {
    public: string[];
    private: string[];
    isolated: string[];
}

/** VPC sizes berth lays out: /16 to /19 keeps public subnets at /27 or larger, as an ALB requires. */
export const VPC_MASK_RANGE = { min: 16, max: 19 } as const;
export const MAX_AZS = 6;

export function parseCidr(cidr: string): { base: number; mask: number } | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const mask = Number(m[5]);
    if (octets.some((o) => o > 255) || mask > 32) return undefined;
    const base = octets.reduce((acc, o) => acc * 256 + o, 0);
    return { base, mask };
}

export function formatCidr(base: number, mask: number): string {
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
    return `${octets.join(".")}/${mask}`;
}

/** RFC 1918 private ranges. */
export function isPrivateRange(cidr: string): boolean {
    const p = parseCidr(cidr);
    if (!p) return false;
    const within = (net: string) => {
        const n = parseCidr(net)!;
        const size = 2 ** (32 - n.mask);
        return p.base >= n.base && p.base + 2 ** (32 - p.mask) <= n.base + size && p.mask >= n.mask;
    };
    return within("10.0.0.0/8") || within("172.16.0.0/12") || within("192.168.0.0/16");
}

/** Whether the address is the network address of its block (no host bits set). */
export function isAligned(cidr: string): boolean {
    const p = parseCidr(cidr);
    return p !== undefined && p.base % 2 ** (32 - p.mask) === 0;
}

/**
 * Lays out the subnets: private (app) subnets take 1/16 of the VPC each from the start; public and
 * isolated subnets take 1/256 each from the second half. Up to 6 AZs fit in any /16-/19 VPC.
 */
export function planSubnets(cidr: string, azCount: number): SubnetLayout {
    const p = parseCidr(cidr);
    if (!p || !isAligned(cidr)) throw new Error(`"${cidr}" is not an aligned IPv4 CIDR block`);
    if (p.mask < VPC_MASK_RANGE.min || p.mask > VPC_MASK_RANGE.max) throw new Error(`VPC mask /${p.mask} is outside /${VPC_MASK_RANGE.min}-/${VPC_MASK_RANGE.max}`);
    if (azCount < 1 || azCount > MAX_AZS) throw new Error(`${azCount} AZs is outside 1-${MAX_AZS}`);
    const size = 2 ** (32 - p.mask);
    const large = size / 16;
    const small = size / 256;
    const half = p.base + size / 2;
    const azs = [...Array(azCount).keys()];
    return {
        private: azs.map((i) => formatCidr(p.base + i * large, p.mask + 4)),
        public: azs.map((i) => formatCidr(half + i * small, p.mask + 8)),
        isolated: azs.map((i) => formatCidr(half + large + i * small, p.mask + 8)),
    };
}
