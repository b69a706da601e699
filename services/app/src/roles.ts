// The catalogue's database roles, applied by the migration with the master credentials: one login role per
// service, the grants its access level allows on the application schema, idempotently (a re-run changes nothing).
import { escapeIdentifier, type ClientBase } from "pg";
import type { DbRole } from "./config";

/** The schema the migrations create tables in, and the only one service roles are granted. */
export const APP_SCHEMA = "public";
/** Marks the roles this step manages, so a role dropped from the catalogue can be disabled (never dropped). */
export const ROLE_COMMENT = "berth service role: managed by the migration";

const TABLE_WRITES = ["INSERT", "UPDATE", "DELETE"];
/** Never granted: TRUNCATE, REFERENCES and TRIGGER belong to the schema's owner (the migration). */
const TABLE_NEVER = ["TRUNCATE", "REFERENCES", "TRIGGER"];

/**
 * Statements that bring one existing role to exactly its access level (pure). Revoking what is not held
 * and granting what is held are both no-ops in PostgreSQL, so running them twice changes nothing.
 */
export function grantStatements(role: DbRole, database: string, schema = APP_SCHEMA): string[] {
  const r = escapeIdentifier(role.role);
  const s = escapeIdentifier(schema);
  const tableGrants = role.access === "readwrite" ? ["SELECT", ...TABLE_WRITES] : ["SELECT"];
  const tableRevokes = role.access === "readwrite" ? TABLE_NEVER : [...TABLE_WRITES, ...TABLE_NEVER];
  const sequenceGrants = role.access === "readwrite" ? ["USAGE", "SELECT"] : ["SELECT"];
  const sequenceRevokes = role.access === "readwrite" ? ["UPDATE"] : ["USAGE", "UPDATE"];
  const both = (what: "TABLES" | "SEQUENCES", grants: string[], revokes: string[]) => [
    `REVOKE ${revokes.join(", ")} ON ALL ${what} IN SCHEMA ${s} FROM ${r}`,
    `GRANT ${grants.join(", ")} ON ALL ${what} IN SCHEMA ${s} TO ${r}`,
    // Tables the migration creates later (as the master user) get the same grants.
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} REVOKE ${revokes.join(", ")} ON ${what} FROM ${r}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT ${grants.join(", ")} ON ${what} TO ${r}`,
  ];
  return [
    // Only LOGIN: on RDS the master user is not a superuser and may not even name SUPERUSER, REPLICATION or
    // BYPASSRLS; a role created here never has them.
    `ALTER ROLE ${r} WITH LOGIN`,
    `COMMENT ON ROLE ${r} IS '${ROLE_COMMENT}'`,
    `GRANT CONNECT ON DATABASE ${escapeIdentifier(database)} TO ${r}`,
    `REVOKE CREATE ON SCHEMA ${s} FROM ${r}`,
    `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
    ...both("TABLES", tableGrants, tableRevokes),
    ...both("SEQUENCES", sequenceGrants, sequenceRevokes),
  ];
}

export interface RoleSyncResult {
  created: string[];
  updated: string[];
  disabled: string[];
}

/**
 * Creates missing roles, brings every listed role to its grants, lets each sign in with IAM where the server
 * is RDS (the `rds_iam` role exists), and disables login for managed roles no longer in the catalogue.
 * One transaction: a failure leaves the roles as they were.
 */
export async function syncRoles(client: ClientBase, roles: readonly DbRole[], database: string): Promise<RoleSyncResult> {
  const result: RoleSyncResult = { created: [], updated: [], disabled: [] };
  await client.query("BEGIN");
  try {
    const existing = await client.query<{ rolname: string; managed: boolean; rolcanlogin: boolean }>(
      "SELECT rolname, coalesce(shobj_description(oid, 'pg_authid') = $1, false) AS managed, rolcanlogin FROM pg_roles",
      [ROLE_COMMENT],
    );
    const byName = new Map(existing.rows.map((row) => [row.rolname, row]));
    const rdsIam = byName.has("rds_iam");
    for (const role of roles) {
      const found = byName.get(role.role);
      if (found && !found.managed) throw new Error(`role "${role.role}" exists and is not managed by berth; rename the service or drop the role`);
      if (!found) {
        await client.query(`CREATE ROLE ${escapeIdentifier(role.role)} LOGIN`);
        result.created.push(role.role);
      } else result.updated.push(role.role);
      for (const sql of grantStatements(role, database)) await client.query(sql);
      if (rdsIam) await client.query(`GRANT rds_iam TO ${escapeIdentifier(role.role)}`);
    }
    const wanted = new Set(roles.map((r) => r.role));
    for (const row of existing.rows) {
      if (row.managed && row.rolcanlogin && !wanted.has(row.rolname)) {
        await client.query(`ALTER ROLE ${escapeIdentifier(row.rolname)} NOLOGIN`);
        result.disabled.push(row.rolname);
      }
    }
    await client.query("COMMIT");
    return result;
  } catch (error: unknown) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** The log line (pure). */
export function describeSync(r: RoleSyncResult): string {
  const parts = [`created ${r.created.length ? r.created.join(", ") : "none"}`, `updated ${r.updated.length ? r.updated.join(", ") : "none"}`];
  if (r.disabled.length) parts.push(`disabled login for ${r.disabled.join(", ")} (no longer in the catalogue)`);
  return `database roles: ${parts.join("; ")}`;
}
