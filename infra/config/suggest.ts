// "Did you mean": the closest known name to a misspelt key, service or field.
/** The closest known name within `allowed` edits, case ignored: `berth:service`, `healthcheck`, `api-gw`. */
export function suggest(key: string, known: readonly string[], allowed = 3): string | undefined {
    let best: { k: string; d: number } | undefined;
    for (const k of known) {
        const d = editDistance(key.toLowerCase(), k.toLowerCase());
        if (d <= allowed && (!best || d < best.d)) best = { k, d };
    }
    return best?.k;
}

/** For field names: one edit per 3 characters (at least 1, at most 3), so `foo` does not become `cpu`. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
    return suggest(key, known, Math.min(3, Math.max(1, Math.floor(key.length / 3))));
}

function editDistance(a: string, b: string): number {
    const row = [...Array(b.length + 1).keys()];
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}

export function hintFrom(name: string, known: string[]): string {
    const close = suggest(name, known);
    return close ? `; did you mean "${close}"?` : "";
}
