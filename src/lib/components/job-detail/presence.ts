// Who else has a job open, from the Realtime presence state of its
// `job:<id>` channel. Each open page tracks { user_id, name }; anonymous
// visitors of public jobs track { user_id: null, name: null }.
import { z } from 'zod';

export const viewerPresenceSchema = z.object({
	user_id: z.string().nullable(),
	name: z.string().max(120).nullable()
});
export type ViewerPresence = z.infer<typeof viewerPresenceSchema>;

export interface OtherViewers {
	/** Signed-in people other than me, once each however many tabs they have open, by name. */
	names: string[];
	/** Anonymous visitors (one per open page). */
	visitors: number;
}

/**
 * The others in a presence state (key -> metas): my own page (`ownKey`) and
 * my other tabs (`ownUserId`) are left out; malformed entries are ignored.
 */
export function otherViewers(state: Record<string, unknown[]>, ownKey: string, ownUserId: string | null): OtherViewers {
	const byUser = new Map<string, string>();
	let visitors = 0;
	for (const [key, metas] of Object.entries(state)) {
		if (key === ownKey) continue;
		const meta = viewerPresenceSchema.safeParse(metas[0]);
		if (!meta.success) continue;
		const { user_id, name } = meta.data;
		if (user_id === null) visitors++;
		else if (user_id !== ownUserId && !byUser.has(user_id)) byUser.set(user_id, name?.trim() || 'Someone signed in');
	}
	const names = [...byUser.values()].sort((a, b) => a.localeCompare(b));
	return { names, visitors };
}

/** "Ana, Ben, 2 visitors"; '' when nobody else is looking. */
export function describeViewers({ names, visitors }: OtherViewers): string {
	const parts = [...names];
	if (visitors === 1) parts.push('a visitor');
	else if (visitors > 1) parts.push(`${visitors} visitors`);
	return parts.join(', ');
}
