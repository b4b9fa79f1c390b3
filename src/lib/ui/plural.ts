// The one way the app counts things in words: "1 credit", "2 credits",
// "1 water atom", "1,204 sequences". Irregular words pass their plural.

/** `n` and the noun that agrees with it, with thousands separated ("1,204 sequences"). */
export function count(n: number, singular: string, plural = `${singular}s`): string {
	return `${n.toLocaleString('en')} ${Math.abs(n) === 1 ? singular : plural}`;
}

/** The noun alone, agreeing with `n` ("job" or "jobs"), for sentences that show the number elsewhere. */
export function noun(n: number, singular: string, plural = `${singular}s`): string {
	return Math.abs(n) === 1 ? singular : plural;
}
