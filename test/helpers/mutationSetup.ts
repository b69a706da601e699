// Loaded only by Stryker (stryker.config.json): a property that fails under a mutant has done its job, so
// fast-check stops at the first counterexample instead of shrinking it.
import fc from "fast-check";

fc.configureGlobal({ endOnFailure: true });
