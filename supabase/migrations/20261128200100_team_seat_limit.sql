-- Seat limits for teams.
-- Protects: a team with a seat limit never gains members or pending invites
-- past its seats (members plus pending, unexpired invites). Inviting counts
-- at once (a pending invite holds a seat until it is accepted, declined,
-- revoked or expires), so an accepted invite always finds its seat. The limit is set by the service role
-- (billing, support); clients can read it but not change it.

alter table public.teams add column seat_limit integer check (seat_limit is null or seat_limit > 0);
comment on column public.teams.seat_limit is
  'Most members plus pending unexpired invites the team may have; null: no limit. Set by the service role only.';

-- Members, plus pending invites that have not expired and whose address is
-- not already a member's.
create function private.seats_taken(p_team_id uuid) returns integer
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select count(*) from public.team_members m where m.team_id = p_team_id)
    + (select count(*) from public.team_invites i
       where i.team_id = p_team_id and i.status = 'pending' and i.expires_at > now()
         and not exists (select from public.team_members m join public.profiles p on p.id = m.user_id
                         where m.team_id = i.team_id and p.email = i.email));
end;
$$;

-- The team's seat limit, with its row locked so that concurrent invites and
-- joins are counted one after the other.
create function private.lock_team_seats(p_team_id uuid) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  seats integer;
begin
  select t.seat_limit into seats from public.teams t where t.id = p_team_id for no key update;
  return seats;
end;
$$;

-- An invite that starts holding a seat (a new pending invite, or an expired
-- one made valid again) must find one free.
create function private.check_invite_seat() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  seats integer;
  taken integer;
begin
  if new.status <> 'pending' or new.expires_at <= now() then
    return null;
  end if;
  if tg_op = 'UPDATE' and old.status = 'pending' and old.expires_at > now() then
    return null;
  end if;
  seats := private.lock_team_seats(new.team_id);
  if seats is null then
    return null;
  end if;
  taken := private.seats_taken(new.team_id);
  if taken > seats then
    raise exception 'this team has % seats and they are all taken by members and pending invites, so % cannot be invited: revoke a pending invite or remove a member first',
      seats, new.email using errcode = 'P0001', hint = 'Ask for more seats to invite more people.';
  end if;
  return null;
end;
$$;

create trigger check_invite_seat
  after insert or update of status, expires_at on public.team_invites
  for each row execute function private.check_invite_seat();

-- A new member needs a seat too. Joining through an invite keeps the count
-- (the member takes the seat the invite held: an invite to a member's address
-- is not counted), so only a member added some other way can find none.
create function private.check_member_seat() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  seats integer := private.lock_team_seats(new.team_id);
begin
  if seats is not null and private.seats_taken(new.team_id) > seats then
    raise exception 'this team has % seats and all of them are taken by members and pending invites: revoke a pending invite or remove a member first',
      seats using errcode = 'P0001', hint = 'Ask for more seats to add more people.';
  end if;
  return null;
end;
$$;

create trigger check_member_seat
  after insert on public.team_members
  for each row execute function private.check_member_seat();
