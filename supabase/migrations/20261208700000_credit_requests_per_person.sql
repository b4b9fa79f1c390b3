-- Requests for credits are also limited per person, across all their teams.
-- Anyone may create teams (public.create_team) and each new team could ask 3
-- times a day, so one account with 50 teams mailed the operators 150 times a
-- day. Now a person asks at most 3 times a rolling day in all, whichever teams
-- they ask for (a team's own limits of 20261208350500 stay: once an hour and
-- 3 times a day, whoever asks). A person's requests are counted one at a
-- time (an advisory lock on their id, taken before the team's account lock,
-- so two people asking for one team never wait on each other in a cycle).
-- A request taken back with release_credit_request counts for neither.
-- Protects: the operators' inbox from one account flooding it through teams
-- it makes for the purpose.

create or replace function public.request_credits(team_id uuid, credits integer, message text default null) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('ask for credits for');
  member_role public.team_role;
  note text := nullif(btrim(request_credits.message), '');
  team public.teams;
  requester public.profiles;
  last_hour timestamptz;
  third_today timestamptz;
  own_third_today timestamptz;
  wait_until timestamptz;
  created public.credit_requests;
  balance integer;
begin
  if request_credits.team_id is null then
    raise exception 'team_id is required' using errcode = '22023';
  end if;
  select m.role into member_role from public.team_members m where m.team_id = request_credits.team_id and m.user_id = uid;
  if member_role is null then
    raise exception 'team % not found', request_credits.team_id using errcode = '42704';
  elsif member_role = 'viewer' then
    raise exception 'team viewers cannot ask for credits: ask a team owner or admin' using errcode = '42501';
  end if;
  if request_credits.credits is null or request_credits.credits < 1 or request_credits.credits > private.max_credit_grant() then
    raise exception 'ask for 1 to % credits, not %', private.max_credit_grant(), coalesce(request_credits.credits::text, 'nothing')
      using errcode = '22023';
  end if;
  if char_length(note) > 1000 then
    raise exception 'the note has at most 1000 characters; this one has %', char_length(note) using errcode = '22023';
  end if;

  -- One at a time per person, then per team, so a burst is counted exactly.
  perform pg_advisory_xact_lock(hashtextextended('foldwork.credit-requests:' || uid::text, 0));
  select a.balance into balance from public.credit_accounts a where a.team_id = request_credits.team_id for update;
  select max(r.created_at) + interval '1 hour' into last_hour
  from public.credit_requests r
  where r.team_id = request_credits.team_id and r.created_at > now() - interval '1 hour';
  select r.created_at + interval '1 day' into third_today
  from public.credit_requests r
  where r.team_id = request_credits.team_id and r.created_at > now() - interval '1 day'
  order by r.created_at desc offset 2 limit 1;
  select r.created_at + interval '1 day' into own_third_today
  from public.credit_requests r
  where r.requested_by = uid and r.created_at > now() - interval '1 day'
  order by r.created_at desc offset 2 limit 1;
  wait_until := greatest(last_hour, third_today, own_third_today);
  if wait_until is not null then
    return jsonb_build_object('allowed', false, 'retry_after', wait_until,
      'message', case
        when own_third_today > coalesce(greatest(last_hour, third_today), '-infinity')
          then 'You have asked for credits 3 times in the last day, for all your teams together, the most one person may'
        when third_today is not null then 'Your team has asked for credits 3 times in the last day, the most it may'
        else 'Your team asked for credits less than an hour ago' end
        || format('; you can ask again after %s UTC. The operators have your earlier request.',
                  to_char(wait_until at time zone 'UTC', 'YYYY-MM-DD HH24:MI')));
  end if;

  insert into public.credit_requests (team_id, requested_by, credits, message)
  values (request_credits.team_id, uid, request_credits.credits, note)
  returning * into created;
  select * into team from public.teams t where t.id = request_credits.team_id;
  select * into requester from public.profiles p where p.id = uid;
  return jsonb_build_object(
    'allowed', true,
    'request', jsonb_build_object('id', created.id, 'credits', created.credits, 'message', created.message, 'created_at', created.created_at),
    'team', jsonb_build_object('id', team.id, 'name', team.name),
    'requester', jsonb_build_object('id', uid, 'display_name', requester.display_name, 'email', requester.email),
    'balance', balance);
end;
$$;
