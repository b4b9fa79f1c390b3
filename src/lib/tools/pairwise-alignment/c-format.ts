// printf("%.Nf") as C prints it: the exact binary value, ties to even.
// (Number#toFixed rounds exact ties away from zero, so 56.25 would print as
// 56.3 where EMBOSS prints 56.2.)
export function cFixed(x: number, digits: number): string {
	const plain = x.toFixed(digits);
	const long = x.toFixed(Math.min(100, digits + 30));
	const tail = long.slice(long.indexOf('.') + 1 + digits);
	if (!/^50*$/.test(tail)) return plain;
	// An exact tie: round the kept digits to even.
	const kept = long.slice(0, long.indexOf('.') + 1 + digits).replace(/\.$/, '');
	const lastDigit = Number(kept[kept.length - 1]);
	if (lastDigit % 2 === 0) return kept === '-0' ? '-0' : kept;
	return plain;
}

/** EMBOSS's gap penalty style: three decimals, trailing zeros trimmed to one ("10.0", "0.5", "0.333"). */
export function embossPenalty(x: number): string {
	let s = cFixed(Math.fround(x), 3);
	for (let i = 1; i < 3 && s.endsWith('0'); i++) s = s.slice(0, -1);
	return s;
}
