// One alignment in EMBOSS's "pair" (srspair) format, as needle and water
// write it after the file header: the per-alignment header block, then
// blocks of 50 columns with 13-character names and residue positions.
import { cFixed, embossPenalty } from './c-format.ts';
import type { AlignmentStats } from './stats.ts';

export interface PairFormatInput {
	nameA: string;
	nameB: string;
	/** Aligned sequences with '-' for gaps. */
	lineA: string;
	lineB: string;
	/** 1-based position of each side's first aligned residue. */
	beginA: number;
	beginB: number;
	matrixName: string;
	gapOpen: number;
	gapExtend: number;
	score: number;
	stats: AlignmentStats;
}

const f = Math.fround;
/** A percentage as EMBOSS prints it: single precision, one decimal, exact ties to even (9/16 is 56.2, not 56.3). */
const pctText = (count: number, len: number) => cFixed(f(f(100 * count) / len), 1);
const pct = (count: number, len: number) => pctText(count, len).padStart(4);

/** The same percentage as a number, so the statistics table and the alignment text never disagree; 0 for an empty alignment. */
export function embossPercent(count: number, len: number): number {
	return len > 0 ? Number(pctText(count, len)) : 0;
}
const stat = (label: string, count: number, len: number) =>
	`# ${label.padEnd(12)}${String(count).padStart(5)}/${len} (${pct(count, len)}%)`;

export function pairFormat(p: PairFormatInput): string {
	const len = p.stats.length;
	const out: string[] = [
		'#=======================================',
		'#',
		'# Aligned_sequences: 2',
		`# 1: ${p.nameA}`,
		`# 2: ${p.nameB}`,
		`# Matrix: ${p.matrixName}`,
		`# Gap_penalty: ${embossPenalty(p.gapOpen)}`,
		`# Extend_penalty: ${embossPenalty(p.gapExtend)}`,
		'#',
		`# Length: ${len}`
	];
	if (len > 0) {
		out.push(stat('Identity:', p.stats.identical, len));
		out.push(stat('Similarity:', p.stats.similar, len));
		out.push(stat('Gaps:', p.stats.gaps, len));
	}
	out.push(`# Score: ${embossPenalty(p.score)}`, '# ', '#', '#=======================================', '');

	let posA = p.beginA - 1;
	let posB = p.beginB - 1;
	const nameA = p.nameA.slice(0, 13).padEnd(13);
	const nameB = p.nameB.slice(0, 13).padEnd(13);
	const line = (name: string, from: number, segment: string, residues: number) =>
		residues > 0
			? `${name} ${String(from + 1).padStart(6)} ${segment} ${String(from + residues).padStart(6)}`
			: `${name} ${String(from).padStart(6)} ${segment} ${String(from).padStart(6)}`;
	const residuesIn = (s: string) => {
		let r = 0;
		for (let i = 0; i < s.length; i++) if (s[i] !== '-') r++;
		return r;
	};
	for (let i = 0; i < len; i += 50) {
		const segA = p.lineA.slice(i, i + 50);
		const segB = p.lineB.slice(i, i + 50);
		const rA = residuesIn(segA);
		const rB = residuesIn(segB);
		out.push(line(nameA, posA, segA, rA));
		out.push(`                     ${p.stats.markup.slice(i, i + 50)}`);
		out.push(line(nameB, posB, segB, rB));
		out.push('');
		posA += rA;
		posB += rB;
	}
	return out.join('\n') + '\n';
}
