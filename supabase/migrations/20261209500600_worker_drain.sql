-- Draining: an operator asks workers (`npm run worker -- --drain`) to finish
-- the jobs they run and take no new ones, then sign off; each learns it from
-- its next heartbeat. worker_heartbeat (20261128100000_worker_registry.sql)
-- gains `drain`; worker_request_drain marks the live workers asked for.
-- Protects: a machine can be taken out of the fleet without cancelling,
-- handing back or re-running anyone's job; only the service role asks.
alter table public.workers add column drain_requested_at timestamptz;

drop function worker.worker_heartbeat(uuid, uuid[]);
create function worker.worker_heartbeat(worker_id uuid, job_ids uuid[])
returns table (registered boolean, lost uuid[], drain boolean)
language plpgsql security definer set search_path = ''
as $$
declare
  kept uuid[];
begin
  update public.workers w set last_seen_at = now() where w.id = worker_heartbeat.worker_id
  returning w.drain_requested_at is not null into drain;
  registered := found;
  drain := coalesce(drain, false);
  with beat as (
    update public.jobs j set heartbeat_at = now()
    where j.id = any (worker_heartbeat.job_ids) and j.status = 'processing' and j.worker_id = worker_heartbeat.worker_id
    returning j.id
  )
  select coalesce(array_agg(b.id), '{}') into kept from beat b;
  select coalesce(array_agg(x), '{}') into lost from unnest(worker_heartbeat.job_ids) x where x <> all (kept);
  return next;
end;
$$;

-- Marks for draining the live workers of one id, or whose host starts with
-- host_prefix (`<hostname>:` is every worker process of a machine), or all
-- when both are null; returns them with the jobs each runs now.
create function worker.worker_request_drain(only_worker uuid default null, host_prefix text default null)
returns table (worker_id uuid, host text, compute_class public.compute_class, running integer)
language sql security definer set search_path = ''
as $$
  update public.workers w set drain_requested_at = coalesce(w.drain_requested_at, now())
  where w.id in (select l.id from private.live_workers() l)
    and (worker_request_drain.only_worker is null or w.id = worker_request_drain.only_worker)
    and (worker_request_drain.host_prefix is null or starts_with(w.host, worker_request_drain.host_prefix))
  returning w.id, w.host, w.compute_class,
    (select count(*)::integer from public.jobs j where j.worker_id = w.id and j.status = 'processing')
$$;

revoke all on function worker.worker_heartbeat(uuid, uuid[]), worker.worker_request_drain(uuid, text) from public, anon, authenticated;
grant execute on function worker.worker_heartbeat(uuid, uuid[]), worker.worker_request_drain(uuid, text) to service_role;
