-- An API key acts for ONE team (the team it was made in): through a key, a user sees the assets of that team and
-- the assets granted to that team, nothing else of theirs. Tokens (frontends) keep the user's whole view.
-- `p_scope_team` is the key's team, NULL for tokens; the 4-argument rule of sql/011 is unchanged and still THE rule.
CREATE FUNCTION asset_permission(p_owner uuid, p_team uuid, p_asset uuid, p_user uuid, p_scope_team uuid) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN p_scope_team IS NULL OR p_team = p_scope_team THEN asset_permission(p_owner, p_team, p_asset, p_user)
        WHEN p_user IS NULL THEN 'none'
        ELSE coalesce((
            SELECT CASE WHEN bool_or(g.permission = 'edit') THEN 'edit' WHEN count(*) > 0 THEN 'view' END
            FROM asset_grants g
            WHERE g.asset_id = p_asset AND g.principal_type = 'team' AND g.principal_id = p_scope_team
                AND EXISTS (SELECT 1 FROM memberships m WHERE m.team_id = p_scope_team AND m.user_id = p_user)), 'none')
    END
$$;
