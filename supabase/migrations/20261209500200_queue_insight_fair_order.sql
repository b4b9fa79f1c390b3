-- The job page's queue place follows the dispatcher's fair order
-- (20261209500100_fair_dispatch.sql): jobs already in the queue first (by
-- the time they were queued), then pending jobs by their team's fair key
-- ((the team's jobs of the class in flight + the job's place among the
-- team's pending jobs of the class) / the team's weight), then the team
-- served longest ago (private.team_turns), then by age. And
-- an estimate of when it starts: eta_seconds, from its place, the class's
-- slots and the median run time of the class's jobs that finished in the
-- last hour (null while there is no such job or no slot).
-- Protects: as before, a user learns about their own teams' jobs only; the
-- place and the estimate are counts, and name no other team.
drop function public.job_queue_insight(uuid[]);

create function public.job_queue_insight(job_ids uuid[] default null)
returns table (job_id uuid, status public.job_status, compute_class public.compute_class, queue_position integer,
  jobs_ahead integer, reason text, message text, eta_seconds integer)
language sql stable security definer set search_path = ''
as $$
  with live as (
    select j.id, j.team_id, j.status, j.tool_id, j.created_at, j.queued_at, t.compute_class
    from public.jobs j join public.tools t on t.id = j.tool_id
    where j.status in ('pending', 'queued', 'processing', 'retry')
  ), team_load as (
    select l.team_id, l.compute_class, count(*)::integer as n
    from live l where l.status <> 'pending' group by l.team_id, l.compute_class
  ), keyed as (
    select l.*,
      case when l.status = 'pending' then
        (coalesce(tl.n, 0) + row_number() over (partition by l.team_id, l.compute_class, (l.status = 'pending')
                                                 order by l.created_at, l.id))::numeric
          / coalesce(q.weight, d.weight)
      end as fair_key,
      case when l.status = 'pending' then coalesce(tt.last_turn, 0) end as last_turn
    from live l
    cross join private.quota_defaults d
    left join private.team_quotas q on q.team_id = l.team_id
    left join team_load tl on tl.team_id = l.team_id and tl.compute_class = l.compute_class
    left join private.team_turns tt on tt.team_id = l.team_id and tt.compute_class = l.compute_class
    where l.status <> 'processing'
  ), waiting as (
    select k.id, k.team_id, k.status, k.tool_id, k.compute_class,
      row_number() over (partition by k.compute_class
        order by (k.status = 'pending'), k.fair_key, k.last_turn, coalesce(k.queued_at, k.created_at), k.created_at, k.id)::integer as place
    from keyed k
  ), run_time as (
    select t.compute_class, percentile_cont(0.5) within group (order by extract(epoch from j.finished_at - j.started_at)) as median
    from public.jobs j join public.tools t on t.id = j.tool_id
    where j.finished_at > now() - interval '1 hour' and j.started_at is not null and j.status = 'completed'
    group by t.compute_class
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
    end,
    case when f.workers_online > 0 and c.workers_able > 0 and f.slots_total > 0 and r.median is not null then
      (ceil(w.place::numeric / f.slots_total) * r.median)::integer
    end
  from waiting w
  join private.fleet_load() f on f.compute_class = w.compute_class
  join private.tool_capability() c on c.tool_id = w.tool_id
  left join run_time r on r.compute_class = w.compute_class
  where (job_queue_insight.job_ids is null or w.id = any (job_queue_insight.job_ids))
    and ((select auth.role()) = 'service_role' or w.team_id in (select private.user_team_ids()))
  order by w.compute_class, w.place
$$;

revoke all on function public.job_queue_insight(uuid[]) from public, anon;
grant execute on function public.job_queue_insight(uuid[]) to authenticated, service_role;
