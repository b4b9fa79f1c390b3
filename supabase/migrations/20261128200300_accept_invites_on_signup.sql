-- An invitation sent to an address without an account makes Supabase's own
-- invited user (auth.users.invited_at set). When that person confirms the
-- address (follows the emailed link), the team invites waiting for it are
-- accepted by themselves: following the invitation is the acceptance.
-- Protects: this happens only at the first confirmation of an invited
-- account, inside the same transaction, so it cannot be skipped, and an
-- unconfirmed account never joins a team. Accounts that were never sent a
-- sign-up invitation (confirmed before they were invited, or invited
-- without one) accept or decline on the invite page instead. An invite
-- whose team has no free seat stays pending (confirming never fails for it).

create function private.accept_invites_of_invited_account() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  invite public.team_invites;
begin
  for invite in
    select * from public.team_invites i
    where i.email = lower(new.email) and i.status = 'pending' and i.expires_at > now()
    order by i.created_at
    for update
  loop
    begin
      insert into public.team_members (team_id, user_id, role) values (invite.team_id, new.id, invite.role)
      on conflict (team_id, user_id) do nothing;
      update public.team_invites i set status = 'accepted', accepted_at = now(), accepted_by = new.id where i.id = invite.id;
    exception when sqlstate 'P0001' then
      -- No free seat (the limit was lowered since the invite): it stays pending.
      null;
    end;
  end loop;
  return null;
end;
$$;

-- The names sort after on_auth_user_created (which makes the profile first).
create trigger team_invites_accept_on_signup
  after insert on auth.users
  for each row when (new.email_confirmed_at is not null and new.email is not null and new.invited_at is not null)
  execute function private.accept_invites_of_invited_account();

create trigger team_invites_accept_on_confirm
  after update of email_confirmed_at on auth.users
  for each row when (old.email_confirmed_at is null and new.email_confirmed_at is not null
    and new.email is not null and new.invited_at is not null)
  execute function private.accept_invites_of_invited_account();
