// Each tool's price as a person reads it, from the tools table (the database
// computes every charge from the same columns).
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import type { PricingRule } from '#lib/tools/catalog.ts';
import { pricingLabel } from '#lib/tools-ui/pricing.ts';

const toolRow = z.object({
	id: z.string(),
	name: z.string(),
	category: z.string(),
	compute_class: z.enum(['cpu', 'gpu']),
	pricing_kind: z.enum(['free', 'flat', 'per_input', 'per_structure', 'calculator']),
	pricing_credits: z.number().nullable(),
	pricing_unit: z.string().nullable(),
	pricing_description: z.string().nullable(),
	enabled: z.boolean()
});
export type ToolPricingRow = z.infer<typeof toolRow>;

export interface ToolPrice {
	id: string;
	name: string;
	category: string;
	computeClass: 'cpu' | 'gpu';
	free: boolean;
	price: string;
	enabled: boolean;
}

/** The row's pricing rule, read the same way as the catalog's (one wording everywhere). */
export function describePrice(t: Pick<ToolPricingRow, 'pricing_kind' | 'pricing_credits' | 'pricing_unit' | 'pricing_description'>): string {
	const n = t.pricing_credits ?? 0;
	const rule: PricingRule =
		t.pricing_kind === 'calculator'
			? { kind: 'calculator', fn: '', description: t.pricing_description ?? 'Computed from the input and settings' }
			: t.pricing_kind === 'per_input'
				? { kind: 'per_input', credits: n, unit: t.pricing_unit ?? 'input' }
				: t.pricing_kind === 'free'
					? { kind: 'free' }
					: { kind: t.pricing_kind, credits: n };
	return pricingLabel(rule);
}

export async function loadPricing(supabase: SupabaseClient): Promise<ToolPrice[]> {
	const { data, error } = await supabase
		.from('tools')
		.select('id, name, category, compute_class, pricing_kind, pricing_credits, pricing_unit, pricing_description, enabled')
		.order('category')
		.order('name');
	if (error) throw new Error(`Could not load the tool prices: ${error.message}`);
	return z
		.array(toolRow)
		.parse(data)
		.map((t) => ({
			id: t.id,
			name: t.name,
			category: t.category,
			computeClass: t.compute_class,
			free: t.pricing_kind === 'free',
			price: describePrice(t),
			enabled: t.enabled
		}))
		.sort((a, b) => Number(b.enabled) - Number(a.enabled));
}
