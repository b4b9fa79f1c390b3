-- The job page says why a GPU job waits for memory: job_queue_insight
-- (20261209500200_queue_insight_fair_order.sql, moved unchanged to
-- private.job_queue_insight: its body names its argument by the function's
-- name) gains two reasons for a pending job whose
-- GPU memory need (public.jobs.gpu_memory_mib) no free GPU meets
-- (the dispatcher's rule, 20261209600100):
--   gpu_memory_none   no live GPU worker has that much memory
--                     ("Needs about 18 GB of GPU memory; no GPU worker has that much memory")
--   gpu_memory_busy   one has, but not with a free slot
--                     ("Needs about 18 GB of GPU memory; the largest free GPU has 8 GB")
-- (GB here are GiB: the need rounded up, the GPU's memory rounded down.)
-- Protects: as before, a user learns about their own teams' jobs only; the
-- message names memory sizes, never a worker or another team's job.
alter function public.job_queue_insight(uuid[]) set schema private;
revoke all on function private.job_queue_insight(uuid[]) from public, anon, authenticated;

create function public.job_queue_insight(job_ids uuid[] default null)
returns table (job_id uuid, status public.job_status, compute_class public.compute_class, queue_position integer,
  jobs_ahead integer, reason text, message text, eta_seconds integer)
language sql stable security definer set search_path = ''
as $$
  with gpu as (
    select coalesce(private.worker_gpu_memory_mib(w.gpu_devices), 2147483647) as memory_mib,
      w.concurrency > (select count(*) from public.jobs j where j.worker_id = w.id and j.status = 'processing') as has_free_slot
    from private.live_workers() w
    where w.compute_class = 'gpu' and w.drain_requested_at is null
  ), fit as (
    select i.*, j.gpu_memory_mib as need,
      (select max(g.memory_mib) from gpu g) as largest,
      (select max(g.memory_mib) from gpu g where g.has_free_slot) as largest_free
    from private.job_queue_insight(job_queue_insight.job_ids) i
    join public.jobs j on j.id = i.job_id
  )
  select f.job_id, f.status, f.compute_class, f.queue_position, f.jobs_ahead,
    case
      when f.status <> 'pending' or f.need is null or f.largest is null or f.reason in ('no_worker', 'tool_unavailable') then f.reason
      when f.largest < f.need then 'gpu_memory_none'
      when f.largest_free < f.need then 'gpu_memory_busy'
      else f.reason
    end,
    case
      when f.status <> 'pending' or f.need is null or f.largest is null or f.reason in ('no_worker', 'tool_unavailable') then f.message
      when f.largest < f.need then format('Needs about %s GB of GPU memory; no GPU worker has that much memory', ceil(f.need / 1024.0))
      when f.largest_free < f.need then format('Needs about %s GB of GPU memory; the largest free GPU has %s GB',
        ceil(f.need / 1024.0), floor(f.largest_free / 1024.0))
      else f.message
    end,
    case when f.status = 'pending' and f.need > f.largest then null else f.eta_seconds end
  from fit f
  order by f.compute_class, f.queue_position
$$;

revoke all on function public.job_queue_insight(uuid[]) from public, anon;
grant execute on function public.job_queue_insight(uuid[]) to authenticated, service_role;
