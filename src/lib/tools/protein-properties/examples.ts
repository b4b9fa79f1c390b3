import type { ToolExample } from '../types.ts';

/** Human insulin chains (P01308) and mature hen egg-white lysozyme (P00698, residues 19-147). */
export const HUMAN_INSULIN_A = 'GIVEQCCTSICSLYQLENYCN';
export const HUMAN_INSULIN_B = 'FVNQHLCGSHLVEALYLVCGERGFFYTPKT';
export const HEN_LYSOZYME =
	'KVFGRCELAAAMKRHGLDNYRGYSLGNWVCAAKFESNFNTQATNRNTDGSTDYGILQINSRWWCNDGRTPGSRNLCNIPCSALLSSDITASVNCAKKIVSDGNGMNAWVAWRNRCKGTDVQAWIRGCRL';

export const examples: ToolExample[] = [
	{
		label: 'Human insulin chains and hen lysozyme',
		text: `>INS_A human insulin A chain\n${HUMAN_INSULIN_A}\n>INS_B human insulin B chain\n${HUMAN_INSULIN_B}\n>LYSC_CHICK hen egg-white lysozyme (mature)\n${HEN_LYSOZYME}\n`
	}
];
