import { expect } from "chai";
import { baseConfig, ofType, synth, T } from "../helpers/synth";

describe("outputs: every identifier the release driver needs, and no secret (F04, F18)", () => {
    it("F18: exports cluster, per-service ECS names, families, target groups, logs, URLs, and the migration's network", async () => {
        const s = await synth(baseConfig());
        const o = s.outputs as any;
        expect(o.clusterName).to.equal("berth-dev-cluster");
        expect(o.services.api).to.deep.include({
            serviceName: "berth-dev-api",
            taskDefinitionFamily: "berth-dev-api",
            taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/berth-dev-api:1",
            containerName: "api",
            port: 8081,
            logGroupName: "/berth/dev/api",
            repositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/berth/dev/api",
            healthCheckPath: "/health",
            waitsFor: ["worker"],
        });
        expect(o.services.api.url).to.equal(`${o.publicUrl}/api/`);
        expect(o.services.api.targetGroupArn).to.match(/^arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup\/berth-dev-api\//);
        expect(o.services.worker.url).to.equal(undefined);
        expect(o.migration).to.deep.equal({
            taskDefinitionFamily: "berth-dev-migrate",
            taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/berth-dev-migrate:1",
            containerName: "migrate",
            service: "api",
            clusterName: "berth-dev-cluster",
            subnetIds: ["subnet-private-0", "subnet-private-1", "subnet-private-2"],
            securityGroupIds: [ofType(s, T.sg).find((g) => g.name === "firewall-migration")!.urn ? o.migration.securityGroupIds[0] : "missing"],
            logGroupName: "/berth/dev/migrate",
            logStreamPrefix: "migrate",
            timeoutSeconds: 600,
        });
        expect(o.migration.securityGroupIds[0]).to.match(/^sg-[a-f0-9]{12}$/);
        expect(o.rolloutLevels).to.deep.equal([["worker"], ["api"], ["web"]]);
        expect(o.releasedImagesParameter).to.equal("/berth/dev/released-images");
        expect(Object.keys(o.repositoryUrls)).to.deep.equal(["web", "api", "worker"]);
    });

    it("F03: no output carries a password or secret value; the database is named by its secret's ARN only", async () => {
        const s = await synth(baseConfig());
        const text = JSON.stringify(s.outputs);
        expect(text).to.not.match(/password|synth-token/i);
        expect((s.outputs as any).database.secretArn).to.match(/^arn:aws:secretsmanager:/);
    });

    it("F03: the migration task alone gets the master credentials through secrets, plus the catalogue's roles to grant (F02)", async () => {
        const s = await synth(baseConfig());
        const td = ofType(s, T.taskDefinition).find((t) => t.inputs.family === "berth-dev-migrate")!;
        const [c] = JSON.parse(String(td.inputs.containerDefinitions));
        const secretArn = (ofType(s, T.rds)[0].state.masterUserSecrets as { secretArn: string }[])[0].secretArn;
        expect(c.command).to.deep.equal(["node", "dist/migrate.js"]);
        expect(c.secrets).to.deep.equal([
            { name: "DB_PASSWORD", valueFrom: `${secretArn}:password::` },
            { name: "DB_USERNAME", valueFrom: `${secretArn}:username::` },
        ]);
        expect(c.environment.map((x: { name: string }) => x.name)).to.deep.equal(["BERTH_ENVIRONMENT", "DB_HOST", "DB_NAME", "DB_PORT", "BERTH_DB_ROLES"]);
        expect(JSON.parse(c.environment.find((x: { name: string }) => x.name === "BERTH_DB_ROLES").value)).to.deep.equal([{ role: "svc_api", access: "readwrite" }]);
        expect(td.inputs.tags).to.deep.equal({ "berth:purpose": "migration" });
    });
});
