// CPU time of a process tree, read from /proc: what a server and the
// processes it started (an embedded Postgres and its backends) have used.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds used so far by `pid` and by every process below it (reaped children included). */
export function treeCpuSeconds(pid: number): { self: number; below: number } {
	const stats = new Map<number, { ppid: number; own: number; reaped: number }>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
			// Fields after the command name (which may hold spaces): state is field 3.
			const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
			stats.set(Number(entry), { ppid: Number(fields[1]), own: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14]) });
		} catch {
			// The process ended while we looked.
		}
	}
	const ticks = 100; // USER_HZ
	let below = 0;
	const visit = (parent: number) => {
		for (const [child, s] of stats) {
			if (s.ppid !== parent) continue;
			below += s.own + s.reaped;
			visit(child);
		}
	};
	visit(pid);
	const own = stats.get(pid);
	return { self: (own?.own ?? 0) / ticks, below: (below + (own?.reaped ?? 0)) / ticks };
}
