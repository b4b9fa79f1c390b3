import { describe, expect, it } from 'vitest';
import { describeViewers, otherViewers } from '#lib/jobs/presence.ts';

// Every open page is on the job topic with an empty payload; team pages also name themselves on the team topic.
const page = () => [{ presence_ref: 'r' }];
const named = (user_id: string, name: string) => [{ user_id, name, presence_ref: 'r' }];

describe('who else is viewing', () => {
	it('shows team members their team mates once each by name and counts everyone else as visitors', () => {
		const job = { me: page(), myOtherTab: page(), ben1: page(), ben2: page(), ana: page(), visitor1: page(), visitor2: page() };
		const team = {
			me: named('u-me', 'Me'),
			myOtherTab: named('u-me', 'Me'),
			ben1: named('u-ben', 'Ben'),
			ben2: named('u-ben', 'Ben'),
			ana: named('u-ana', 'Ana'),
			junk: [{ nonsense: true }]
		};
		const others = otherViewers(job, team, 'me', 'u-me');
		expect(others).toEqual({ names: ['Ana', 'Ben'], visitors: 2, forTeam: true });
		expect(describeViewers(others)).toBe('Ana, Ben, 2 visitors');
	});

	it('never shows a name a visitor put in its payload on the job topic', () => {
		const job = { me: page(), fake: [{ user_id: 'u-ana', name: 'Ana Researcher' }] };
		const others = otherViewers(job, { me: named('u-me', 'Me') }, 'me', 'u-me');
		expect(others).toEqual({ names: [], visitors: 1, forTeam: true });
		expect(describeViewers(others)).toBe('a visitor');
	});

	it('shows people outside the team only how many others are looking', () => {
		const job = { me: page(), ana: page(), ben: page() };
		expect(describeViewers(otherViewers(job, null, 'me', null))).toBe('2 other people');
		expect(describeViewers(otherViewers({ me: page(), x: page() }, null, 'me', 'u-outsider'))).toBe('1 other person');
		expect(describeViewers(otherViewers({ me: page() }, null, 'me', null))).toBe('');
	});

	it('names a team mate without a display name', () => {
		expect(otherViewers({ x: page() }, { x: named('u-x', '  ') }, 'me', null).names).toEqual(['A team mate']);
	});
});
