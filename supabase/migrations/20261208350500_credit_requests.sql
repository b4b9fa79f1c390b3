-- Asking the operators for credits: the credits page's "Request credits"
-- calls the request-credits edge function, which records the request here
-- through public.request_credits (as the caller), then emails the operators.
-- Protects: the operators' inbox. Only members of a team who may run jobs
-- (owner, admin, member; not viewers) ask for it; a team asks at most once
-- an hour and 3 times a rolling day, whoever asks and however many ask at
-- once (requests of one team are counted one at a time, under the lock of
-- its credit account); an amount is 1 to private.max_credit_grant() credits
-- and a note at most 1,000 characters. A request the operators were never
-- told of (every email failed) is taken back by the function with the
-- service role (release_credit_request), so it does not use up the limit.
-- Team members see their team's requests; nobody else sees any.

create table public.credit_requests (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  requested_by uuid references public.profiles (id) on delete set null,
  credits integer not null check (credits > 0),
  message text check (char_length(message) <= 1000),
  created_at timestamptz not null default now()
);
create index credit_requests_team_created_idx on public.credit_requests (team_id, created_at desc);
create index credit_requests_requested_by_idx on public.credit_requests (requested_by) where requested_by is not null;

alter table public.credit_requests enable row level security;
create policy "Team members can view their team's credit requests" on public.credit_requests
  for select to authenticated using (team_id in (select private.user_team_ids()));

revoke all on public.credit_requests from anon, authenticated, service_role;
grant select on public.credit_requests to authenticated;
grant select, delete on public.credit_requests to service_role;

-- Records a request, or says when the team may ask again:
--   {allowed: true, request: {id, credits, message, created_at}, team: {id, name},
--    requester: {id, display_name, email}, balance}
--   {allowed: false, retry_after, message}
create function public.request_credits(team_id uuid, credits integer, message text default null) returns jsonb
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

  -- One at a time per team, so a burst is counted exactly.
  select a.balance into balance from public.credit_accounts a where a.team_id = request_credits.team_id for update;
  select max(r.created_at) + interval '1 hour' into last_hour
  from public.credit_requests r
  where r.team_id = request_credits.team_id and r.created_at > now() - interval '1 hour';
  select r.created_at + interval '1 day' into third_today
  from public.credit_requests r
  where r.team_id = request_credits.team_id and r.created_at > now() - interval '1 day'
  order by r.created_at desc offset 2 limit 1;
  wait_until := greatest(last_hour, third_today);
  if wait_until is not null then
    return jsonb_build_object('allowed', false, 'retry_after', wait_until,
      'message', case when third_today is not null
        then 'Your team has asked for credits 3 times in the last day, the most it may'
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

-- Takes back a request whose emails all failed (the function, with the service role).
create function public.release_credit_request(request_id uuid) returns boolean
language plpgsql security definer set search_path = ''
as $$
begin
  delete from public.credit_requests r where r.id = release_credit_request.request_id;
  return found;
end;
$$;

revoke all on function public.request_credits(uuid, integer, text), public.release_credit_request(uuid) from public, anon;
grant execute on function public.request_credits(uuid, integer, text) to authenticated;
revoke all on function public.release_credit_request(uuid) from authenticated;
grant execute on function public.release_credit_request(uuid) to service_role;
