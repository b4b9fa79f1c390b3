// The one pluralisation helper: singular for exactly one (either sign), plural otherwise,
// numbers with thousands separators; and no hand-made "=== 1 ? '' : 's'", nor a number put
// straight before a plural noun ("${n} water atoms"), left in the app's own code, the tools
// and their result pages included (a new one would say "1 credits" the day someone gets it wrong).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { count, noun } from '#lib/ui/plural.ts';

describe('count', () => {
	it('agrees with the number', () => {
		expect(count(1, 'credit')).toBe('1 credit');
		expect(count(0, 'credit')).toBe('0 credits');
		expect(count(2, 'water atom')).toBe('2 water atoms');
		expect(count(1, 'water atom')).toBe('1 water atom');
		expect(count(-1, 'credit')).toBe('-1 credit');
		expect(count(1204, 'sequence')).toBe('1,204 sequences');
		expect(count(3, 'match', 'matches')).toBe('3 matches');
		expect(noun(1, 'job')).toBe('job');
		expect(noun(5, 'job')).toBe('jobs');
	});
});

describe('the app', () => {
	it("counts with the helper, not a hand-made plural suffix, in the files this rule covers", () => {
		const root = path.resolve(import.meta.dirname, '../../../src');
		const covered = ['lib/jobs', 'lib/tools-ui', 'lib/tools', 'lib/components/tool-form', 'lib/components/team', 'lib/components/job-detail', 'lib/components/results', 'routes'];
		// A number put straight before a plural noun ("${n} water atoms" says "1 water atoms"); limits
		// (MAX_…, maxItems) and names ("${ligand.name} poses") are not counts and may stand there.
		const countedNoun = /\{([^{}]+)\} (?:water )?(?:atoms|residues|sequences|molecules|structures|ligands|chains|models|poses|records|targets|credits|files|jobs)\b(?!=)/g;
		const notACount = (expr: string) => /^[A-Z_]+$|name$|max/i.test(expr.trim());
		const offenders: string[] = [];
		const walk = (dir: string) => {
			for (const entry of readdirSync(dir, { withFileTypes: true })) {
				const full = path.join(dir, entry.name);
				if (entry.isDirectory()) walk(full);
				else if (/\.(ts|svelte)$/.test(entry.name)) {
					const text = readFileSync(full, 'utf8');
					if (/=== 1 \? '' : 's'/.test(text)) offenders.push(path.relative(root, full));
					for (const [match, expr] of text.matchAll(countedNoun)) if (!notACount(expr)) offenders.push(`${path.relative(root, full)}: ${match}`);
				}
			}
		};
		for (const dir of covered) walk(path.join(root, dir));
		expect(offenders).toEqual([]);
	});
});
