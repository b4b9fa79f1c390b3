// One alignment in EMBOSS pair format, split the way the page shows it:
// the aligned sequences first, the header block (matrix, penalties,
// counts, score) after. Text that is not in pair format is all alignment.

export interface PairParts {
	/** The "#====...#====" block EMBOSS writes before each alignment, without trailing blank lines. */
	header: string;
	/** The aligned blocks of 50 columns, without leading or trailing blank lines. */
	alignment: string;
}

const RULE = '#=======================================';

export function splitPair(pair: string): PairParts {
	const lines = pair.replace(/\r\n/g, '\n').split('\n');
	const first = lines.indexOf(RULE);
	const second = first === -1 ? -1 : lines.indexOf(RULE, first + 1);
	if (first !== 0 || second === -1) return { header: '', alignment: pair.trim() };
	return {
		header: lines.slice(0, second + 1).join('\n'),
		alignment: lines.slice(second + 1).join('\n').replace(/^\n+/, '').trimEnd()
	};
}
