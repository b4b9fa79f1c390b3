-- The waiting-jobs limit counts a team's waiting jobs once per transaction,
-- not once per insert: a bulk retry of 10,000 jobs counted 0, 1, ... 9,999
-- waiting jobs again for each new one (50 million index entries, about a
-- minute). The trigger now carries its count to the next insert of the same
-- team in the same transaction (a transaction-local setting keyed by the
-- transaction id and the team, as private.caller_session_is_live keeps its
-- answer), adding the job it admitted.
-- Protects: the limit as before. The carried count is exact or high, never
-- low: once a transaction has inserted a team's job it holds that team's
-- row in private.team_input_usage (updated above, first), so no other
-- submission of the team passes this trigger until it ends; other changes
-- can only take jobs out of waiting (only workers put a job back in
-- waiting, `retry`, and they create no jobs in the same transaction). A savepoint rolled back takes its
-- carried count back with it (settings are transactional).

create or replace function private.check_team_quotas() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  lim record;
  waiting integer;
  today date := (now() at time zone 'utc')::date;
  used bigint;
  frees_in interval;
  -- This transaction and team: the count below, carried to its next insert.
  counted text := txid_current()::text || ':' || new.team_id::text || ':';
  carried text := current_setting('foldwork.waiting_jobs', true);
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
  if carried is not null and starts_with(carried, counted) then
    waiting := substr(carried, char_length(counted) + 1)::integer;
  else
    select count(*) into waiting from public.jobs j
    where j.team_id = new.team_id and j.status in ('pending', 'queued', 'retry');
  end if;
  if waiting >= lim.max_waiting then
    raise exception 'limit reached: jobs waiting. Your team has % jobs waiting to run, its limit; nothing was charged', waiting
      using errcode = 'P0001',
        hint = 'A place frees as soon as one of your waiting jobs starts or is cancelled.';
  end if;
  perform set_config('foldwork.waiting_jobs', counted || (waiting + 1), true);
  return new;
end;
$$;
