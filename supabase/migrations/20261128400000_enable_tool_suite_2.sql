-- Tool suite 2 is implemented (src/lib/tools/structure-analysis, docking,
-- structure-prediction) and registered with the workers: open it to users.
-- Jobs of a tool that no live worker can run (no vina/obabel, no ESMFold
-- server) wait pending with the reason (see 20261128100500_worker_tools.sql).
-- Protects: the catalog and the tools table stay in step (tests/db/tools.test.ts).
update public.tools set enabled = true where id in ('structure-analysis', 'docking', 'structure-prediction');

-- Docking's settings allow exhaustiveness 1 to 32 (src/lib/tools/docking/schema.ts);
-- the price must refuse what the tool would refuse, before anything is charged.
create or replace function public.price_docking(input jsonb, settings jsonb) returns integer
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
  if units <> trunc(units) or units < 1 or units > 32 then
    raise exception 'settings.exhaustiveness must be a whole number from 1 to 32, not %', units using errcode = '22023';
  end if;
  return ligands * 2 * ceil(units / 8)::integer;
end;
$$;
