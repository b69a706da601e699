// A service's database access from the catalogue: `database: true` (read-write on the application schema),
// `database: { access: read | readwrite }`, or none; each granted service gets its own PostgreSQL role.
import type { Add } from "./errors";
import { hintFrom } from "./suggest";

export const DATABASE_ACCESS = ["read", "readwrite"] as const;
export type DatabaseAccess = (typeof DATABASE_ACCESS)[number];

/** What the catalogue says about one service's database access; undefined means none. */
export function resolveDatabaseAccess(value: unknown, key: string, add: Add): DatabaseAccess | undefined {
    if (value === undefined || value === false) return undefined;
    if (value === true) return "readwrite";
    const shape = "must be true, false or { access: read | readwrite }";
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        add(key, `${shape} (got ${JSON.stringify(value)})`);
        return undefined;
    }
    const entries = value as Record<string, unknown>;
    let ok = true;
    for (const k of Object.keys(entries)) {
        if (k !== "access") {
            add(`${key}.${k}`, `unknown key; database takes only access (read or readwrite)${hintFrom(k, ["access"])}`);
            ok = false;
        }
    }
    const access = entries.access;
    if (access === undefined) {
        add(`${key}.access`, "is required: read or readwrite (or write database: true for readwrite)");
        return undefined;
    }
    if (typeof access !== "string" || !(DATABASE_ACCESS as readonly string[]).includes(access)) {
        add(`${key}.access`, `${JSON.stringify(access)} is not an access level; use read or readwrite${typeof access === "string" ? hintFrom(access, [...DATABASE_ACCESS]) : ""}`);
        return undefined;
    }
    return ok ? (access as DatabaseAccess) : undefined;
}

/** The master user must not share a name with a service's role, or the migration would rewrite its grants. */
export function checkMasterUsername(username: string, roles: readonly { service: string; user: string }[], add: Add): void {
    const clash = roles.find((r) => r.user === username);
    if (clash) add("database.username", `"${username}" is the database role of service "${clash.service}"; choose a master username that does not start with svc_`);
}
