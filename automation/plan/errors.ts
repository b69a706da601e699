// The driver's expected input failure: the CLI prints its message only and exits 3.

/** Bad input: unknown --services, a dirty tree without --allow-dirty, unusable stack outputs, no release to roll back to. */
export class ReleaseInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReleaseInputError";
    }
}
