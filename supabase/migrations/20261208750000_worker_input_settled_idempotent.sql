-- Recording that a claimed upload moved into its job's folder is idempotent.
-- Two workers settle the same upload when the fleet's janitor and the run of
-- the job itself get there at once: the second's move finds the object
-- already at its destination, and its record found the row already pointing
-- there and raised, which failed the run's input read (about 1 run in 4 of
-- tests/worker/job-files-storage.test.ts under load). A row already at
-- to_path is now a move done: 0 rows changed.
-- Protects: the worker fleet's settle step under concurrency (nothing else
-- changes; the destination rule is the one of 20261208400700).
create or replace function public.worker_input_settled(from_path text, to_path text) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  changed integer;
begin
  if not exists (select from public.job_files f join public.jobs j on j.id = f.job_id
                 where f.storage_path = from_path
                   and to_path = j.team_id::text || '/' || j.id::text || '/input/' || private.storage_key_name(f.name)) then
    -- Someone else recorded this very move: done.
    if exists (select from public.job_files f where f.storage_path = to_path and f.kind = 'input') then
      return 0;
    end if;
    raise exception 'no input file at % belongs at %', from_path, to_path using errcode = '22023';
  end if;
  update public.job_files f set storage_path = to_path where f.storage_path = from_path;
  get diagnostics changed = row_count;
  return changed;
end;
$$;
