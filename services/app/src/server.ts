// Entrypoint of the service container (`node dist/server.js`): validate the environment, serve, drain on SIGTERM.
import { formatProblems, validateServiceEnv } from "./config";
import { startService } from "./service";

async function main(): Promise<void> {
  const validation = validateServiceEnv(process.env);
  if (!validation.ok) {
    const name = process.env.SERVICE_NAME?.trim();
    console.error(formatProblems(name ? name : "berth-example-app", validation.problems));
    process.exit(1);
  }
  const settings = validation.settings;
  const log = (line: string): void => console.log(`[${settings.serviceName}] ${line}`);
  const service = await startService(settings, { log });

  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal} received: draining (at most ${settings.shutdownTimeoutMs} ms)`);
    void service.shutdown().then((outcome) => {
      if (outcome === "clean") {
        log("stopped cleanly");
        process.exit(0);
      }
      log(`in-flight requests still open after ${settings.shutdownTimeoutMs} ms: forced exit`);
      process.exit(1);
    });
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

main().catch((error: unknown) => {
  console.error(`berth-example-app: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
