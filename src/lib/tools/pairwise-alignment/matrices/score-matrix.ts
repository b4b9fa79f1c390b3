// A substitution matrix as EMBOSS's data files give it.
export interface ScoreMatrix {
	/** EMBOSS file name, shown in the pair output's "Matrix:" line. */
	name: string;
	/** Row/column letters, in order. */
	letters: string;
	scores: number[][];
}

/** Letter -> row index (char codes 0..127, upper and lower case); -1 outside the matrix. */
export function letterIndex(m: ScoreMatrix): Int16Array {
	const index = new Int16Array(128).fill(-1);
	for (let i = 0; i < m.letters.length; i++) {
		index[m.letters.charCodeAt(i)] = i;
		index[m.letters.toLowerCase().charCodeAt(i)] = i;
	}
	return index;
}

/** Scores as one flat row-major array, for the inner loops. */
export function flatScores(m: ScoreMatrix): Float32Array {
	const n = m.letters.length;
	const flat = new Float32Array(n * n);
	for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) flat[i * n + j] = m.scores[i][j];
	return flat;
}
