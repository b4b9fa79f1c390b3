// How a tool's pricing rule reads in the catalog and beside the Run button.
import type { PricingRule } from '#lib/tools/catalog.ts';
import { count } from '#lib/ui/plural.ts';

const credits = (n: number) => count(n, 'credit');

export function pricingLabel(rule: PricingRule): string {
	switch (rule.kind) {
		case 'free':
			return 'Free';
		case 'flat':
			return `${credits(rule.credits)} per run`;
		case 'per_input':
			return `${credits(rule.credits)} per ${rule.unit}`;
		case 'per_structure':
			return `${credits(rule.credits)} per structure`;
		case 'calculator':
			return rule.description;
	}
}

export const COMPUTE_CLASS_LABELS = { cpu: 'CPU', gpu: 'GPU' } as const;
