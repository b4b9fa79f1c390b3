-- Operators give a team credits: public.grant_credits writes one `grant`
-- row to the team's ledger with the operator's reason, which the team sees
-- in its credit history (and owners and admins in the audit log, through
-- audit_credit_change). `npm run credits -- grant` calls it over a direct
-- database connection (scripts/credits.ts).
-- Protects: only operators grant: the function is executable by the service
-- role (and the database owner a direct connection uses), never by anon or
-- signed-in users. A grant is a whole number from 1 to
-- private.max_credit_grant() (100,000: a typo like 1000000 is refused, not
-- paid out; a larger gift is several grants, each on the record), with a
-- reason of 1 to 500 characters; anything else is refused with a message
-- saying what to change.

-- The most one grant (or one request for credits) may be for.
create function private.max_credit_grant() returns integer
language sql immutable set search_path = ''
as $$ select 100000 $$;

-- {ledger_id, team_id, team_name, credits, balance, reason}
create function public.grant_credits(team_id uuid, credits numeric, reason text) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  team public.teams;
  cleaned text := nullif(btrim(grant_credits.reason), '');
  amount integer;
  entry_id bigint;
  new_balance integer;
begin
  if grant_credits.team_id is null then
    raise exception 'team_id is required' using errcode = '22023';
  end if;
  if grant_credits.credits is null or grant_credits.credits <> trunc(grant_credits.credits) then
    raise exception 'a grant is a whole number of credits, not %', coalesce(grant_credits.credits::text, 'nothing')
      using errcode = '22023';
  end if;
  if grant_credits.credits <= 0 then
    raise exception 'a grant must be at least 1 credit, not %', grant_credits.credits
      using errcode = '22023', hint = 'To take credits away, add an adjustment instead.';
  end if;
  if grant_credits.credits > private.max_credit_grant() then
    raise exception 'a grant of % credits is more than one grant may give (%)', grant_credits.credits, private.max_credit_grant()
      using errcode = '22023', hint = 'Check the amount for a typo; to give more, make several grants.';
  end if;
  if cleaned is null then
    raise exception 'a grant needs a reason: the team sees it in its credit history' using errcode = '22023';
  end if;
  if char_length(cleaned) > 500 then
    raise exception 'a grant''s reason has at most 500 characters; this one has %', char_length(cleaned) using errcode = '22023';
  end if;
  amount := grant_credits.credits::integer;
  select * into team from public.teams t where t.id = grant_credits.team_id;
  if not found then
    raise exception 'team % not found', grant_credits.team_id using errcode = '42704';
  end if;
  insert into public.credit_ledger (team_id, delta, reason, memo)
  values (team.id, amount, 'grant', cleaned)
  returning id into entry_id;
  select a.balance into new_balance from public.credit_accounts a where a.team_id = team.id;
  return jsonb_build_object('ledger_id', entry_id, 'team_id', team.id, 'team_name', team.name, 'credits', amount,
    'balance', new_balance, 'reason', cleaned);
end;
$$;

revoke all on function private.max_credit_grant() from public, anon, authenticated;
revoke all on function public.grant_credits(uuid, numeric, text) from public, anon, authenticated;
grant execute on function public.grant_credits(uuid, numeric, text) to service_role;
