// pLDDT confidence bands as AlphaFold DB and ESMFold viewers draw them.

export interface ConfidenceBand {
	label: string;
	min: number;
	max: number;
	color: string;
}

/** Highest first, as a legend reads. */
export const PLDDT_BANDS: readonly ConfidenceBand[] = [
	{ label: 'Very high (pLDDT > 90)', min: 90, max: 100, color: '#0053d6' },
	{ label: 'Confident (90 > pLDDT > 70)', min: 70, max: 90, color: '#65cbf3' },
	{ label: 'Low (70 > pLDDT > 50)', min: 50, max: 70, color: '#ffdb13' },
	{ label: 'Very low (pLDDT < 50)', min: 0, max: 50, color: '#ff7d45' }
];

/** The band a value falls in (a value on a boundary takes the higher band, as AlphaFold DB does). */
export function plddtBand(value: number): ConfidenceBand {
	for (const band of PLDDT_BANDS) if (value >= band.min) return band;
	return PLDDT_BANDS[PLDDT_BANDS.length - 1];
}

export function plddtColor(value: number): string {
	return plddtBand(value).color;
}

/**
 * pLDDT as stored in a PDB's B-factor column: ESMFold writes 0-1 on some
 * versions and 0-100 on others; both are read as 0-100.
 */
export function plddtScale(bFactors: readonly number[]): number {
	let max = 0;
	for (const b of bFactors) if (b > max) max = b;
	return max > 0 && max <= 1 ? 100 : 1;
}

export function mean(values: readonly number[]): number | null {
	if (values.length === 0) return null;
	let sum = 0;
	for (const v of values) sum += v;
	return sum / values.length;
}
