// Ends a CLI process once what it wrote has left: process.exit() right after a large write to a pipe can cut
// the output short (a synth --json of the 12-service example read by another process lost its tail).
export function exitWhenFlushed(code: number): void {
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}
