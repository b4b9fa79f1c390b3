// How the compare page names its jobs: a letter each (A is the baseline the
// others are measured against) beside the job's name.
export interface ComparedJobLabel {
	letter: string;
	name: string;
}

export function jobLetter(index: number): string {
	return String.fromCharCode(65 + index);
}

/** "+1.75", "−0.4", "±0": a difference as text, the number formatted by `format`. */
export function signed(delta: number, format: (magnitude: number) => string): string {
	if (delta === 0) return `±${format(0)}`;
	return `${delta > 0 ? '+' : '−'}${format(Math.abs(delta))}`;
}
