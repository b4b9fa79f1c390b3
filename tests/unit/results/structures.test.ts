import { describe, expect, it } from 'vitest';
import { mean, plddtBand, plddtColor, plddtScale } from '#lib/components/results/plddt.ts';
import { blueWhiteRed, pdbBFactors, sdfRecords } from '#lib/files/structures.ts';

const molblock = (title: string) => `${title}\n     RDKit          3D\n\n  1  0  0  0  0  0  0  0  0  0999 V2000\n    0.0000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0\nM  END\n`;

describe('SDF records', () => {
	it('splits poses at $$$$ lines', () => {
		const text = `${molblock('pose1')}> <minimizedAffinity>\n-7.1\n\n$$$$\n${molblock('pose2')}$$$$\n`;
		const records = sdfRecords(text);
		expect(records).toHaveLength(2);
		expect(records[0].startsWith('pose1')).toBe(true);
		expect(records[0]).toContain('-7.1');
		expect(records[1].startsWith('pose2')).toBe(true);
	});

	it('keeps a last record without $$$$ and handles CRLF', () => {
		expect(sdfRecords(molblock('only'))).toHaveLength(1);
		expect(sdfRecords(`${molblock('a').replace(/\n/g, '\r\n')}$$$$\r\n`)).toHaveLength(1);
		expect(sdfRecords('')).toEqual([]);
	});
});

describe('B-factors and pLDDT', () => {
	const atom = (b: string) => `ATOM      1  CA  ALA A   1      11.104  13.207   2.100  1.00${b.padStart(6)}           C`;

	it('reads the B-factor column of ATOM and HETATM records', () => {
		const pdb = [atom('91.50'), 'REMARK nothing', atom('45.25'), `HETATM${atom('10.00').slice(6)}`, 'END'].join('\n');
		expect(pdbBFactors(pdb)).toEqual([91.5, 45.25, 10]);
	});

	it('reads pLDDT stored as 0-1 or 0-100', () => {
		expect(plddtScale([0.91, 0.45])).toBe(100);
		expect(plddtScale([91, 45])).toBe(1);
	});

	it('puts values in AlphaFold’s bands, boundaries in the higher one', () => {
		expect(plddtBand(95).label).toMatch(/Very high/);
		expect(plddtBand(90).label).toMatch(/Very high/);
		expect(plddtBand(70).label).toMatch(/Confident/);
		expect(plddtBand(69.9).label).toMatch(/Low/);
		expect(plddtColor(12)).toBe('#ff7d45');
		expect(mean([90, 70])).toBe(80);
		expect(mean([])).toBeNull();
	});

	it('colours B-factors blue to white to red', () => {
		expect(blueWhiteRed(0, 0, 100)).toBe('#2166ac');
		expect(blueWhiteRed(50, 0, 100)).toBe('#ffffff');
		expect(blueWhiteRed(100, 0, 100)).toBe('#b2182b');
		expect(blueWhiteRed(7, 7, 7)).toBe('#ffffff');
	});
});
