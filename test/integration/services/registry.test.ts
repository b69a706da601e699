// Pushing the service image to a registry and reading back its digest, as the release driver will (F06).
import { expect } from "chai";
import { dockerOk, httpGet, type IntegrationEnv } from "../helpers/integrationEnv";
import { useServiceImage, inspect, type ServiceImage } from "./serviceImage";

const DIGEST = /digest: (sha256:[0-9a-f]{64})/;
const MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
].join(", ");

describe("service image in a registry", function () {
  const ctx = useServiceImage();
  let env: IntegrationEnv;
  let image: ServiceImage;

  before(() => {
    env = ctx.env();
    image = ctx.image();
  });

  it("F06: is pushed under its git SHA and its digest reads back the same from the engine and the registry", async () => {
    const repository = `${env.registry}/berth/orders`;
    const reference = `${repository}:${image.gitSha}`;
    await dockerOk(env, ["tag", image.tag, reference]);
    const pushed = await dockerOk(env, ["push", reference], 300_000);
    const digest = DIGEST.exec(pushed)?.[1];
    expect(digest, pushed).to.be.a("string");

    expect(await inspect<string[]>(env, reference, ".RepoDigests")).to.include(`${repository}@${digest}`);
    const manifest = await httpGet(`http://${env.registry}/v2/berth/orders/manifests/${image.gitSha}`, {
      headers: { Accept: MANIFEST_TYPES },
    });
    expect(manifest.status).to.equal(200);
    expect(manifest.headers["docker-content-digest"]).to.equal(digest);
  });

  it("F06: pushing the same build again yields the same digest", async () => {
    const reference = `${env.registry}/berth/orders:${image.gitSha}`;
    await dockerOk(env, ["tag", image.tag, reference]);
    const first = DIGEST.exec(await dockerOk(env, ["push", reference], 300_000))?.[1];
    const second = DIGEST.exec(await dockerOk(env, ["push", reference], 300_000))?.[1];
    expect(first).to.be.a("string");
    expect(second).to.equal(first);
  });
});
