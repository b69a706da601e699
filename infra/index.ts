// Entry point for the Pulumi engine: the program is an async function whose result is the stack outputs.
import { berth } from "./program";

export = () => berth({ projectDir: process.cwd() });
