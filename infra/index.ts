// Entry point for the Pulumi engine: the program is an async function whose result is the stack outputs.
// The CLI runs it from infra/ (Pulumi.yaml `main`), so the project root comes from this file's location.
import { berth } from "./program";
import { findProjectDir } from "./projectDir";

export = () => berth({ projectDir: findProjectDir(__dirname) });
