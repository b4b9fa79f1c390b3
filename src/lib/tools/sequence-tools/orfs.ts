// ORF finding with getorf's rules, so results match it on the same settings.
//   stop-to-stop: every stretch between stop codons in each frame, the ends
//     of the sequence counting as boundaries; start-to-stop: from a start
//     codon of the genetic code to the next stop (or the sequence end).
//   Lengths (min/max) are in nucleotides; for protein output they are divided
//   by 3 (integer) and compared with the protein length, as getorf does.
//   The reverse strand is searched after the forward one; positions are
//   1-based on the forward strand, the end excluding the stop codon.
import { reverseComplement } from './complement.ts';
import { codonAt, isStartAt, type TranslationTable } from './translation-table.ts';

export type OrfMode = 'stop-to-stop' | 'start-to-stop';

export interface OrfOptions {
	mode: OrfMode;
	/** Output the translation (true) or the nucleotides (false). */
	protein: boolean;
	minSize: number;
	maxSize: number;
	/** Report a start codon as M whatever it codes elsewhere (start-to-stop only). */
	methionine: boolean;
	reverse: boolean;
}

export interface Orf {
	/** getorf's numbering: 1, 2, ... across both strands of a sequence. */
	number: number;
	strand: '+' | '-';
	/** 1-based, forward-strand coordinates as getorf reports them (start > end on the reverse strand). */
	start: number;
	end: number;
	sequence: string;
}

const STAR = '*'.charCodeAt(0);
const M = 'M'.charCodeAt(0);

function scan(t: TranslationTable, seq: string, len: number, forward: boolean, o: OrfOptions, out: Orf[], shouldStop: () => void): void {
	const seqlen = seq.length;
	const stopToStop = o.mode === 'stop-to-stop';
	const min = o.protein ? Math.floor(o.minSize / 3) : o.minSize;
	const max = o.protein ? Math.floor(o.maxSize / 3) : o.maxSize;
	const inOrf = [stopToStop, stopToStop, stopToStop];
	const start = [0, 1, 2];
	const grown: string[][] = [[], [], []];
	const grownLength = [0, 0, 0];

	const append = (frame: number, pos: number, aa: number) => {
		const piece = o.protein ? String.fromCharCode(aa) : seq.slice(pos, pos + 3);
		grown[frame].push(piece);
		grownLength[frame] += piece.length;
	};
	const clear = (frame: number) => {
		grown[frame] = [];
		grownLength[frame] = 0;
	};
	const write = (frame: number, from: number, to: number) => {
		if (grownLength[frame] < min || grownLength[frame] > max) return;
		let s = from + 1;
		let e = to + 1;
		if (!forward) {
			s = len - s + 1;
			e = len - e + 1;
		}
		out.push({ number: 0, strand: forward ? '+' : '-', start: s, end: e, sequence: grown[frame].join('') });
	};

	for (let pos = 0; pos < seqlen - 2; pos++) {
		if ((pos & 0xffff) === 0) shouldStop();
		const aa = codonAt(t, seq, pos);
		const isStop = aa === STAR;
		const frame = pos % 3;
		if (stopToStop) {
			if (isStop || pos >= seqlen - 5) {
				if (!isStop) append(frame, pos, aa);
				if (inOrf[frame]) {
					write(frame, start[frame], isStop ? pos - 1 : pos + 2);
					clear(frame);
				}
				inOrf[frame] = true;
				start[frame] = pos + 3;
			} else if (inOrf[frame]) append(frame, pos, aa);
		} else {
			const isStart = isStartAt(t, seq, pos);
			if (isStart && !inOrf[frame]) {
				clear(frame);
				inOrf[frame] = true;
				start[frame] = pos;
				append(frame, pos, o.methionine ? M : aa);
			} else if (isStop && !isStart) {
				if (inOrf[frame]) {
					inOrf[frame] = false;
					write(frame, start[frame], pos - 1);
				}
				clear(frame);
			} else if (pos >= seqlen - 5) {
				if (inOrf[frame]) {
					inOrf[frame] = false;
					append(frame, pos, aa);
					write(frame, start[frame], pos + 2);
				}
				clear(frame);
			} else if (inOrf[frame]) append(frame, pos, aa);
		}
	}
}

export function findOrfs(t: TranslationTable, seq: string, o: OrfOptions, shouldStop: () => void = () => {}): Orf[] {
	const out: Orf[] = [];
	scan(t, seq, seq.length, true, o, out, shouldStop);
	if (o.reverse) scan(t, reverseComplement(seq), seq.length, false, o, out, shouldStop);
	out.forEach((orf, i) => (orf.number = i + 1));
	return out;
}
