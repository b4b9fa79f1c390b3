// zod shapes of sequence records as they sit in a job's input JSON.
import { z } from 'zod';

export const sequenceRecordSchema = z.object({
	id: z.string().min(1, 'every record needs an id').max(200),
	sequence: z.string(),
	description: z.string().max(2000).optional()
});

export const sequencesInputSchema = (maxItems: number) =>
	z.object({
		sequences: z
			.array(sequenceRecordSchema)
			.min(1, 'give at least one sequence')
			.max(maxItems, `at most ${maxItems} sequences are accepted`)
	});
