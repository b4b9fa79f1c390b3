// The share dialog's address box and its live invite list.
import { describe, expect, it } from 'vitest';
import { applyShareEvent, isPending, parseEmailList, type JobShare } from '#lib/jobs/sharing.ts';

describe('parseEmailList', () => {
	it('takes several addresses at once, however they are separated, lower-cased and each once', () => {
		expect(parseEmailList('Ada@Example.org, grace@example.org;linus@example.org\nada@example.org  ken@example.org')).toEqual({
			valid: ['ada@example.org', 'grace@example.org', 'linus@example.org', 'ken@example.org'],
			invalid: []
		});
	});

	it('accepts <address> as mail programs paste it', () => {
		expect(parseEmailList('<ada@example.org>')).toEqual({ valid: ['ada@example.org'], invalid: [] });
	});

	it('names what is not an address, as typed', () => {
		expect(parseEmailList('ada@example.org, Not-An-Email, bob@, @x.org, a@b')).toEqual({
			valid: ['ada@example.org'],
			invalid: ['Not-An-Email', 'bob@', '@x.org', 'a@b']
		});
		expect(parseEmailList(`${'x'.repeat(250)}@example.org`).invalid).toHaveLength(1);
	});

	it('finds nothing in blank text', () => {
		expect(parseEmailList(' ,; \n')).toEqual({ valid: [], invalid: [] });
	});
});

describe('the live invite list', () => {
	const share = (n: number, fields: Partial<JobShare> = {}): JobShare => ({
		id: `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`,
		email: `person${n}@example.org`,
		user_id: null,
		created_at: `2026-11-28T10:00:0${n}+00:00`,
		...fields
	});

	it('shows a pending invite losing its badge when the person signs up', () => {
		const before = [share(1), share(2)];
		expect(before.every(isPending)).toBe(true);
		const after = applyShareEvent(before, { type: 'upsert', share: share(1, { user_id: '22222222-2222-4222-8222-222222222222' }) });
		expect(after.map((s) => [s.email, isPending(s)])).toEqual([
			['person1@example.org', false],
			['person2@example.org', true]
		]);
	});

	it('adds invites in the order they were made, and takes removed ones out', () => {
		const added = applyShareEvent([share(2)], { type: 'upsert', share: share(1) });
		expect(added.map((s) => s.email)).toEqual(['person1@example.org', 'person2@example.org']);
		expect(applyShareEvent(added, { type: 'delete', id: share(2).id }).map((s) => s.email)).toEqual(['person1@example.org']);
	});
});
