// Residue alphabets the parsers check against, and what to call a letter
// outside them so the message says what is wrong.

export interface Alphabet {
	/** What the tool expects, for messages: "amino acid", "nucleotide". */
	noun: string;
	/** Upper-case letters accepted. */
	letters: string;
	/** Explains a letter that is a known code but not accepted here (given as typed: lower case where the tool keeps case). */
	explain?(letter: string): string | undefined;
}

export const STANDARD_AMINO_ACIDS = 'ACDEFGHIKLMNPQRSTVWY';
export const IUPAC_NUCLEOTIDES = 'ACGTURYSWKMBDHVN';
/** Letters that only occur in proteins: seeing them in "DNA" means a protein was pasted. */
const PROTEIN_ONLY = new Set('EFIJLOPQXZ');

export const standardProtein: Alphabet = {
	noun: 'amino acid',
	letters: STANDARD_AMINO_ACIDS,
	explain(letter) {
		if (letter === 'X' || letter === 'B' || letter === 'Z' || letter === 'J')
			return `'${letter}' is an ambiguous residue; properties need one of the 20 standard amino acids`;
		if (letter === 'U' || letter === 'O')
			return `'${letter}' (${letter === 'U' ? 'selenocysteine' : 'pyrrolysine'}) is not supported; only the 20 standard amino acids are`;
		return undefined;
	}
};

/**
 * The 20 standard amino acids plus selenocysteine (U) and pyrrolysine (O),
 * which have known masses (Biopython's ProteinAnalysis accepts them too);
 * ambiguity codes still have no properties.
 */
export const proteinWithSecPyl: Alphabet = {
	noun: 'amino acid',
	letters: `${STANDARD_AMINO_ACIDS}UO`,
	explain(letter) {
		if (letter === 'X' || letter === 'B' || letter === 'Z' || letter === 'J')
			return `'${letter}' is an ambiguous residue; properties need one of the 20 standard amino acids, U (selenocysteine) or O (pyrrolysine)`;
		return undefined;
	}
};

export const nucleotide: Alphabet = {
	noun: 'nucleotide',
	letters: IUPAC_NUCLEOTIDES,
	explain(letter) {
		if (PROTEIN_ONLY.has(letter.toUpperCase())) return `'${letter}' is not a nucleotide code (A C G T U or IUPAC ambiguity)`;
		return undefined;
	}
};

/** A protein matrix's alphabet (e.g. BLOSUM62: the 20 amino acids plus B Z X). */
export function matrixAlphabet(letters: string, nucleic: boolean): Alphabet {
	return {
		noun: nucleic ? 'nucleotide' : 'amino acid',
		letters: letters.replace('*', ''),
		explain(letter) {
			if (!nucleic && (letter === 'U' || letter === 'O' || letter === 'J'))
				return `'${letter}' is not in the scoring matrix; replace it with X`;
			return undefined;
		}
	};
}

/** Share of a sequence's letters that only proteins use. */
export function proteinOnlyFraction(sequence: string): number {
	let n = 0;
	for (let i = 0; i < sequence.length; i++) if (PROTEIN_ONLY.has(sequence[i])) n++;
	return sequence.length ? n / sequence.length : 0;
}
