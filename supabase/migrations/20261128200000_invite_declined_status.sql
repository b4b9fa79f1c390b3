-- An invitee can decline a team invite. A status of its own (not "revoked",
-- which is the team's doing) so the team page can say who said no, and a
-- declined invite no longer holds a seat. Alone in its migration: a new enum
-- value cannot be used in the transaction that adds it.
alter type public.invite_status add value if not exists 'declined';
