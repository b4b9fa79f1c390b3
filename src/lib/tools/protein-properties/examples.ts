import type { ToolExample } from '../types.ts';
import { HEN_LYSOZYME, HUMAN_INSULIN_A, HUMAN_INSULIN_B } from '../well-known-sequences.ts';

export const examples: ToolExample[] = [
	{
		label: 'Human insulin chains and hen lysozyme',
		text: `>INS_A human insulin A chain\n${HUMAN_INSULIN_A}\n>INS_B human insulin B chain\n${HUMAN_INSULIN_B}\n>LYSC_CHICK hen egg-white lysozyme (mature)\n${HEN_LYSOZYME}\n`
	}
];
