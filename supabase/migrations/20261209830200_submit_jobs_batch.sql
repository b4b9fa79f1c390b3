-- Many jobs in one call, all or none: public.submit_jobs runs submit_job for
-- each entry of a JSON array in order, in the caller's one transaction, so
-- every check, price, quota and charge is submit_job's own. The first
-- refusal ends the call and undoes every job before it (nothing is
-- charged), and its message starts with the entry it was about
-- ("jobs[41]: not enough credits: ..."), keeping submit_job's SQLSTATE and
-- hint so callers answer it as they answer a single refusal. At most 1,000
-- entries. The API's batch submit (POST /v1/jobs {jobs: [...]}) is one call
-- of this, one request for a thousand records.
-- Protects: a batch the balance or a limit cannot cover is refused whole.

create function public.submit_jobs(jobs jsonb, team_id uuid default null) returns setof public.jobs
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  entry jsonb;
  position integer := 0;
  job public.jobs;
  state text;
  message text;
  detail text;
  hint text;
begin
  if jsonb_typeof(submit_jobs.jobs) is distinct from 'array' then
    raise exception 'jobs must be a JSON array of jobs ({tool_id, name, input, settings, files})' using errcode = '22023';
  end if;
  if jsonb_array_length(submit_jobs.jobs) = 0 then
    raise exception 'jobs is empty: give at least one job' using errcode = '22023';
  end if;
  if jsonb_array_length(submit_jobs.jobs) > 1000 then
    raise exception 'jobs has % entries, and at most 1000 are accepted in one call: split the batch', jsonb_array_length(submit_jobs.jobs)
      using errcode = '22023';
  end if;
  -- One block around the loop (one savepoint, not one per job): the handler
  -- knows which entry failed from `position`.
  begin
    for entry in select e from jsonb_array_elements(submit_jobs.jobs) as e loop
      job := public.submit_job(entry ->> 'tool_id', entry ->> 'name', entry -> 'input', coalesce(entry -> 'settings', '{}'),
        submit_jobs.team_id, coalesce(entry -> 'files', '[]'));
      position := position + 1;
      return next job;
    end loop;
  exception when others then
    get stacked diagnostics state = returned_sqlstate, message = message_text, detail = pg_exception_detail, hint = pg_exception_hint;
    raise exception using errcode = state, message = format('jobs[%s]: %s', position, message),
      detail = coalesce(detail, ''), hint = coalesce(hint, '');
  end;
end;
$$;

revoke all on function public.submit_jobs(jsonb, uuid) from public, anon;
grant execute on function public.submit_jobs(jsonb, uuid) to authenticated, service_role;
