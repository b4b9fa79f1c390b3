// `#rdkit`: RDKit in the same process in Node (what the worker fleet and the
// server get), and the worker client in the browser build.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { molecules } from '#rdkit';
import { GARBAGE_V3000 } from '../tools/molecules.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));


/** Where Node resolves `#rdkit` with these export conditions. */
function resolveWith(conditions: string[]): string {
	const args = [...conditions.map((c) => `--conditions=${c}`), '--input-type=module', '-e', "console.log(import.meta.resolve('#rdkit'))"];
	return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();
}

describe('#rdkit', () => {
	it('is RDKit in the same process everywhere but the browser, which gets the Web Worker client', () => {
		expect(resolveWith([])).toMatch(/\/src\/lib\/rdkit\/direct\.server\.ts$/);
		expect(resolveWith(['browser'])).toMatch(/\/src\/lib\/rdkit\/worker-client\.ts$/);
	});

	it("gives RDKit's reason for each molecule it cannot read, and null for the others", async () => {
		const molblock = 'methane\n  test\n\n  1  0  0  0  0  0  0  0  0  0999 V2000\n    0.0000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0\nM  END\n';
		const problems = await molecules.problems(['CCO', 'C1CC', molblock, 'c1cccc1']);
		expect(problems[0]).toBeNull();
		expect(problems[1]).toMatch(/SMILES Parse Error: unclosed ring/);
		expect(problems[2]).toBeNull();
		expect(problems[3]).toMatch(/kekulize/i);
		expect(await molecules.problems([])).toEqual([]);
	});

	it("says each of RDKit's reasons once, without the echo of the input and its caret", async () => {
		const [kekulize, branch] = await molecules.problems(['c1cccc1', 'CC(C']);
		expect(kekulize).toBe("Can't kekulize mol.  Unkekulized atoms: 0 1 2 3 4");
		expect(branch).toBe('SMILES Parse Error: extra open parentheses while parsing: CC(C; check for mistakes around position 3');
	});

	it('refuses a garbage molblock with the reason RDKit logged, where RDKit would read it as no atoms and then throw', async () => {
		// RDKit "reads" this as an empty molecule and throws a WebAssembly.Exception when it is used.
		const [problem] = await molecules.problems([GARBAGE_V3000]);
		expect(problem).toBe('RDKit read no atoms from it (CTAB version string invalid at line 4)');
		expect(await molecules.depict(GARBAGE_V3000, { width: 100, height: 100 })).toBeNull();
	});

	it('draws a molecule as SVG of the size asked, and nothing for one it cannot read', async () => {
		const svg = await molecules.depict('CC(=O)Oc1ccccc1C(=O)O', { width: 260, height: 200 });
		expect(svg).toMatch(/<svg[^>]*width='260px'[^>]*height='200px'[\s\S]*<\/svg>/);
		expect(await molecules.depict('C1CC', { width: 260, height: 200 })).toBeNull();
	});
});
