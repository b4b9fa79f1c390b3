// Frame translation with transeq's frame conventions: frame 1..3 start at
// base 1..3; frame -n is the reverse complement of the codons frame n uses
// (EMBOSS's default, not its -alternative), and a trailing partial codon is
// translated as if padded with N (so "GC" still reads as A).
import { codonAt, type TranslationTable } from './translation-table.ts';
import { reverseComplement } from './complement.ts';

export type Frame = 1 | 2 | 3 | -1 | -2 | -3;

export function translateFrom(t: TranslationTable, seq: string, offset: number): string {
	const n = seq.length - offset;
	if (n <= 0) return '';
	const out = new Uint8Array(Math.ceil(n / 3));
	let k = 0;
	for (let pos = offset; pos < seq.length; pos += 3) out[k++] = codonAt(t, seq, pos);
	return new TextDecoder().decode(out);
}

export function translateFrame(t: TranslationTable, seq: string, frame: Frame, reverse?: string): string {
	if (frame > 0) return translateFrom(t, seq, frame - 1);
	const k = -frame;
	// transeq quirk: frame -3 of a single base is "X" (frame 3 of it is empty).
	if (seq.length < k - 1) return 'X';
	const rc = reverse ?? reverseComplement(seq);
	return translateFrom(t, rc, (seq.length - (k - 1)) % 3);
}

/** transeq's output number for a frame: 1, 2, 3 forward, 4, 5, 6 for -1, -2, -3. */
export function frameNumber(frame: Frame): number {
	return frame > 0 ? frame : 3 - frame;
}
