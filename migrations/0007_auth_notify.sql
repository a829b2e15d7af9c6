-- Servers cache verified API tokens and sessions for a few seconds, and the computed fleet map;
-- these triggers tell every server to drop its copies (as 0003 does for the decision model).

-- Credentials: a token revoked, expired early or changed, a session ended, a user changed
-- (role, disabled, password, name) or deleted. `last_used_at` / `last_seen_at` are written on
-- the hot path and change nothing a cache holds, so they are left out.
CREATE FUNCTION notify_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('switchyard_auth_changed', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER users_auth_changed AFTER UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER api_tokens_auth_changed
    AFTER UPDATE OF user_id, name, scope, token_hash, revoked_at, expires_at OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER sessions_auth_changed
    AFTER UPDATE OF user_id, token_hash, expires_at OR DELETE OR TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();

-- The fleet map: every cluster's recommendation depends on the clusters, the sites, and the
-- profiles with their weights (the model notifies on its own channel).
CREATE FUNCTION notify_fleet_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('switchyard_fleet_changed', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER clusters_fleet_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON clusters
    FOR EACH STATEMENT EXECUTE FUNCTION notify_fleet_changed();
CREATE TRIGGER sites_fleet_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sites
    FOR EACH STATEMENT EXECUTE FUNCTION notify_fleet_changed();
CREATE TRIGGER profiles_fleet_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON profiles
    FOR EACH STATEMENT EXECUTE FUNCTION notify_fleet_changed();
CREATE TRIGGER profile_weights_fleet_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON profile_weights
    FOR EACH STATEMENT EXECUTE FUNCTION notify_fleet_changed();
