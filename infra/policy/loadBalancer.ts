// Load balancer rules: HTTPS (redirects, a listener in prod, modern TLS policies), header hygiene, desync
// mitigation, access logs and deletion protection.
import { defineRule, isObj, list, num, obj, ofType, str, T } from "./graph";
import type { SynthResource } from "../resources";
import type { Rule } from "./types";

function applicationLoadBalancers(resources: readonly SynthResource[]): SynthResource[] {
    return ofType(resources, T.loadBalancer).filter((lb) => (str(lb.inputs.loadBalancerType) ?? "application") === "application");
}

function lbLabel(lb: SynthResource): string {
    return `load balancer "${str(lb.inputs.name) ?? lb.name}"`;
}

/** Listeners are related to their load balancer by ARN: the listener's loadBalancerArn is the LB's state.arn. */
function listenersOf(resources: readonly SynthResource[], lb: SynthResource): SynthResource[] {
    const arn = str(lb.state.arn);
    return arn === undefined ? [] : ofType(resources, T.listener).filter((l) => l.inputs.loadBalancerArn === arn);
}

function protocolOf(listener: SynthResource): string {
    return (str(listener.inputs.protocol) ?? "HTTP").toUpperCase();
}

/** Whether `actions` send every request to HTTPS on one of `httpsPorts`; `#{port}` keeps the listener's port. */
function redirectsToHttps(actions: unknown, listenerPort: string, httpsPorts: Set<string>): boolean {
    const all = list(actions).filter(isObj);
    if (all.length === 0 || all.some((a) => a.type !== "redirect")) return false;
    return all.every((a) => {
        const redirect = obj(a.redirect);
        const port = str(redirect.port) ?? String(num(redirect.port) ?? "#{port}");
        const target = port === "#{port}" ? listenerPort : port;
        return str(redirect.protocol)?.toUpperCase() === "HTTPS" && httpsPorts.has(target);
    });
}

const httpRedirects = defineRule(
    { id: "ELB.1", title: "HTTP listeners redirect to HTTPS on load balancers that serve HTTPS", severity: "medium" },
    (resources, flag) => {
        for (const lb of applicationLoadBalancers(resources)) {
            const listeners = listenersOf(resources, lb);
            const httpsPorts = new Set(listeners.filter((l) => protocolOf(l) === "HTTPS").map((l) => String(num(l.inputs.port) ?? 443)));
            if (httpsPorts.size === 0) continue;
            for (const http of listeners.filter((l) => protocolOf(l) === "HTTP")) {
                const port = String(num(http.inputs.port) ?? 80);
                if (!redirectsToHttps(http.inputs.defaultActions, port, httpsPorts)) {
                    flag(http, `HTTP listener on port ${port} of ${lbLabel(lb)} does not redirect to an HTTPS listener (ports ${[...httpsPorts].join(", ")})`);
                }
                const arn = str(http.state.arn);
                for (const rule of ofType(resources, T.listenerRule).filter((r) => arn !== undefined && r.inputs.listenerArn === arn)) {
                    if (!redirectsToHttps(rule.inputs.actions, port, httpsPorts)) {
                        flag(rule, `listener rule "${rule.name}" on the HTTP listener of ${lbLabel(lb)} serves plain HTTP instead of redirecting`);
                    }
                }
            }
        }
    },
);

const httpsInProd = defineRule(
    { id: "BERTH.ALB-HTTPS", title: "Production internet-facing load balancers serve HTTPS", severity: "high", profiles: ["prod"] },
    (resources, flag) => {
        for (const lb of applicationLoadBalancers(resources).filter((l) => l.inputs.internal !== true)) {
            if (!listenersOf(resources, lb).some((l) => protocolOf(l) === "HTTPS")) {
                flag(lb, `${lbLabel(lb)} is internet-facing in production without an HTTPS listener: configure a certificate`);
            }
        }
    },
);

/** AWS's recommended ELB policies (TLS 1.3 family, TLS 1.2 minimum, including the FIPS and PQ variants). */
const RECOMMENDED_SSL_POLICY = /^ELBSecurityPolicy-TLS13-1-[23]-/;

const tlsPolicy = defineRule(
    { id: "ELB.17", title: "HTTPS listeners use a recommended TLS security policy", severity: "medium" },
    (resources, flag) => {
        for (const lb of applicationLoadBalancers(resources)) {
            for (const https of listenersOf(resources, lb).filter((l) => protocolOf(l) === "HTTPS")) {
                // Without sslPolicy AWS applies ELBSecurityPolicy-2016-08, which still accepts TLS 1.0.
                const policy = str(https.inputs.sslPolicy) ?? "ELBSecurityPolicy-2016-08 (the default)";
                if (!RECOMMENDED_SSL_POLICY.test(policy)) {
                    flag(https, `HTTPS listener of ${lbLabel(lb)} uses ${policy}; use ELBSecurityPolicy-TLS13-1-2-2021-06 or newer`);
                }
            }
        }
    },
);

const dropInvalidHeaders = defineRule(
    { id: "ELB.4", title: "Application load balancers drop invalid HTTP headers", severity: "medium" },
    (resources, flag) => {
        for (const lb of applicationLoadBalancers(resources)) {
            if (lb.inputs.dropInvalidHeaderFields !== true) flag(lb, `${lbLabel(lb)} does not set dropInvalidHeaderFields`);
        }
    },
);

const accessLogs = defineRule(
    { id: "ELB.5", title: "Load balancers write access logs", severity: "medium", profiles: ["staging", "prod"] },
    (resources, flag) => {
        for (const lb of applicationLoadBalancers(resources)) {
            const logs = obj(lb.inputs.accessLogs);
            if (logs.enabled !== true || !str(logs.bucket)) flag(lb, `${lbLabel(lb)} does not write access logs (accessLogs { bucket, enabled: true })`);
        }
    },
);

const lbDeletionProtection = defineRule(
    { id: "ELB.6", title: "Production load balancers have deletion protection (F16)", severity: "medium", profiles: ["prod"] },
    (resources, flag) => {
        for (const lb of ofType(resources, T.loadBalancer)) {
            if (lb.inputs.enableDeletionProtection !== true) flag(lb, `${lbLabel(lb)} does not set enableDeletionProtection`);
        }
    },
);

const desyncMitigation = defineRule(
    { id: "ELB.12", title: "Application load balancers use defensive or strictest desync mitigation", severity: "high" },
    (resources, flag) => {
        for (const lb of applicationLoadBalancers(resources)) {
            // AWS's default is "defensive": only an explicit "monitor" weakens it.
            const mode = str(lb.inputs.desyncMitigationMode) ?? "defensive";
            if (mode !== "defensive" && mode !== "strictest") flag(lb, `${lbLabel(lb)} uses desyncMitigationMode "${mode}"`);
        }
    },
);

export const LOAD_BALANCER_RULES: Rule[] = [httpRedirects, httpsInProd, tlsPolicy, dropInvalidHeaders, accessLogs, lbDeletionProtection, desyncMitigation];
