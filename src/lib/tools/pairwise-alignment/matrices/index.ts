import { BLOSUM45 } from './blosum45.ts';
import { BLOSUM62 } from './blosum62.ts';
import { BLOSUM80 } from './blosum80.ts';
import { DNAFULL } from './dnafull.ts';
import { PAM250 } from './pam250.ts';
import type { ScoreMatrix } from './score-matrix.ts';

export const MATRIX_IDS = ['BLOSUM62', 'BLOSUM45', 'BLOSUM80', 'PAM250', 'DNAFULL'] as const;
export type MatrixId = (typeof MATRIX_IDS)[number];

export const MATRICES: Record<MatrixId, ScoreMatrix> = { BLOSUM62, BLOSUM45, BLOSUM80, PAM250, DNAFULL };

export const isNucleotideMatrix = (id: MatrixId) => id === 'DNAFULL';
