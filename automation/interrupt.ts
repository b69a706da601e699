// Ctrl-C while a command runs: the first interrupt stops gracefully, a later second one exits at once.
import { EXIT_CODES } from "./plan/report";

/**
 * One Ctrl-C can arrive as two SIGINTs: the terminal signals the whole foreground process group, and `npm run`
 * (@npmcli/run-script's signal manager) forwards its own copy to the script it runs. SIGINTs this close together
 * are one keypress; a deliberate second press comes later.
 */
export const DUPLICATE_INTERRUPT_WINDOW_MS = 1000;

export interface InterruptOptions {
    now?: () => number;
    exit?: (code: number) => void;
}

/**
 * First Ctrl-C: a graceful stop (the engine finishes the operations in flight). A second one, pressed later than
 * DUPLICATE_INTERRUPT_WINDOW_MS after the first: exit now with INTERRUPTED, with a warning.
 */
export function listenForInterrupt(controller: AbortController, stackName: string, stderr: (text: string) => void, options: InterruptOptions = {}): () => void {
    const now = options.now ?? (() => performance.now());
    const exit = options.exit ?? ((code: number) => process.exit(code));
    let firstAt = 0;
    const onSigint = () => {
        if (!controller.signal.aborted) {
            firstAt = now();
            stderr("\nInterrupted: stopping gracefully — the operations in flight finish, then berth reports what runs now. Press Ctrl-C again to exit at once.\n");
            controller.abort();
            return;
        }
        if (now() - firstAt < DUPLICATE_INTERRUPT_WINDOW_MS) return;
        stderr(`\nSecond interrupt: exiting now without waiting. The stack may have pending operations: run \`pulumi refresh --stack ${stackName}\`, then \`npm run status -- --stack ${stackName}\`.\n`);
        exit(EXIT_CODES.INTERRUPTED);
    };
    process.on("SIGINT", onSigint);
    return () => process.off("SIGINT", onSigint);
}
