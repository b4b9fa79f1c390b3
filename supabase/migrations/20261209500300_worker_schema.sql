-- The worker fleet's RPCs leave the `public` schema, which the REST API
-- exposes, for a `worker` schema it does not (supabase/config.toml
-- [api] schemas): the fleet calls them over its direct database connection.
-- Names and signatures stay as they were.
-- Protects: these 18 service-only functions were revoked from anon and
-- authenticated already; now they are not even in the API's schema cache, so
-- no role reaches them through REST (PostgREST answers PGRST202), and a
-- grant added by mistake later would still not expose them. Only the
-- service role may use the schema.
create schema worker;
revoke all on schema worker from public, anon, authenticated;
grant usage on schema worker to service_role;

do $$
declare
  names text[] := array['worker_claim_jobs', 'worker_dispatch', 'worker_finish_jobs', 'worker_hand_back', 'worker_heartbeat',
    'worker_input_settled', 'worker_inputs_to_settle', 'worker_job_input_files', 'worker_legacy_job_file_moved',
    'worker_legacy_job_files', 'worker_output_path', 'worker_reap', 'worker_register', 'worker_report_progress',
    'worker_retry_later', 'worker_sign_off', 'worker_storage_garbage', 'worker_write_job_file'];
  fn regprocedure;
  moved integer := 0;
begin
  for fn in
    select p.oid::regprocedure from pg_catalog.pg_proc p
    where p.pronamespace = 'public'::regnamespace and p.proname = any (names)
  loop
    execute pg_catalog.format('alter function %s set schema worker', fn);
    moved := moved + 1;
  end loop;
  if moved <> pg_catalog.cardinality(names) then
    raise exception 'expected to move % worker functions, found %', pg_catalog.cardinality(names), moved;
  end if;
end;
$$;
