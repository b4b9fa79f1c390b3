-- Which tools each worker can run. A worker checks its tools at start and
-- registers those it runs (`tools`) and, with the reason, those it cannot
-- (`unavailable_tools`: e.g. "AutoDock Vina (vina) is not installed on this
-- worker"). Dispatch counts for a job only the slots of live workers that
-- run its tool, a worker claims only jobs of tools it registered, and the
-- queue insight and the fleet status say which tools no worker online can
-- run, and why.
-- Protects: a machine without a tool's program never fails (nor charges
-- twice) that tool's jobs; they wait `pending` for a worker that can run them.

-- null: the row did not say (put there by hand, or by a worker from before
-- this migration); it counts as running every tool of its class.
alter table public.workers
  add column tools text[],
  add column unavailable_tools jsonb not null default '{}'
    constraint workers_unavailable_tools_is_object check (jsonb_typeof(unavailable_tools) = 'object');

-- Dispatch picks, and counts, live jobs per tool.
create index jobs_live_status_tool_idx on public.jobs (status, tool_id, created_at, id)
  where status in ('pending', 'queued', 'processing', 'retry');

-- Per tool, the live workers of its class that run it (and their slots), the
-- live workers that do not, and the reasons these gave ('; '-separated, null
-- when none gave one).
create function private.tool_capability()
returns table (tool_id text, compute_class public.compute_class, tool_name text, enabled boolean,
  workers_able integer, slots_able integer, workers_unable integer, reasons text)
language sql stable security definer set search_path = ''
as $$
  select t.id, t.compute_class, t.name, t.enabled,
    (count(w.id) filter (where w.tools is null or t.id = any (w.tools)))::integer,
    (coalesce(sum(w.concurrency) filter (where w.tools is null or t.id = any (w.tools)), 0))::integer,
    (count(w.id) filter (where w.tools is not null and t.id <> all (w.tools)))::integer,
    string_agg(distinct w.unavailable_tools ->> t.id, '; ' order by w.unavailable_tools ->> t.id)
      filter (where w.tools is not null and t.id <> all (w.tools))
  from public.tools t
  left join private.live_workers() w on w.compute_class = t.compute_class
  group by t.id
$$;

-- Registration -----------------------------------------------------------------
-- The earlier signature cannot say which tools the worker runs: replaced.
drop function public.worker_register(uuid, public.compute_class, text, integer, integer, text);

-- Registers (or re-registers, after the row was lost) a worker with the tool
-- ids it runs and, for each tool it cannot run, why; returns the fleet policy
-- it must follow.
create function public.worker_register(worker_id uuid, compute_class public.compute_class, host text,
  concurrency integer, gpus integer, version text, tools text[], unavailable_tools jsonb)
returns table (stale_after_seconds integer, max_attempts integer)
language plpgsql security definer set search_path = ''
as $$
declare
  reasons jsonb;
begin
  if worker_register.tools is null or array_position(worker_register.tools, null) is not null then
    raise exception 'a worker registers the ids of the tools it runs (an array without nulls)' using errcode = '22023';
  end if;
  if jsonb_typeof(coalesce(worker_register.unavailable_tools, '{}')) <> 'object' then
    raise exception 'unavailable_tools must be an object of tool id to reason' using errcode = '22023';
  end if;
  select coalesce(jsonb_object_agg(left(r.key, 100), left(r.value, 500)), '{}') into reasons
  from jsonb_each_text(coalesce(worker_register.unavailable_tools, '{}')) r;
  insert into public.workers as w (id, compute_class, host, concurrency, gpus, version, tools, unavailable_tools)
  values (worker_register.worker_id, worker_register.compute_class, left(worker_register.host, 255),
    worker_register.concurrency, worker_register.gpus, left(coalesce(worker_register.version, ''), 100),
    worker_register.tools, reasons)
  on conflict (id) do update
    set last_seen_at = now(), stopped_at = null, concurrency = excluded.concurrency, gpus = excluded.gpus,
        tools = excluded.tools, unavailable_tools = excluded.unavailable_tools;
  return query select p.stale_after_seconds, p.max_attempts from private.fleet_policy p;
end;
$$;

-- Dispatch -------------------------------------------------------------------------
-- As before (20261128100100_worker_job_rpcs.sql), and per tool: a pending job
-- is queued only while its tool has a free slot on the live workers that run
-- it (their slots, less the jobs running on them and the tool's jobs already
-- in the queue). That count is exact for a fleet whose workers all run the
-- same tools and an estimate otherwise (a job queued for one tool may be
-- taken by a worker that also runs another), but a tool that no live worker
-- runs gets no slot: its jobs stay `pending` and say why.
create or replace function public.worker_dispatch(max_jobs integer default 1000)
returns table (job_id uuid, compute_class public.compute_class, time_limit_seconds integer)
language plpgsql security definer set search_path = ''
as $$
declare
  cls public.compute_class;
  capacity integer;
  in_flight integer;
  free integer;
  waiting_message text;
  unrunnable record;
begin
  perform pg_advisory_xact_lock(hashtext('foldwork.worker_dispatch'));
  for cls in select unnest(enum_range(null::public.compute_class)) loop
    select coalesce(sum(w.concurrency), 0) into capacity from private.live_workers() w where w.compute_class = cls;
    if capacity = 0 then
      waiting_message := case cls when 'gpu' then 'Waiting for GPU resources' else 'Waiting for a CPU worker' end;
      update public.jobs j set progress_message = waiting_message
      from public.tools t
      where t.id = j.tool_id and t.compute_class = cls and j.status = 'pending'
        and j.progress_message is distinct from waiting_message;
      continue;
    end if;
    for unrunnable in
      select c.tool_id, c.tool_name from private.tool_capability() c where c.compute_class = cls and c.workers_able = 0
    loop
      waiting_message := left(format('Waiting for a worker that can run %s', unrunnable.tool_name), 500);
      update public.jobs j set progress_message = waiting_message
      where j.status = 'pending' and j.tool_id = unrunnable.tool_id and j.progress_message is distinct from waiting_message;
    end loop;
    select count(*) into in_flight
    from public.jobs j join public.tools t on t.id = j.tool_id
    where j.status in ('queued', 'processing', 'retry') and t.compute_class = cls;
    free := least(capacity - in_flight, max_jobs);
    continue when free <= 0;
    perform set_config('foldwork.status_message', format('Queued for a %s worker', cls), true);
    return query
      with live as (
        select w.id, w.concurrency, w.tools from private.live_workers() w where w.compute_class = cls
      ), running as (
        select j.worker_id, count(*)::integer as n
        from public.jobs j where j.status = 'processing' and j.worker_id in (select l.id from live l)
        group by j.worker_id
      ), waiting as (
        select j.tool_id, count(*)::integer as n
        from public.jobs j where j.status in ('queued', 'retry')
        group by j.tool_id
      ), tool_slots as (
        select t.id as tool_id,
          sum(l.concurrency - coalesce(r.n, 0))::integer - coalesce(max(q.n), 0) as slots
        from public.tools t
        join live l on l.tools is null or t.id = any (l.tools)
        left join running r on r.worker_id = l.id
        left join waiting q on q.tool_id = t.id
        where t.compute_class = cls
        group by t.id
      ), picked as (
        select p.id from tool_slots s
        cross join lateral (
          select x.id, x.created_at from public.jobs x
          where x.status = 'pending' and x.tool_id = s.tool_id
          order by x.created_at, x.id
          limit greatest(s.slots, 0)
          for update skip locked
        ) p
        where s.slots > 0
        order by p.created_at, p.id
        limit free
      )
      update public.jobs j set status = 'queued', progress_message = null
      from picked, public.tools t
      where j.id = picked.id and t.id = j.tool_id
      returning j.id, t.compute_class, t.time_limit_seconds;
    perform set_config('foldwork.status_message', '', true);
  end loop;
end;
$$;

-- Claim ------------------------------------------------------------------------------
-- As before, and a queued or retrying job whose tool this worker did not
-- register is `skip`: left as it is (no attempt spent), for the caller to put
-- back in the queue where only workers that run the tool fetch it.
create or replace function public.worker_claim_jobs(worker_id uuid, job_ids uuid[])
returns table (job_id uuid, outcome text, tool_id text, input jsonb, settings jsonb, attempt integer,
  time_limit_seconds integer)
language plpgsql security definer set search_path = ''
as $$
declare
  worker_host text;
  worker_tools text[];
begin
  select w.host, w.tools into worker_host, worker_tools from public.workers w where w.id = worker_claim_jobs.worker_id;
  if not found then
    raise exception 'worker % is not registered', worker_claim_jobs.worker_id using errcode = '42704';
  end if;
  perform set_config('foldwork.status_message', format('Started on %s', worker_host), true);
  return query
    with skipped as (
      select x.id, x.tool_id from public.jobs x
      where x.id = any (worker_claim_jobs.job_ids) and x.status in ('queued', 'retry')
        and worker_tools is not null and x.tool_id <> all (worker_tools)
    ), claimed as (
      update public.jobs j
      set status = 'processing', worker_id = worker_claim_jobs.worker_id, heartbeat_at = now(),
          progress = 0, progress_message = null, result = null, error_message = null, error_code = null
      from (select x.id from public.jobs x where x.id = any (worker_claim_jobs.job_ids)
            and x.status in ('queued', 'retry') and (worker_tools is null or x.tool_id = any (worker_tools))
            order by x.id for update) c
      where j.id = c.id
      returning j.id, j.tool_id, j.input, j.settings, j.attempt
    )
    select c.id, 'run'::text, c.tool_id, c.input, c.settings, c.attempt, t.time_limit_seconds
    from claimed c join public.tools t on t.id = c.tool_id
    union all
    select s.id, 'skip'::text, s.tool_id, null, null, null, t.time_limit_seconds
    from skipped s join public.tools t on t.id = s.tool_id
    union all
    select x, 'drop'::text, null, null, null, null, null
    from unnest(worker_claim_jobs.job_ids) x
    where x not in (select c.id from claimed c) and x not in (select s.id from skipped s);
  perform set_config('foldwork.status_message', '', true);
end;
$$;

-- Fleet status and queue insight --------------------------------------------------------
-- fleet_status gains, per class, the enabled tools that some live worker of
-- the class cannot run: [{ tool_id, name, reason, workers_able, workers_unable }].
drop function public.fleet_status();
create function public.fleet_status()
returns table (compute_class public.compute_class, workers_online integer, slots_total integer, slots_busy integer,
  slots_free integer, queue_depth integer, median_wait_seconds double precision, unavailable_tools jsonb)
language sql stable security definer set search_path = ''
as $$
  select f.compute_class, f.workers_online, f.slots_total, f.slots_busy,
    greatest(f.slots_total - f.slots_busy, 0), f.queued + f.pending,
    (select percentile_cont(0.5) within group (order by extract(epoch from j.started_at - j.created_at))
     from public.jobs j join public.tools t on t.id = j.tool_id
     where t.compute_class = f.compute_class and j.started_at > now() - interval '1 hour'),
    coalesce((select jsonb_agg(jsonb_build_object('tool_id', c.tool_id, 'name', c.tool_name,
                'reason', coalesce(c.reasons, 'not installed on the worker'),
                'workers_able', c.workers_able, 'workers_unable', c.workers_unable) order by c.tool_id)
              from private.tool_capability() c
              where c.compute_class = f.compute_class and c.enabled and c.workers_unable > 0), '[]')
  from private.fleet_load() f
  order by f.compute_class
$$;

-- job_queue_insight gains a reason (the others as in 20261128100200_queue_insight.sql):
--   tool_unavailable      workers of its class are online, but none runs its tool
create or replace function public.job_queue_insight(job_ids uuid[] default null)
returns table (job_id uuid, status public.job_status, compute_class public.compute_class, queue_position integer,
  jobs_ahead integer, reason text, message text)
language sql stable security definer set search_path = ''
as $$
  with waiting as (
    select j.id, j.team_id, j.status, j.tool_id, t.compute_class,
      row_number() over (partition by t.compute_class
        order by (j.status = 'pending'), coalesce(j.queued_at, j.created_at), j.created_at, j.id)::integer as place
    from public.jobs j join public.tools t on t.id = j.tool_id
    where j.status in ('pending', 'queued', 'retry')
  )
  select w.id, w.status, w.compute_class, w.place, w.place - 1,
    case
      when f.workers_online = 0 then 'no_worker'
      when c.workers_able = 0 then 'tool_unavailable'
      when f.slots_busy >= f.slots_total then 'all_slots_busy'
      else 'waiting_for_dispatch'
    end,
    case
      when f.workers_online = 0 and w.compute_class = 'gpu' then 'Waiting for GPU resources: no GPU worker is online'
      when f.workers_online = 0 then 'Waiting for a CPU worker: none is online'
      when c.workers_able = 0 then left(format('No worker online can run %s: %s', c.tool_name,
        coalesce(c.reasons, 'it is not installed on the workers online')), 1000)
      when f.slots_busy >= f.slots_total then format('All %s %s slots are busy; %s job(s) ahead in the queue',
        f.slots_total, w.compute_class, w.place - 1)
      else 'Waiting for a worker to pick it up'
    end
  from waiting w
  join private.fleet_load() f on f.compute_class = w.compute_class
  join private.tool_capability() c on c.tool_id = w.tool_id
  where (job_queue_insight.job_ids is null or w.id = any (job_queue_insight.job_ids))
    and ((select auth.role()) = 'service_role' or w.team_id in (select private.user_team_ids()))
  order by w.compute_class, w.place
$$;

revoke all on function public.worker_register(uuid, public.compute_class, text, integer, integer, text, text[], jsonb)
  from public, anon, authenticated;
grant execute on function public.worker_register(uuid, public.compute_class, text, integer, integer, text, text[], jsonb)
  to service_role;
revoke all on function public.fleet_status() from public, anon;
grant execute on function public.fleet_status() to authenticated, service_role;
revoke all on function private.tool_capability() from public, anon, authenticated;
grant execute on function private.tool_capability() to service_role;
