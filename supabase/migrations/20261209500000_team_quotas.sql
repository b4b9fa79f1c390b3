-- Per-team limits on what a team may put on the shared fleet, kept in the
-- database: jobs waiting (pending, queued or waiting to retry), job input
-- stored per UTC day, and (read by the dispatcher) jobs running per compute
-- class, plus the team's weight in the dispatcher's fair share. One row of
-- defaults sized for a small deployment; a team may have its own row, whose
-- non-null columns override the defaults.
-- Protects: one team flooding the platform cannot grow the queue or the
-- storage without bound. The limits are checked on every insert into
-- public.jobs and every input file recorded for a new submission, so every
-- way of creating jobs (submit, retry, duplicate, anything that creates many
-- in one transaction) is refused whole when it would cross one, before the
-- charge trigger runs: nothing is charged. Only the service role (operators)
-- reads or changes limits and weights: the tables live in `private`, which
-- REST does not expose, with no grant to anon or authenticated.

create table private.quota_defaults (
  singleton boolean primary key default true check (singleton),
  -- The dispatcher's share: a team of weight 2 gets twice the slots of a team of weight 1 when both wait.
  weight integer not null default 1 check (weight between 1 and 1000),
  running_cpu integer not null default 8 check (running_cpu >= 1),
  running_gpu integer not null default 2 check (running_gpu >= 1),
  max_waiting integer not null default 500 check (max_waiting >= 1),
  input_bytes_per_day bigint not null default 2147483648 check (input_bytes_per_day >= 1)
);
insert into private.quota_defaults default values;

create table private.team_quotas (
  team_id uuid primary key references public.teams (id) on delete cascade,
  weight integer check (weight between 1 and 1000),
  running_cpu integer check (running_cpu >= 1),
  running_gpu integer check (running_gpu >= 1),
  max_waiting integer check (max_waiting >= 1),
  input_bytes_per_day bigint check (input_bytes_per_day >= 1)
);

-- Input bytes recorded per team and UTC day. Deleting a job does not give
-- its bytes back: the limit is on what was sent today.
create table private.team_input_usage (
  team_id uuid not null references public.teams (id) on delete cascade,
  day date not null,
  bytes bigint not null default 0,
  primary key (team_id, day)
);

alter table private.quota_defaults enable row level security;
alter table private.team_quotas enable row level security;
alter table private.team_input_usage enable row level security;
revoke all on private.quota_defaults, private.team_quotas, private.team_input_usage from public, anon, authenticated;
grant select, insert, update, delete on private.quota_defaults, private.team_quotas, private.team_input_usage to service_role;

-- A team's effective limits (its own where set, else the defaults).
create function private.team_limits(p_team_id uuid)
returns table (weight integer, running_cpu integer, running_gpu integer, max_waiting integer, input_bytes_per_day bigint)
language sql stable security definer set search_path = ''
as $$
  select coalesce(q.weight, d.weight), coalesce(q.running_cpu, d.running_cpu), coalesce(q.running_gpu, d.running_gpu),
    coalesce(q.max_waiting, d.max_waiting), coalesce(q.input_bytes_per_day, d.input_bytes_per_day)
  from private.quota_defaults d left join private.team_quotas q on q.team_id = p_team_id
$$;

-- Adds bytes to today's input of the team, refusing (and so rolling back
-- the whole submission) when that crosses the team's daily limit. The
-- upsert locks the team's row for the day, so concurrent submissions of one
-- team are counted one after the other.
create function private.count_input_bytes(p_team_id uuid, p_bytes bigint) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  today date := (now() at time zone 'utc')::date;
  used bigint;
  lim bigint := (select l.input_bytes_per_day from private.team_limits(p_team_id) l);
  frees_in interval;
begin
  insert into private.team_input_usage as u (team_id, day, bytes) values (p_team_id, today, p_bytes)
  on conflict (team_id, day) do update set bytes = u.bytes + excluded.bytes
  returning u.bytes into used;
  if used > lim then
    frees_in := date_trunc('minute', ((today + 1)::timestamp at time zone 'utc') - now()) + interval '1 minute';
    raise exception 'limit reached: input bytes per day. This submission would bring your team''s job input today to % and its limit is % a day; nothing was charged',
        private.mib(used), private.mib(lim)
      using errcode = 'P0001',
        hint = format('The daily input limit frees at 00:00 UTC (in %s h %s min); ask an operator for a higher limit.',
          extract(hour from frees_in)::integer, extract(minute from frees_in)::integer);
  end if;
end;
$$;

-- Before a job is inserted: the team's waiting jobs, and today's input bytes.
-- One function with the limits read once (it runs on every submission).
create function private.check_team_quotas() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  lim record;
  waiting integer;
  today date := (now() at time zone 'utc')::date;
  used bigint;
  frees_in interval;
begin
  if new.status not in ('pending', 'queued', 'retry') then
    return new;
  end if;
  select coalesce(q.max_waiting, d.max_waiting) as max_waiting, coalesce(q.input_bytes_per_day, d.input_bytes_per_day) as bytes
  into lim
  from private.quota_defaults d left join private.team_quotas q on q.team_id = new.team_id;
  -- Counts the input first: the row lock on the team's day serialises its submissions, so the count below is exact.
  update private.team_input_usage u set bytes = u.bytes + octet_length(new.input::text)
  where u.team_id = new.team_id and u.day = today
  returning u.bytes into used;
  if not found then
    insert into private.team_input_usage as u (team_id, day, bytes) values (new.team_id, today, octet_length(new.input::text))
    on conflict (team_id, day) do update set bytes = u.bytes + excluded.bytes
    returning u.bytes into used;
  end if;
  if used > lim.bytes then
    frees_in := date_trunc('minute', ((today + 1)::timestamp at time zone 'utc') - now()) + interval '1 minute';
    raise exception 'limit reached: input bytes per day. This submission would bring your team''s job input today to % and its limit is % a day; nothing was charged',
        private.mib(used), private.mib(lim.bytes)
      using errcode = 'P0001',
        hint = format('The daily input limit frees at 00:00 UTC (in %s h %s min); ask an operator for a higher limit.',
          extract(hour from frees_in)::integer, extract(minute from frees_in)::integer);
  end if;
  select count(*) into waiting from public.jobs j
  where j.team_id = new.team_id and j.status in ('pending', 'queued', 'retry');
  if waiting >= lim.max_waiting then
    raise exception 'limit reached: jobs waiting. Your team has % jobs waiting to run, its limit; nothing was charged', waiting
      using errcode = 'P0001',
        hint = 'A place frees as soon as one of your waiting jobs starts or is cancelled.';
  end if;
  return new;
end;
$$;

create trigger check_team_quotas
  before insert on public.jobs
  for each row execute function private.check_team_quotas();

-- Input files of a new submission count at their recorded size. Files copied
-- to a retry or a duplicate are the same stored objects: not counted again.
create function private.count_input_file_bytes() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  job_team uuid;
begin
  select j.team_id into job_team from public.jobs j
  where j.id = new.job_id and j.retry_of is null and j.duplicated_from is null;
  if job_team is not null and coalesce(new.size_bytes, octet_length(new.content), 0) > 0 then
    perform private.count_input_bytes(job_team, coalesce(new.size_bytes, octet_length(new.content)));
  end if;
  return new;
end;
$$;

create trigger count_input_file_bytes
  before insert on public.job_files
  for each row when (new.kind = 'input')
  execute function private.count_input_file_bytes();

revoke all on function private.team_limits(uuid), private.count_input_bytes(uuid, bigint), private.check_team_quotas(),
  private.count_input_file_bytes() from public, anon, authenticated;
grant execute on function private.team_limits(uuid) to service_role;
