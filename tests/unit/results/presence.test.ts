import { describe, expect, it } from 'vitest';
import { describeViewers, otherViewers } from '#lib/components/job-detail/presence.ts';

const meta = (user_id: string | null, name: string | null) => [{ user_id, name, presence_ref: 'r' }];

describe('who else is viewing', () => {
	it('lists other signed-in people once each and counts anonymous visitors', () => {
		const state = {
			me: meta('u-me', 'Me'),
			myOtherTab: meta('u-me', 'Me'),
			ben1: meta('u-ben', 'Ben'),
			ben2: meta('u-ben', 'Ben'),
			ana: meta('u-ana', 'Ana'),
			anon1: meta(null, null),
			anon2: meta(null, null),
			junk: [{ nonsense: true }]
		};
		const others = otherViewers(state, 'me', 'u-me');
		expect(others).toEqual({ names: ['Ana', 'Ben'], visitors: 2 });
		expect(describeViewers(others)).toBe('Ana, Ben, 2 visitors');
	});

	it('counts an anonymous viewer as a visitor and nobody as no text', () => {
		expect(describeViewers(otherViewers({ me: meta(null, null), x: meta(null, null) }, 'me', null))).toBe('a visitor');
		expect(describeViewers(otherViewers({ me: meta('u', 'Me') }, 'me', 'u'))).toBe('');
	});

	it('names a signed-in viewer without a display name', () => {
		expect(otherViewers({ x: meta('u-x', '  ') }, 'me', null).names).toEqual(['Someone signed in']);
	});
});
