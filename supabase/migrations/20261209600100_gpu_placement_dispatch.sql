-- GPU placement: worker.worker_dispatch (20261209500100_fair_dispatch.sql,
-- otherwise unchanged) sends a GPU job to the queue only while a live GPU
-- worker that is not draining has a free slot and a GPU with at least the
-- memory the job needs (public.jobs.gpu_memory_mib, 20261209600000). A job
-- that fits no such GPU stays pending and the team's later jobs that fit go
-- ahead of it (a tool is never held up for ever by one large job); the job
-- page says why it waits (job_queue_insight, 20261209600300).
-- In the queue, a GPU job's pg-boss priority is its need in MiB and a GPU
-- worker fetches only jobs whose priority is at most its largest GPU's
-- memory (worker/job-queue.ts), so a job is fetched only by a worker it
-- fits; worker_claim_jobs checks it again (20261209600200).
-- Protects: a job never starts on a GPU too small for it (where it would
-- fail after its wait, or evict another job's memory).

-- The largest GPU a worker registered (MiB), null when it registered none.
create function private.worker_gpu_memory_mib(devices jsonb) returns integer
language sql immutable set search_path = ''
as $$
  select max((d ->> 'memory_mib')::bigint)::integer from jsonb_array_elements(worker_gpu_memory_mib.devices) d
$$;
revoke all on function private.worker_gpu_memory_mib(jsonb) from public, anon, authenticated;
grant execute on function private.worker_gpu_memory_mib(jsonb) to service_role;

create or replace function worker.worker_dispatch(max_jobs integer default 1000)
returns table (job_id uuid, compute_class public.compute_class, tool_id text, time_limit_seconds integer)
language plpgsql security definer set search_path = ''
as $$
declare
  cls public.compute_class;
  capacity integer;
  in_flight integer;
  free integer;
  waiting_message text;
  unrunnable record;
  turn bigint;
  largest_free_gpu integer;
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
    -- The most GPU memory a worker with a free slot offers (a worker that
    -- found no GPU to register offers any amount: it cannot say).
    largest_free_gpu := null;
    if cls = 'gpu' then
      select max(coalesce(private.worker_gpu_memory_mib(w.gpu_devices), 2147483647)) into largest_free_gpu
      from private.live_workers() w
      where w.compute_class = cls and w.drain_requested_at is null
        and w.concurrency > (select count(*) from public.jobs j where j.worker_id = w.id and j.status = 'processing');
    end if;
    perform set_config('foldwork.status_message', format('Queued for a %s worker', cls), true);
    -- Turns base+1 .. base+free are this dispatch's.
    turn := nextval('private.dispatch_turn');
    perform setval('private.dispatch_turn', turn + free);
    return query
      with recursive live as (
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
      ), pending_teams(team_id) as (
        -- The teams with pending jobs, one index probe each.
        (select j.team_id from public.jobs j where j.status = 'pending' order by j.team_id limit 1)
        union all
        select (select j.team_id from public.jobs j where j.status = 'pending' and j.team_id > p.team_id
                order by j.team_id limit 1)
        from pending_teams p where p.team_id is not null
      ), team_load as (
        -- Each team's jobs of the class in flight (a short list: at most the class's slots plus its queue).
        select j.team_id, count(*)::integer as n
        from public.jobs j join public.tools t on t.id = j.tool_id
        where j.status in ('queued', 'processing', 'retry') and t.compute_class = cls
        group by j.team_id
      ), team_share as (
        select p.team_id, coalesce(q.weight, d.weight) as weight, coalesce(l.n, 0) as load, tt.last_turn,
          case cls when 'cpu' then coalesce(q.running_cpu, d.running_cpu) else coalesce(q.running_gpu, d.running_gpu) end
            - coalesce(l.n, 0) as room
        from pending_teams p
        cross join private.quota_defaults d
        left join private.team_quotas q on q.team_id = p.team_id
        left join private.team_turns tt on tt.team_id = p.team_id and tt.compute_class = cls
        left join team_load l on l.team_id = p.team_id
        where p.team_id is not null
      ), candidates as (
        -- Each team's next jobs of the class, as many as it has room for.
        select c.id, c.tool_id, c.created_at, s.team_id, (s.load + c.place)::numeric / s.weight as fair_key,
          coalesce(s.last_turn, 0) as last_turn
        from team_share s
        cross join lateral (
          select x.id, x.tool_id, x.created_at, row_number() over (order by x.created_at, x.id) as place
          from public.jobs x join public.tools t on t.id = x.tool_id
          where x.team_id = s.team_id and x.status = 'pending' and t.compute_class = cls
            and (x.gpu_memory_mib is null or x.gpu_memory_mib <= largest_free_gpu)
          order by x.created_at, x.id
          limit least(s.room, free)
        ) c
        where s.room > 0
      ), per_tool as (
        select c.id, c.fair_key, c.last_turn, c.created_at, c.tool_id, c.team_id,
          row_number() over (partition by c.tool_id order by c.fair_key, c.last_turn, c.created_at, c.id) as tool_place
        from candidates c
      ), picked as (
        select p.id, p.team_id, row_number() over (order by p.fair_key, p.last_turn, p.created_at, p.id) as turn_offset
        from per_tool p join tool_slots s on s.tool_id = p.tool_id
        where p.tool_place <= s.slots
        order by p.fair_key, p.last_turn, p.created_at, p.id
        limit free
      ), turns as (
        insert into private.team_turns as tt (team_id, compute_class, last_turn)
        select p.team_id, cls, turn + max(p.turn_offset) from picked p group by p.team_id
        on conflict on constraint team_turns_pkey do update set last_turn = excluded.last_turn
      ), locked as (
        select j.id from public.jobs j where j.id in (select p.id from picked p) and j.status = 'pending'
        for update skip locked
      )
      update public.jobs j set status = 'queued', progress_message = null
      from locked, public.tools t
      where j.id = locked.id and t.id = j.tool_id
      returning j.id, t.compute_class, t.id, t.time_limit_seconds;
    perform set_config('foldwork.status_message', '', true);
  end loop;
end;
$$;

