-- The file references of an input ({"$file": name} objects, anywhere in it),
-- as in 20261208400500_submit_job_input_files.sql, now in PL/pgSQL with a
-- fast path. Every submission asks twice (the check of each reference, then
-- their names), and as a SQL function the walk was planned afresh on every
-- call (PostgreSQL 17 keeps no plan of a SQL function between calls): 0.47 ms
-- of the 1.5 ms a submission took in the database, where almost no input
-- refers to a file. PL/pgSQL keeps the walk's plan for the session, and an
-- input whose text has no "$file" is not walked at all: a key "$file"
-- always shows as "$file" in the text (nothing in it is escaped), so the
-- fast path never misses one (tests/db/input-file-refs.test.ts). In
-- bench:worker's throughput part, PostgreSQL's CPU per job fell from 5.1-5.2
-- to 4.4 ms and the jobs/s rose from ~310 to ~365 (2 runs each, this machine).
-- Protects: nothing new; what a reference may be and which files a
-- submission may claim are unchanged (claim_input_uploads).
create or replace function private.input_file_refs(input jsonb) returns setof jsonb
language plpgsql immutable set search_path = ''
as $$
begin
  if pg_catalog.strpos(input::text, '"$file"') = 0 then
    return;
  end if;
  return query
    with recursive walk(v) as (
      select input
      union all
      select e.value
      from walk w
      cross join lateral (
        select o.value from pg_catalog.jsonb_each(case when pg_catalog.jsonb_typeof(w.v) = 'object' then w.v else '{}'::jsonb end) o
        union all
        select a.value from pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(w.v) = 'array' then w.v else '[]'::jsonb end) a
      ) e
    )
    select walk.v from walk where pg_catalog.jsonb_typeof(walk.v) = 'object' and walk.v ? '$file';
end;
$$;
