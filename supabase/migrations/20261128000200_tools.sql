-- The tool catalog, mirrored from src/lib/tools/catalog.ts (tests/db/tools.test.ts
-- proves the two agree), and the calculator pricing functions it names.
-- Protects: what each tool costs, how much input it takes and how long it
-- may run. Clients can read it; only migrations change it.

create type public.compute_class as enum ('cpu', 'gpu');
create type public.input_kind as enum ('sequences', 'structures', 'molecules');
create type public.pricing_kind as enum ('free', 'flat', 'per_input', 'per_structure', 'calculator');
create type public.tool_category as enum (
  'Sequence analysis', 'Alignment', 'Cheminformatics', 'Structure analysis', 'Docking', 'Structure prediction');

create table public.tools (
  id text primary key check (id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name text not null check (char_length(name) between 1 and 120),
  category public.tool_category not null,
  description text not null default '',
  compute_class public.compute_class not null,
  input_kind public.input_kind not null,
  -- Top-level key of the input object that holds the array of records.
  items_field text not null check (items_field ~ '^[a-z_]+$'),
  pricing_kind public.pricing_kind not null,
  -- flat: per job; per_input / per_structure: per record.
  pricing_credits integer check (pricing_credits > 0),
  pricing_unit text,
  -- calculator: public.<fn>(input jsonb, settings jsonb) returns integer.
  pricing_fn text check (pricing_fn ~ '^price_[a-z_]+$'),
  pricing_description text,
  time_limit_seconds integer not null check (time_limit_seconds > 0),
  max_input_bytes integer not null check (max_input_bytes > 0),
  max_items integer not null check (max_items > 0),
  enabled boolean not null default true,
  constraint tools_pricing_rule_is_complete check (case pricing_kind
    when 'free' then pricing_credits is null and pricing_unit is null and pricing_fn is null
    when 'flat' then pricing_credits is not null and pricing_unit is null and pricing_fn is null
    when 'per_input' then pricing_credits is not null and pricing_unit is not null and pricing_fn is null
    when 'per_structure' then pricing_credits is not null and pricing_unit is null and pricing_fn is null
    when 'calculator' then pricing_credits is null and pricing_fn is not null and pricing_description is not null
  end)
);

-- Calculator pricing ------------------------------------------------------------
-- Both assume the input's items array was checked (present, non-empty) by
-- the caller; they check what only they read.

-- 2 credits per ligand for each (started) 8 units of exhaustiveness (default 8).
create function public.price_docking(input jsonb, settings jsonb) returns integer
language plpgsql immutable set search_path = ''
as $$
declare
  ligands integer := jsonb_array_length(input -> 'ligands');
  exhaustiveness jsonb := coalesce(settings -> 'exhaustiveness', '8');
  units numeric;
begin
  if jsonb_typeof(exhaustiveness) <> 'number' then
    raise exception 'settings.exhaustiveness must be a number, not %', jsonb_typeof(exhaustiveness) using errcode = '22023';
  end if;
  units := exhaustiveness::text::numeric;
  if units <> trunc(units) or units < 1 or units > 1024 then
    raise exception 'settings.exhaustiveness must be a whole number from 1 to 1024, not %', units using errcode = '22023';
  end if;
  return ligands * 2 * ceil(units / 8)::integer;
end;
$$;

-- 1 credit per started 100 residues, at least 5, for each sequence.
create function public.price_structure_prediction(input jsonb, settings jsonb) returns integer
language plpgsql immutable set search_path = ''
as $$
declare
  total integer := 0;
  item jsonb;
  idx integer := 0;
  residues integer;
begin
  for item in select value from jsonb_array_elements(input -> 'sequences') loop
    if jsonb_typeof(item -> 'sequence') is distinct from 'string' then
      raise exception 'sequences[%].sequence must be a string of residues', idx using errcode = '22023';
    end if;
    residues := char_length(regexp_replace(item ->> 'sequence', '\s', '', 'g'));
    total := total + greatest(5, ceil(residues / 100.0)::integer);
    idx := idx + 1;
  end loop;
  return total;
end;
$$;

grant execute on function public.price_docking(jsonb, jsonb), public.price_structure_prediction(jsonb, jsonb)
  to authenticated, service_role;

-- The catalog (keep in step with src/lib/tools/catalog.ts) ----------------------
insert into public.tools (id, name, category, description, compute_class, input_kind, items_field,
  pricing_kind, pricing_credits, pricing_unit, pricing_fn, pricing_description,
  time_limit_seconds, max_input_bytes, max_items, enabled)
values
  ('protein-properties', 'Protein properties', 'Sequence analysis',
   'Mass, pI, charge, extinction coefficients, stability, GRAVY and hydropathy of protein sequences (ProtParam conventions).',
   'cpu', 'sequences', 'sequences', 'free', null, null, null, null, 300, 20 * 1048576, 20000, true),
  ('sequence-tools', 'Sequence tools', 'Sequence analysis',
   'Reverse complement, translation in any frame with NCBI genetic codes, and ORF finding for DNA/RNA.',
   'cpu', 'sequences', 'sequences', 'free', null, null, null, null, 300, 20 * 1048576, 10000, true),
  ('pairwise-alignment', 'Pairwise alignment', 'Alignment',
   'Global (Needleman-Wunsch) or local (Smith-Waterman) alignment with affine gaps, one query against many targets.',
   'cpu', 'sequences', 'targets', 'per_input', 1, 'aligned pair', null, null, 600, 5 * 1048576, 500, true),
  ('molecule-properties', 'Molecule properties', 'Cheminformatics',
   'Canonical SMILES, formula, masses, cLogP, TPSA, H-bond counts, Lipinski/Veber rules, InChIKey and 2D depictions (RDKit).',
   'cpu', 'molecules', 'molecules', 'per_input', 1, 'molecule', null, null, 300, 10 * 1048576, 5000, true),
  ('structure-analysis', 'Structure analysis', 'Structure analysis',
   'Chains, sequences, missing residues, ligands, radius of gyration, B-factors, phi/psi and DSSP secondary structure of PDB/mmCIF files.',
   'cpu', 'structures', 'structures', 'per_structure', 2, null, null, null, 600, 50 * 1048576, 20, false),
  ('docking', 'Molecular docking', 'Docking',
   'Dock ligands into a receptor with AutoDock Vina after Open Babel preparation; top poses with affinities.',
   'cpu', 'molecules', 'ligands', 'calculator', null, null, 'price_docking',
   '2 credits per ligand for each 8 units of exhaustiveness', 3600, 20 * 1048576, 50, false),
  ('structure-prediction', 'Structure prediction (ESMFold)', 'Structure prediction',
   'Predict protein structures with an ESMFold-compatible model server on a GPU worker; per-residue pLDDT.',
   'gpu', 'sequences', 'sequences', 'calculator', null, null, 'price_structure_prediction',
   '1 credit per started 100 residues, at least 5 per sequence', 1800, 1 * 1048576, 50, false);

alter table public.tools enable row level security;

create policy "Anyone can view the tool catalog" on public.tools
  for select to anon, authenticated using (true);

revoke all on public.tools from anon, authenticated;
grant select on public.tools to anon, authenticated;
grant all on public.tools to service_role;
