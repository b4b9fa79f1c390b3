// A hydropathy profile as a line to draw: windows holding U or O have no
// value, so the line breaks there (a NaN) instead of bridging the gap.
import type { HydropathyProfileView } from './parse.ts';

export function hydropathyLine(profile: HydropathyProfileView): { x: number[]; y: number[] } {
	const x: number[] = [];
	const y: number[] = [];
	profile.positions.forEach((position, i) => {
		if (i > 0 && position - profile.positions[i - 1] > 1) {
			x.push(position - 1);
			y.push(Number.NaN);
		}
		x.push(position);
		y.push(profile.values[i]);
	});
	return { x, y };
}
