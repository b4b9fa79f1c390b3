-- The GPU self-test tool (src/lib/tools/gpu-selftest; its catalog entry in
-- src/lib/tools/catalog.ts): free, on GPU workers, so the GPU path of the
-- fleet runs end to end with real work.
-- Protects: the catalog and the tools table stay in step.
insert into public.tools (id, name, category, description, compute_class, input_kind, items_field,
  pricing_kind, pricing_credits, pricing_unit, pricing_fn, pricing_description,
  time_limit_seconds, max_input_bytes, max_items, enabled)
values
  ('gpu-selftest', 'GPU self-test', 'Structure prediction',
   'Runs one self-attention layer (the core of GPU structure predictors) over each protein on a GPU worker, and checks the result against an independent computation.',
   'gpu', 'sequences', 'sequences', 'free', null, null, null, null, 300, 1 * 1048576, 50, true);
