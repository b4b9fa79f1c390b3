-- Retrying a job: the new job is named after its run ("Kinase panel (retry 2)",
-- then 3, ...), and retry_job_preview tells the person, before they confirm,
-- what the retry will be called and what it will charge (the same pricing
-- submit_job uses) against the team's balance.
-- Protects: nothing new. retry_job_preview checks its caller exactly as
-- retry_job does (members of the job's team who are not viewers; a job they
-- cannot see is "not found"; only failed, timed-out or cancelled jobs), and
-- says nothing about a job to anyone else.

-- The next run's name: the name without a " (retry k)" suffix, then
-- " (retry N)", N being one more than the runs of its retry family so far
-- (the first run, its retries and theirs) and more than k, so retrying the
-- first run twice gives "(retry 2)" and "(retry 3)", not the same name twice.
create function private.retry_job_name(p_job public.jobs) returns text
language plpgsql stable security definer set search_path = ''
as $$
declare
  suffix text[] := regexp_match(p_job.name, '^(.+) \(retry ([0-9]{1,6})\)$');
  base text := coalesce(suffix[1], p_job.name);
  first_run uuid;
  runs integer;
  label text;
begin
  -- Up the retry_of links to the first run (or the oldest one still there).
  with recursive up as (
    select j.id, j.retry_of, 0 as depth from public.jobs j where j.id = p_job.id
    union all
    select j.id, j.retry_of, up.depth + 1 from public.jobs j join up on j.id = up.retry_of where up.depth < 10000
  )
  select u.id into first_run from up u order by u.depth desc limit 1;
  with recursive family as (
    select j.id from public.jobs j where j.id = first_run
    union all
    select j.id from public.jobs j join family f on j.retry_of = f.id
  )
  select count(*) into runs from family;
  label := format(' (retry %s)', greatest(runs + 1, coalesce(suffix[2]::integer, 1) + 1));
  return left(base, 200 - char_length(label)) || label;
end;
$$;

create or replace function public.retry_job(job_id uuid) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('retry');
  job public.jobs := private.require_job(retry_job.job_id, uid, 'retry', false);
begin
  if job.status not in ('failed', 'timeout', 'cancelled') then
    raise exception 'only failed, timed-out or cancelled jobs can be retried; this one is %', job.status using errcode = 'P0001';
  end if;
  return private.create_job(job.team_id, uid, private.require_tool(job.tool_id), private.retry_job_name(job), job.input,
    job.settings, job.id, null, 'Retry of job ' || job.id);
end;
$$;

-- What retrying would do, for the confirmation: {job_id, name, credits, balance, sufficient}.
create function public.retry_job_preview(job_id uuid) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('retry');
  job public.jobs := private.require_job(retry_job_preview.job_id, uid, 'retry', false);
  tool public.tools;
  credits integer;
  available integer;
begin
  if job.status not in ('failed', 'timeout', 'cancelled') then
    raise exception 'only failed, timed-out or cancelled jobs can be retried; this one is %', job.status using errcode = 'P0001';
  end if;
  tool := private.require_tool(job.tool_id);
  credits := (private.price_job(tool, job.input, job.settings, private.check_job_input(tool, job.input, job.settings)) ->> 'credits')::integer;
  select a.balance into available from public.credit_accounts a where a.team_id = job.team_id;
  return jsonb_build_object('job_id', job.id, 'name', private.retry_job_name(job), 'credits', credits,
    'balance', available, 'sufficient', available >= credits);
end;
$$;

revoke all on function private.retry_job_name(public.jobs) from public, anon, authenticated;
revoke all on function public.retry_job_preview(uuid) from public, anon;
grant execute on function public.retry_job_preview(uuid) to authenticated, service_role;
