// Which jobs of the list are selected for a bulk action: rows picked one by
// one (kept across pages, with what the bar needs of each: tool, for the
// Compare link, and the list fields, for a CSV export), shift-click ranges,
// or "every job matching this filter" (then the filter is the selection).
import { SvelteMap } from 'svelte/reactivity';
import { rangeIds } from './bulk.ts';
import type { JobListRow } from './list.ts';

export class JobSelection {
	/** Picked rows by id, across pages. */
	readonly picked = new SvelteMap<string, JobListRow>();
	/** Every job matching the current filter, on every page. */
	allMatching = $state(false);
	#anchor: string | null = null;

	get size(): number {
		return this.picked.size;
	}

	has(id: string): boolean {
		return this.allMatching || this.picked.has(id);
	}

	/** A row's checkbox: with shift, the range from the last row clicked takes this row's new state. */
	toggle(row: JobListRow, pageRows: readonly JobListRow[], shift: boolean): void {
		const selecting = !this.has(row.id);
		this.allMatching = false;
		const ids = shift ? rangeIds(pageRows.map((r) => r.id), this.#anchor, row.id) : [row.id];
		for (const id of ids) {
			const target = pageRows.find((r) => r.id === id);
			if (!target) continue;
			if (selecting) this.picked.set(id, target);
			else this.picked.delete(id);
		}
		this.#anchor = row.id;
	}

	/** The header's checkbox: the page's rows in or out. */
	togglePage(pageRows: readonly JobListRow[]): void {
		const all = pageRows.length > 0 && pageRows.every((r) => this.has(r.id));
		this.allMatching = false;
		for (const row of pageRows) {
			if (all) this.picked.delete(row.id);
			else this.picked.set(row.id, row);
		}
	}

	selectAllMatching(): void {
		this.allMatching = true;
	}

	clear(): void {
		this.picked.clear();
		this.allMatching = false;
		this.#anchor = null;
	}

	/** Keeps picked rows up to date with live changes; drops deleted ones. */
	refresh(rows: readonly JobListRow[], deleted: readonly string[] = []): void {
		for (const row of rows) if (this.picked.has(row.id)) this.picked.set(row.id, row);
		for (const id of deleted) this.picked.delete(id);
	}
}
