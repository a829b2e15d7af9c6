-- Accounts, sessions, API tokens, login throttling and the append-only audit log.

CREATE TABLE users (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Stored lower-cased so the unique constraint is case-insensitive.
    email          text NOT NULL CHECK (email = lower(email) AND email LIKE '_%@_%'),
    display_name   text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 120),
    role           text NOT NULL CHECK (role IN ('viewer', 'architect', 'admin')),
    -- argon2id PHC string; never logged, never sent.
    password_hash  text NOT NULL,
    disabled       boolean NOT NULL DEFAULT false,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);

-- A session is known by the SHA-256 of its cookie value, so a leaked table holds no usable cookie.
CREATE TABLE sessions (
    token_hash    bytea PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    -- Absolute expiry; idle expiry is checked against last_seen_at.
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

CREATE TABLE api_tokens (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    scope         text NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash    bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);

-- Failed logins per account ('email:…') and per client address ('ip:…'). Kept in the database so
-- that several servers behind a load balancer share the count.
CREATE TABLE login_failures (
    key               text PRIMARY KEY,
    failures          integer NOT NULL,
    first_failure_at  timestamptz NOT NULL DEFAULT now(),
    locked_until      timestamptz
);

CREATE TABLE audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor_user_id   bigint REFERENCES users (id),
    actor_token_id  bigint REFERENCES api_tokens (id),
    -- Who, as shown to people ("ada@example.com" or "ada@example.com via token 'argo'").
    actor           text NOT NULL,
    entity          text NOT NULL,
    entity_id       text NOT NULL,
    action          text NOT NULL,
    before          jsonb,
    after           jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);

-- IEC 62443 / NIS2: the trail must not be rewritten, not even by the application's own role.
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- Who saved a profile last, shown in the studio.
ALTER TABLE profiles ADD COLUMN updated_by text NOT NULL DEFAULT 'reference data';
